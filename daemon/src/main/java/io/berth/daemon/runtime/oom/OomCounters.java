package io.berth.daemon.runtime.oom;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Pure parser for the cgroup "flat keyed" counter files the OOM monitors read: lines of
 * {@code <key> <unsigned decimal>}. Both v1's {@code memory.oom_control} ({@code oom_kill_disable},
 * {@code under_oom}, {@code oom_kill}) and v2's {@code memory.events} ({@code low}, {@code high},
 * {@code max}, {@code oom}, {@code oom_kill}, ...) have this shape and carry {@code oom_kill}.
 * Keys not known today are kept, since kernels add counters over time.
 */
final class OomCounters {
    static final String OOM_KILL = "oom_kill";

    private OomCounters() {}

    /**
     * The counters in {@code text}, in file order.
     *
     * @throws IllegalArgumentException for a line that is not a key, one space and a decimal that
     *                                  fits a long, or a key given twice
     */
    static Map<String, Long> parse(String text) {
        Map<String, Long> counters = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty()) {
                continue; // the file's final newline
            }
            int space = line.indexOf(' ');
            if (space <= 0 || space != line.lastIndexOf(' ') || space == line.length() - 1) {
                throw new IllegalArgumentException("not \"<key> <count>\": \"" + line + "\"");
            }
            String key = line.substring(0, space);
            if (counters.put(key, count(line, line.substring(space + 1))) != null) {
                throw new IllegalArgumentException("\"" + key + "\" given twice");
            }
        }
        return counters;
    }

    /**
     * The {@code oom_kill} counter of {@code text}: the OOM kills in the cgroup since it was made.
     *
     * @throws IllegalArgumentException when {@code text} is malformed or has no {@code oom_kill}
     */
    static long oomKill(String text) {
        Long kills = parse(text).get(OOM_KILL);
        if (kills == null) {
            throw new IllegalArgumentException("no " + OOM_KILL + " counter");
        }
        return kills;
    }

    private static long count(String line, String digits) {
        // Long.parseLong would also take a sign, which no kernel counter has.
        for (int i = 0; i < digits.length(); i++) {
            if (digits.charAt(i) < '0' || digits.charAt(i) > '9') {
                throw new IllegalArgumentException("not an unsigned count: \"" + line + "\"");
            }
        }
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("count out of range: \"" + line + "\"", e);
        }
    }
}
