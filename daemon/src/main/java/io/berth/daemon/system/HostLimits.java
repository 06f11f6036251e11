package io.berth.daemon.system;

import io.berth.daemon.runtime.spec.SpecBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * This process's rlimits, from /proc/self/limits: containers cannot get a hard limit above ours
 * unless we could raise it, which needs CAP_SYS_RESOURCE.
 */
public final class HostLimits {

    private static final Map<String, String> NAMES = Map.ofEntries(
            Map.entry("Max cpu time", "RLIMIT_CPU"), Map.entry("Max file size", "RLIMIT_FSIZE"),
            Map.entry("Max data size", "RLIMIT_DATA"), Map.entry("Max stack size", "RLIMIT_STACK"),
            Map.entry("Max core file size", "RLIMIT_CORE"), Map.entry("Max resident set", "RLIMIT_RSS"),
            Map.entry("Max processes", "RLIMIT_NPROC"), Map.entry("Max open files", "RLIMIT_NOFILE"),
            Map.entry("Max locked memory", "RLIMIT_MEMLOCK"), Map.entry("Max address space", "RLIMIT_AS"),
            Map.entry("Max file locks", "RLIMIT_LOCKS"), Map.entry("Max pending signals", "RLIMIT_SIGPENDING"),
            Map.entry("Max msgqueue size", "RLIMIT_MSGQUEUE"), Map.entry("Max nice priority", "RLIMIT_NICE"),
            Map.entry("Max realtime priority", "RLIMIT_RTPRIO"), Map.entry("Max realtime timeout", "RLIMIT_RTTIME"));

    private HostLimits() {}

    public static Map<String, SpecBuilder.HostLimit> read() {
        Map<String, SpecBuilder.HostLimit> out = new HashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                for (Map.Entry<String, String> n : NAMES.entrySet()) {
                    if (line.startsWith(n.getKey() + " ")) {
                        String[] f = line.substring(n.getKey().length()).trim().split("\\s+");
                        out.put(n.getValue(), new SpecBuilder.HostLimit(value(f[0]), value(f[1])));
                    }
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // Without the table nothing is clamped; runc reports what it cannot set.
        }
        return out;
    }

    private static long value(String s) {
        return "unlimited".equals(s) ? -1 : Long.parseLong(s);
    }
}
