package io.berth.daemon.os;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Reads /etc/subuid and /etc/subgid ({@code NAME:START:COUNT} per line, see subuid(5)) and finds
 * room in them for a new user, as {@code userns-remap=default} needs for {@code dockremap}. Pure.
 */
public final class SubIds {

    /** Where dockerd starts looking for a free range, and how many ids it gives. */
    public static final long FIRST = 100_000;
    public static final long SIZE = 65_536;

    private SubIds() {}

    /**
     * The ranges of the user {@code name} (lines naming it or its numeric {@code id}), in file order,
     * mapped to consecutive container ids from 0 as dockerd maps them.
     */
    public static List<IdMap.Range> ranges(String file, String name, long id) {
        List<IdMap.Range> out = new ArrayList<>();
        long next = 0;
        for (long[] r : entries(file, name, String.valueOf(id))) {
            out.add(new IdMap.Range(next, r[0], r[1]));
            next += r[1];
        }
        return out;
    }

    /** The first start at or above {@link #FIRST} where {@code size} ids overlap nobody's range. */
    public static long freeStart(String file, long size) {
        List<long[]> taken = entries(file, null, null);
        taken.sort(Comparator.comparingLong(r -> r[0]));
        long start = FIRST;
        for (long[] r : taken) {
            if (r[0] + r[1] <= start) {
                continue;
            }
            if (r[0] >= start + size) {
                break;
            }
            start = r[0] + r[1];
        }
        return start;
    }

    /** {@code [start, count]} of the well-formed lines for {@code name} or {@code id}, or all of them when both are null. */
    private static List<long[]> entries(String file, String name, String id) {
        List<long[]> out = new ArrayList<>();
        for (String line : file.split("\n")) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            String[] f = l.split(":");
            if (f.length != 3 || (name != null && !f[0].equals(name) && !f[0].equals(id))) {
                continue;
            }
            try {
                long start = Long.parseLong(f[1]);
                long count = Long.parseLong(f[2]);
                if (start >= 0 && count > 0) {
                    out.add(new long[] {start, count});
                }
            } catch (NumberFormatException e) {
                // subuid(5) has no escapes: a line that is not NAME:START:COUNT is someone else's typo
            }
        }
        return out;
    }
}
