package io.berth.exporters.proc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The host's CPU time from {@code /proc/stat}, which {@code docker stats} divides a container's CPU
 * time by to get a percentage ({@code system_cpu_usage}), and the number of CPUs online.
 */
public final class HostCpu {

    /** {@code /proc/stat} counts in USER_HZ, which the kernel fixes at 100 for user space. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    /** @param totalNanos all CPUs' time in every mode since boot */
    public record Reading(long totalNanos, int onlineCpus) {}

    private HostCpu() {}

    public static Reading read(Path procStat) {
        try {
            return parse(Files.readString(procStat));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sums user, nice, system, idle, iowait, irq, softirq and steal of the {@code cpu} line, as Docker does. */
    public static Reading parse(String text) {
        long total = 0;
        int cpus = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith("cpu ")) {
                String[] f = line.substring(4).strip().split("\\s+");
                for (int i = 0; i < Math.min(8, f.length); i++) {
                    total += Long.parseLong(f[i]);
                }
            } else if (line.startsWith("cpu")) {
                cpus++;
            }
        }
        return new Reading(total * NANOS_PER_TICK, Math.max(1, cpus));
    }
}
