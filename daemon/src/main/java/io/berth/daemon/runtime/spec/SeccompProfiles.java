package io.berth.daemon.runtime.spec;

import io.berth.errors.EngineException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Turns a seccomp profile in Docker's format (the one {@code docker run --security-opt seccomp=FILE}
 * takes and containers-common ships as /usr/share/containers/seccomp.json) into the OCI
 * {@code linux.seccomp} runc loads, for one container: the architectures of this machine from the
 * profile's {@code archMap}, and only the rules whose {@code includes} and {@code excludes}
 * (architectures, capabilities, minimum kernel) fit this machine and the container's capabilities,
 * as dockerd filters them. Pure.
 */
public final class SeccompProfiles {

    /** This machine's architecture as the profile names it: libseccomp's name and Go's. */
    public record Arch(String scmp, String go) {

        /** The architecture of the JVM's machine. */
        public static Arch host() {
            return of(System.getProperty("os.arch"));
        }

        static Arch of(String jvmArch) {
            return switch (jvmArch) {
                case "amd64", "x86_64" -> new Arch("SCMP_ARCH_X86_64", "amd64");
                case "aarch64", "arm64" -> new Arch("SCMP_ARCH_AARCH64", "arm64");
                case "ppc64le" -> new Arch("SCMP_ARCH_PPC64LE", "ppc64le");
                case "s390x" -> new Arch("SCMP_ARCH_S390X", "s390x");
                case "riscv64" -> new Arch("SCMP_ARCH_RISCV64", "riscv64");
                default -> throw new IllegalArgumentException("no seccomp architecture for " + jvmArch);
            };
        }
    }

    private SeccompProfiles() {}

    /**
     * Reads a profile's text.
     *
     * @throws EngineException INVALID when it is not a profile
     */
    public static JsonObject parse(String text) {
        JsonObject p;
        try {
            p = new JsonObject(text);
        } catch (DecodeException | ClassCastException e) {
            throw EngineException.invalid("Decoding seccomp profile failed: " + e.getMessage());
        }
        if (!(p.getValue("defaultAction") instanceof String)) {
            throw EngineException.invalid("Decoding seccomp profile failed: no defaultAction");
        }
        if (!(p.getValue("syscalls", new JsonArray()) instanceof JsonArray)) {
            throw EngineException.invalid("Decoding seccomp profile failed: syscalls is not a list");
        }
        return p;
    }

    /**
     * The OCI {@code linux.seccomp} of {@code profile} for a container holding {@code caps} on a
     * kernel of {@code kernel} (as /proc/sys/kernel/osrelease gives it).
     */
    public static JsonObject toOci(JsonObject profile, Arch arch, List<String> caps, String kernel) {
        JsonObject out = new JsonObject().put("defaultAction", profile.getString("defaultAction"));
        Object errno = profile.getValue("defaultErrnoRet");
        if (errno instanceof Number n) {
            out.put("defaultErrnoRet", n.longValue());
        }
        out.put("architectures", architectures(profile, arch));
        JsonArray syscalls = new JsonArray();
        for (Object o : profile.getJsonArray("syscalls", new JsonArray())) {
            if (!(o instanceof JsonObject rule) || !applies(rule, arch, caps, kernel)) {
                continue;
            }
            JsonArray names = rule.getJsonArray("names", new JsonArray()).copy();
            if (rule.getString("name") != null) {
                names.add(rule.getString("name"));
            }
            if (names.isEmpty()) {
                continue;
            }
            JsonObject call = new JsonObject().put("names", names).put("action", rule.getString("action"));
            if (rule.getValue("errnoRet") instanceof Number n) {
                call.put("errnoRet", n.longValue());
            }
            JsonArray args = rule.getJsonArray("args");
            if (args != null && !args.isEmpty()) {
                JsonArray a = new JsonArray();
                for (Object x : args) {
                    JsonObject arg = (JsonObject) x;
                    a.add(new JsonObject().put("index", arg.getLong("index", 0L)).put("value", arg.getLong("value", 0L))
                            .put("valueTwo", arg.getLong("valueTwo", 0L)).put("op", arg.getString("op")));
                }
                call.put("args", a);
            }
            syscalls.add(call);
        }
        return out.put("syscalls", syscalls);
    }

    /** The native architecture and its sub-architectures, or the profile's own list when it has no map. */
    private static JsonArray architectures(JsonObject profile, Arch arch) {
        for (Object o : profile.getJsonArray("archMap", new JsonArray())) {
            JsonObject m = (JsonObject) o;
            if (arch.scmp().equals(m.getString("architecture"))) {
                JsonArray out = new JsonArray().add(arch.scmp());
                m.getJsonArray("subArchitectures", new JsonArray()).forEach(out::add);
                return out;
            }
        }
        JsonArray listed = profile.getJsonArray("architectures");
        return listed != null && !listed.isEmpty() ? listed.copy() : new JsonArray().add(arch.scmp());
    }

    /** Whether a rule's conditions hold here, as dockerd decides it. */
    static boolean applies(JsonObject rule, Arch arch, List<String> caps, String kernel) {
        JsonObject inc = rule.getJsonObject("includes", new JsonObject());
        JsonObject exc = rule.getJsonObject("excludes", new JsonObject());
        JsonArray incArches = inc.getJsonArray("arches", new JsonArray());
        if (!incArches.isEmpty() && !incArches.contains(arch.go())) {
            return false;
        }
        for (Object c : inc.getJsonArray("caps", new JsonArray())) {
            if (!caps.contains(c)) {
                return false;
            }
        }
        String incKernel = inc.getString("minKernel", "");
        if (!incKernel.isEmpty() && compareKernels(kernel, incKernel) < 0) {
            return false;
        }
        if (exc.getJsonArray("arches", new JsonArray()).contains(arch.go())) {
            return false;
        }
        for (Object c : exc.getJsonArray("caps", new JsonArray())) {
            if (caps.contains(c)) {
                return false;
            }
        }
        String excKernel = exc.getString("minKernel", "");
        return excKernel.isEmpty() || compareKernels(kernel, excKernel) < 0;
    }

    /** Compares kernel releases by their leading numbers ({@code 6.1.0-13-amd64} as 6.1.0). */
    static int compareKernels(String a, String b) {
        int[] x = numbers(a);
        int[] y = numbers(b);
        for (int i = 0; i < 3; i++) {
            if (x[i] != y[i]) {
                return Integer.compare(x[i], y[i]);
            }
        }
        return 0;
    }

    private static int[] numbers(String release) {
        int[] out = new int[3];
        String[] parts = release.split("[^0-9]", -1);
        int at = 0;
        for (int i = 0; i < parts.length && at < 3; i++) {
            if (parts[i].isEmpty()) {
                break;
            }
            out[at++] = Integer.parseInt(parts[i]);
        }
        return out;
    }
}
