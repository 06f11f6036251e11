package io.berth.daemon.volume;

import io.berth.daemon.runtime.spec.TmpfsOptions;
import io.berth.errors.EngineException;
import io.berth.events.ContainerSpec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * A create request's mounts, as dockerd reads them: {@code HostConfig.Binds}
 * ({@code /host/dir:/data[:ro]}, {@code NAME:/data[:ro]}), {@code HostConfig.Mounts}
 * ({@code --mount type=bind|volume|tmpfs,...}), {@code HostConfig.Tmpfs} ({@code --tmpfs /run:size=64m})
 * and {@code Config.Volumes} ({@code -v /data}: an anonymous volume). Pure, but for the supplier of
 * anonymous volumes' names.
 */
public final class MountSpecs {

    /** Docker's rule for volume names. */
    private static final Pattern VOLUME_NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]+");

    private MountSpecs() {}

    /**
     * @param anonymousName gives the name of each anonymous volume (Docker: 64 random hex digits)
     */
    public static List<ContainerSpec.Mount> parse(JsonObject config, JsonObject hostConfig, Supplier<String> anonymousName) {
        List<ContainerSpec.Mount> out = new ArrayList<>();
        Set<String> targets = new HashSet<>();
        Object binds = hostConfig == null ? null : hostConfig.getValue("Binds");
        if (binds instanceof JsonArray list) {
            for (Object o : list) {
                add(out, targets, bind(String.valueOf(o)));
            }
        }
        Object mounts = hostConfig == null ? null : hostConfig.getValue("Mounts");
        if (mounts instanceof JsonArray list) {
            for (Object o : list) {
                add(out, targets, mount(o instanceof JsonObject j ? j : new JsonObject(), anonymousName));
            }
        }
        Object tmpfs = hostConfig == null ? null : hostConfig.getValue("Tmpfs");
        if (tmpfs instanceof JsonObject t) {
            for (String target : t.fieldNames()) {
                Object opts = t.getValue(target);
                add(out, targets, tmpfs(target, opts == null ? "" : String.valueOf(opts)));
            }
        } else if (tmpfs != null) {
            throw EngineException.invalid("invalid HostConfig.Tmpfs: want an object of mount path to options");
        }
        Object volumes = config == null ? null : config.getValue("Volumes");
        if (volumes instanceof JsonObject v) {
            for (String target : v.fieldNames()) {
                String t = target(target);
                if (!targets.contains(t)) {
                    add(out, targets, new ContainerSpec.Mount("volume", anonymousName.get(), t, false));
                }
            }
        }
        return out;
    }

    private static void add(List<ContainerSpec.Mount> out, Set<String> targets, ContainerSpec.Mount m) {
        if (!targets.add(m.target())) {
            throw EngineException.invalid("Duplicate mount point: " + m.target());
        }
        out.add(m);
    }

    /** One {@code Binds} entry: {@code SRC:DST[:OPTS]}, a host path when SRC is absolute, else a volume name. */
    public static ContainerSpec.Mount bind(String spec) {
        String[] parts = spec.split(":");
        if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty()) {
            throw EngineException.invalid("invalid volume specification: '" + spec + "'");
        }
        boolean ro = false;
        if (parts.length == 3) {
            for (String opt : parts[2].split(",")) {
                switch (opt) {
                    case "ro" -> ro = true;
                    case "rw", "z", "Z", "private", "rprivate", "shared", "rshared", "slave", "rslave", "nocopy", "" -> { }
                    default -> throw EngineException.invalid("invalid mode: " + opt);
                }
            }
        }
        String target = target(parts[1]);
        if (parts[0].startsWith("/")) {
            return new ContainerSpec.Mount("bind", normalizePath(parts[0]), target, ro);
        }
        return new ContainerSpec.Mount("volume", volumeName(parts[0]), target, ro);
    }

    /** One {@code HostConfig.Mounts} entry. */
    static ContainerSpec.Mount mount(JsonObject m, Supplier<String> anonymousName) {
        String type = m.getString("Type", "");
        String source = m.getString("Source", "");
        String target = m.getString("Target", "");
        if (target == null || target.isEmpty()) {
            throw EngineException.invalid("invalid mount config: Target must not be empty");
        }
        boolean ro = m.getBoolean("ReadOnly", false);
        return switch (type) {
            case "bind" -> {
                if (source == null || source.isEmpty()) {
                    throw EngineException.invalid("invalid mount config for type \"bind\": field Source must not be empty");
                }
                if (!source.startsWith("/")) {
                    throw EngineException.invalid("invalid mount config for type \"bind\": invalid mount path: '"
                            + source + "' mount path must be absolute");
                }
                yield new ContainerSpec.Mount("bind", normalizePath(source), target(target), ro);
            }
            case "volume" -> new ContainerSpec.Mount("volume", source == null || source.isEmpty() ? anonymousName.get()
                    : volumeName(source), target(target), ro);
            case "tmpfs" -> {
                if (source != null && !source.isEmpty()) {
                    throw EngineException.invalid("invalid mount config for type \"tmpfs\": field Source must not be specified");
                }
                yield tmpfs(target, tmpfsOptions(m.getJsonObject("TmpfsOptions"), ro));
            }
            default -> throw EngineException.invalid("mount type \"" + type + "\" is not supported");
        };
    }

    /** A tmpfs at {@code target} with mount {@code options} as {@code --tmpfs} gives them ({@code rw,size=64m}). */
    static ContainerSpec.Mount tmpfs(String target, String options) {
        String t = target(target);
        List<String> opts = new ArrayList<>();
        for (String o : options.split(",")) {
            if (!o.isEmpty()) {
                opts.add(TmpfsOptions.check(o));
            }
        }
        return new ContainerSpec.Mount("tmpfs", String.join(",", opts), t, opts.contains("ro"));
    }

    /** {@code --mount type=tmpfs,tmpfs-size=N,tmpfs-mode=M} as mount options, as dockerd converts them. */
    private static String tmpfsOptions(JsonObject o, boolean readOnly) {
        List<String> opts = new ArrayList<>();
        if (readOnly) {
            opts.add("ro");
        }
        if (o != null) {
            Object size = o.getValue("SizeBytes");
            if (size instanceof Number n && n.longValue() > 0) {
                // dockerd writes the size in KiB, rounding down
                opts.add("size=" + (n.longValue() / 1024) + "k");
            } else if (size != null && !(size instanceof Number)) {
                throw EngineException.invalid("invalid mount config for type \"tmpfs\": SizeBytes must be a number");
            }
            Object mode = o.getValue("Mode");
            if (mode instanceof Number n && n.intValue() != 0) {
                opts.add("mode=" + Integer.toOctalString(n.intValue() & 07777));
            } else if (mode != null && !(mode instanceof Number)) {
                throw EngineException.invalid("invalid mount config for type \"tmpfs\": Mode must be a number");
            }
        }
        return String.join(",", opts);
    }

    private static String target(String t) {
        if (t == null || !t.startsWith("/")) {
            throw EngineException.invalid("invalid mount config: invalid mount path: '" + t + "' mount path must be absolute");
        }
        String n = normalizePath(t);
        if (n.equals("/")) {
            throw EngineException.invalid("invalid specification: destination can't be '/'");
        }
        return n;
    }

    private static String normalizePath(String p) {
        String n = Path.of(p).normalize().toString();
        return n.isEmpty() ? "/" : n;
    }

    /** A valid volume name, or Docker's 400. */
    public static String volumeName(String name) {
        if (!VOLUME_NAME.matcher(name).matches()) {
            throw EngineException.invalid("create " + name + ": \"" + name + "\" includes invalid characters for a local"
                    + " volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host"
                    + " directory, use absolute path");
        }
        return name;
    }
}
