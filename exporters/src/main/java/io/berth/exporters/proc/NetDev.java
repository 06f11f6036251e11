package io.berth.exporters.proc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The interface counters of a network namespace, from {@code /proc/<pid>/net/dev} of a process in
 * it. Loopback is left out, as cAdvisor and Docker do: its traffic never leaves the container.
 */
public final class NetDev {

    /** One interface's counters since it was made. */
    public record Interface(String name, long rxBytes, long rxPackets, long rxErrors, long rxDropped,
                            long txBytes, long txPackets, long txErrors, long txDropped) {}

    private NetDev() {}

    /** The interfaces of {@code pid}'s network namespace under {@code proc}; empty when the process is gone. */
    public static List<Interface> of(Path proc, int pid) {
        try {
            return parse(Files.readString(proc.resolve(Integer.toString(pid)).resolve("net/dev")));
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Parses the file's text: two header lines, then {@code name: 8 receive and 8 transmit fields}. */
    public static List<Interface> parse(String text) {
        List<Interface> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0 || line.contains("|")) {
                continue;
            }
            String name = line.substring(0, colon).strip();
            String[] f = line.substring(colon + 1).strip().split("\\s+");
            if (name.equals("lo") || f.length < 16) {
                continue;
            }
            out.add(new Interface(name, n(f[0]), n(f[1]), n(f[2]), n(f[3]), n(f[8]), n(f[9]), n(f[10]), n(f[11])));
        }
        return out;
    }

    private static long n(String s) {
        return Long.parseLong(s);
    }
}
