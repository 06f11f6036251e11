package io.berth.exporters.cgroup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parsers for the file shapes cgroup interfaces use: one value, space-separated values, and flat
 * keyed lines ({@code key value}). A missing file reads as absent (null or empty): controllers and
 * kernels differ in what they offer, and a cgroup may vanish between two reads.
 */
final class CgroupFiles {

    private CgroupFiles() {}

    /** The file's text, or null when it does not exist. */
    static String text(Path file) {
        try {
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            // ENODEV and friends: the cgroup is being removed.
            if (!Files.exists(file)) {
                return null;
            }
            throw new UncheckedIOException(e);
        }
    }

    /** A file holding one number, or {@code "max"} ({@link CgroupSample#UNLIMITED}); {@code absent} when missing. */
    static long single(Path file, long absent) {
        String t = text(file);
        if (t == null || t.isBlank()) {
            return absent;
        }
        String v = t.strip();
        return v.equals("max") ? CgroupSample.UNLIMITED : Long.parseLong(v);
    }

    /** A flat keyed file ({@code key value} per line), in file order; empty when missing. */
    static Map<String, Long> keyed(Path file) {
        Map<String, Long> out = new LinkedHashMap<>();
        String t = text(file);
        if (t == null) {
            return out;
        }
        for (String line : t.split("\n")) {
            int sp = line.indexOf(' ');
            if (sp > 0) {
                try {
                    out.put(line.substring(0, sp), Long.parseLong(line.substring(sp + 1).strip()));
                } catch (NumberFormatException e) {
                    // A key whose value is not a number (some kernels add such lines) is skipped.
                }
            }
        }
        return out;
    }

    /** Whitespace-separated numbers, as {@code cpuacct.usage_percpu}; empty when missing. */
    static long[] numbers(Path file) {
        String t = text(file);
        if (t == null || t.isBlank()) {
            return new long[0];
        }
        String[] parts = t.strip().split("\\s+");
        long[] out = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = Long.parseLong(parts[i]);
        }
        return out;
    }

    /** Splits {@code MAJOR:MINOR}; null when {@code s} is not one. */
    static int[] device(String s) {
        int colon = s.indexOf(':');
        if (colon <= 0) {
            return null;
        }
        try {
            return new int[] {Integer.parseInt(s.substring(0, colon)), Integer.parseInt(s.substring(colon + 1))};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** A value of a keyed map, 0 when absent. */
    static long get(Map<String, Long> m, String key) {
        Long v = m.get(key);
        return v == null ? 0 : v;
    }

    static List<String> lines(Path file) {
        String t = text(file);
        List<String> out = new ArrayList<>();
        if (t != null) {
            for (String line : t.split("\n")) {
                if (!line.isBlank()) {
                    out.add(line.strip());
                }
            }
        }
        return out;
    }
}
