package io.berth.daemon.container;

import io.berth.daemon.api.Json;
import io.berth.daemon.image.ImageConfig;
import io.berth.daemon.network.PortPlan;
import io.berth.daemon.volume.MountSpecs;
import io.berth.daemon.volume.VolumeService;
import io.berth.errors.EngineException;
import io.berth.events.ContainerSpec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Turns a Docker {@code POST /containers/create} body into a validated {@link ContainerSpec}, merged
 * with the image's config as dockerd merges it, refusing bad values with dockerd's messages.
 */
public final class CreateParser {

    /** The smallest memory limit Docker accepts. */
    public static final long MIN_MEMORY = 6L * 1024 * 1024;

    private static final Set<String> RESTART_POLICIES = Set.of("", "no", "always", "unless-stopped", "on-failure");

    private CreateParser() {}

    /** The image reference a create body asks for. */
    public static String image(JsonObject body) {
        String image = body.getString("Image");
        if (image == null || image.isBlank()) {
            throw EngineException.invalid("config cannot be empty in order to create a container");
        }
        return image;
    }

    /**
     * @param body    the request body
     * @param imageId the resolved image id
     * @param image   the image's config
     * @param id      the new container's id (its short form is the default hostname)
     * @param ncpu    CPUs on the host, the upper bound of {@code NanoCpus}
     */
    public static ContainerSpec parse(JsonObject body, String imageId, ImageConfig image, String id, int ncpu) {
        return parse(body, imageId, image, id, ncpu, VolumeService::anonymousName);
    }

    /** As {@link #parse(JsonObject, String, ImageConfig, String, int)}, naming anonymous volumes by {@code anonymous}. */
    public static ContainerSpec parse(JsonObject body, String imageId, ImageConfig image, String id, int ncpu,
                                      Supplier<String> anonymous) {
        JsonObject host = Json.obj(body, "HostConfig");
        List<String> entrypoint = Json.strings(body.getValue("Entrypoint"));
        List<String> cmd = Json.strings(body.getValue("Cmd"));
        boolean userEntrypoint = body.getValue("Entrypoint") != null;
        if (!userEntrypoint) {
            entrypoint = image.entrypoint();
            if (cmd.isEmpty()) {
                cmd = image.cmd();
            }
        }
        if (entrypoint.isEmpty() && cmd.isEmpty()) {
            throw EngineException.invalid("no command specified");
        }
        List<String> env = mergeEnv(image.env(), Json.strings(body.getValue("Env")));
        for (String e : env) {
            if (e.isEmpty() || e.startsWith("=")) {
                throw EngineException.invalid("invalid environment variable: " + e);
            }
        }
        Map<String, String> labels = new LinkedHashMap<>(image.labels());
        labels.putAll(stringMap(body.getJsonObject("Labels")));
        String workingDir = orElse(body.getString("WorkingDir"), image.workingDir());
        if (!workingDir.isEmpty() && !workingDir.startsWith("/")) {
            throw EngineException.invalid("the working directory '" + workingDir + "' is invalid, it needs to be an absolute path");
        }
        String hostname = orElse(body.getString("Hostname"), id.substring(0, 12));
        String networkMode = networkMode(Json.str(host, "NetworkMode"));
        if ("host".equals(networkMode) && Json.str(body, "Hostname").isEmpty()) {
            hostname = HostName.get();
        }
        ContainerSpec.Resources resources = resources(host, ncpu);
        ContainerSpec.RestartPolicy restart = restartPolicy(host.getJsonObject("RestartPolicy"));
        boolean autoRemove = Json.flag(host, "AutoRemove");
        if (autoRemove && !"no".equals(restart.name())) {
            throw EngineException.invalid("can't create 'AutoRemove' container with restart policy");
        }
        Integer stopTimeout = body.getInteger("StopTimeout");
        List<ContainerSpec.PortBinding> bindings = PortPlan.bindings(host.getJsonObject("PortBindings"));
        List<String> exposed = PortPlan.exposed(image.exposedPorts(),
                body.getJsonObject("ExposedPorts"), bindings);
        boolean publishAll = Json.flag(host, "PublishAllPorts");
        if (("host".equals(networkMode) || "none".equals(networkMode)) && !bindings.isEmpty()) {
            // As dockerd: nothing to publish from the host's namespace, or from none.
            bindings = List.of();
        }
        List<ContainerSpec.Mount> mounts = MountSpecs.parse(body, host, anonymous);
        return new ContainerSpec(
                image(body), imageId, entrypoint, cmd, env,
                workingDir.isEmpty() ? "/" : workingDir,
                orElse(body.getString("User"), image.user()),
                hostname, Json.str(body, "Domainname"),
                Json.flag(body, "Tty"), Json.flag(body, "OpenStdin"), Json.flag(body, "StdinOnce"),
                labels, orElse(body.getString("StopSignal"), orElse(image.stopSignal(), "SIGTERM")),
                stopTimeout == null ? -1 : stopTimeout,
                resources, restart, autoRemove, networkMode, Json.strings(host.getValue("Binds")),
                exposed, bindings, publishAll, mounts, aliases(body, networkMode), SecurityParser.parse(host));
    }

    /** Docker's modes: {@code default} is {@code bridge}; other names are networks the service resolves. */
    static String networkMode(String mode) {
        return switch (mode) {
            case "", "default" -> "bridge";
            default -> mode;
        };
    }

    /** The aliases {@code NetworkingConfig.EndpointsConfig} gives on the network of the container's mode. */
    static List<String> aliases(JsonObject body, String networkMode) {
        JsonObject endpoints = Json.obj(Json.obj(body, "NetworkingConfig"), "EndpointsConfig");
        JsonObject mine = endpoints.getJsonObject(networkMode);
        if (mine == null && endpoints.size() == 1) {
            Object only = endpoints.getValue(endpoints.fieldNames().iterator().next());
            mine = only instanceof JsonObject j ? j : null;
        }
        return mine == null ? List.of() : Json.strings(mine.getValue("Aliases"));
    }

    /** Validated cgroup limits from a {@code HostConfig} (also used by {@code docker update}). */
    public static ContainerSpec.Resources resources(JsonObject host, int ncpu) {
        long memory = Json.num(host, "Memory");
        long swap = Json.num(host, "MemorySwap");
        long reservation = Json.num(host, "MemoryReservation");
        if (memory < 0 || reservation < 0) {
            throw EngineException.invalid("invalid memory limit: must not be negative");
        }
        if (memory > 0 && memory < MIN_MEMORY) {
            throw EngineException.invalid("Minimum memory limit allowed is 6MB");
        }
        if (memory > 0 && swap > 0 && swap < memory) {
            throw EngineException.invalid("Minimum memoryswap limit should be larger than memory limit, see usage");
        }
        if (memory == 0 && swap > 0) {
            throw EngineException.invalid("You should always set the Memory limit when using Memoryswap limit, see usage");
        }
        if (memory > 0 && reservation > memory) {
            throw EngineException.invalid("Minimum memory limit can not be less than memory reservation limit, see usage");
        }
        long nanoCpus = Json.num(host, "NanoCpus");
        long quota = Json.num(host, "CpuQuota");
        long period = Json.num(host, "CpuPeriod");
        if (nanoCpus < 0 || nanoCpus > (long) ncpu * 1_000_000_000L) {
            throw EngineException.invalid(String.format("Range of CPUs is from 0.01 to %d.00, as there are only %d CPUs available", ncpu, ncpu));
        }
        if (nanoCpus > 0 && (quota > 0 || period > 0)) {
            throw EngineException.invalid("Conflicting options: Nano CPUs and CPU Period cannot both be set");
        }
        if (period != 0 && (period < 1000 || period > 1_000_000)) {
            throw EngineException.invalid("CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)");
        }
        if (quota != 0 && quota != -1 && quota < 1000) {
            throw EngineException.invalid("CPU cfs quota can not be less than 1ms (i.e. 1000)");
        }
        Long pids = host.getLong("PidsLimit");
        List<ContainerSpec.Ulimit> ulimits = new ArrayList<>();
        JsonArray u = host.getJsonArray("Ulimits");
        if (u != null) {
            for (Object o : u) {
                JsonObject x = (JsonObject) o;
                long soft = Json.num(x, "Soft");
                long hard = Json.num(x, "Hard");
                if (soft > hard) {
                    throw EngineException.invalid("ulimit soft limit must be less than or equal to hard limit: "
                            + x.getString("Name") + "=" + soft + ":" + hard);
                }
                ulimits.add(new ContainerSpec.Ulimit(x.getString("Name"), soft, hard));
            }
        }
        return new ContainerSpec.Resources(memory, swap, reservation, Json.flag(host, "OomKillDisable"),
                nanoCpus, Json.num(host, "CpuShares"), period, quota, Json.str(host, "CpusetCpus"),
                pids == null || pids < 0 ? 0 : pids, ulimits);
    }

    /** Docker's restart policy object; a missing policy is {@code no}. */
    public static ContainerSpec.RestartPolicy restartPolicy(JsonObject p) {
        if (p == null) {
            return ContainerSpec.RestartPolicy.NO;
        }
        String name = Json.str(p, "Name");
        int max = (int) Json.num(p, "MaximumRetryCount");
        if (!RESTART_POLICIES.contains(name)) {
            throw EngineException.invalid("invalid restart policy '" + name + "'");
        }
        if (max < 0) {
            throw EngineException.invalid("invalid restart policy: maximum retry count cannot be negative");
        }
        if (max > 0 && !"on-failure".equals(name)) {
            throw EngineException.invalid("invalid restart policy: maximum retry count can only be used with 'on-failure'");
        }
        return new ContainerSpec.RestartPolicy(name.isEmpty() ? "no" : name, max);
    }

    static List<String> mergeEnv(List<String> image, List<String> own) {
        LinkedHashMap<String, String> m = new LinkedHashMap<>();
        for (List<String> list : List.of(image, own)) {
            for (String e : list) {
                int eq = e.indexOf('=');
                m.put(eq < 0 ? e : e.substring(0, eq), e);
            }
        }
        return new ArrayList<>(m.values());
    }

    private static Map<String, String> stringMap(JsonObject o) {
        Map<String, String> m = new LinkedHashMap<>();
        if (o != null) {
            for (String k : o.fieldNames()) {
                m.put(k, String.valueOf(o.getValue(k)));
            }
        }
        return m;
    }

    private static String orElse(String v, String dflt) {
        return v == null || v.isEmpty() ? (dflt == null ? "" : dflt) : v;
    }

    /** The host's name, for containers in the host's network namespace. */
    static final class HostName {
        static String get() {
            try {
                return Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
            } catch (IOException e) {
                return "localhost";
            }
        }
    }
}
