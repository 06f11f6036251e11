package io.berth.daemon.events;

import io.berth.errors.EngineException;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code since} and {@code until} of {@code /events}, in nanoseconds since the epoch.
 *
 * <p>The docker CLI turns {@code --since 10m} or an RFC 3339 time into seconds with an optional
 * fraction ({@code 1795394433.514365519}) before it sends them, and that is what dockerd accepts.
 * For clients that talk to the API directly, an RFC 3339 time (with or without a zone; the daemon's
 * zone when it has none), a date, or a Go duration counted back from now are accepted too.
 */
public final class EventTimes {

    /** No {@code since}: everything. */
    public static final long NO_SINCE = Long.MIN_VALUE;

    /** No {@code until}: forever. */
    public static final long NO_UNTIL = Long.MAX_VALUE;

    private static final Pattern DURATION = Pattern.compile("([0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(ns|us|µs|μs|ms|s|m|h)");
    private static final long[] UNITS = {1, 1_000, 1_000, 1_000, 1_000_000, 1_000_000_000L, 60_000_000_000L,
            3_600_000_000_000L};
    private static final String[] UNIT_NAMES = {"ns", "us", "µs", "μs", "ms", "s", "m", "h"};

    private EventTimes() {}

    /**
     * Parses one parameter.
     *
     * @param name   {@code since} or {@code until}, for the message
     * @param absent what to return for a missing or empty value
     * @param now    the current time in nanoseconds, for durations
     * @throws EngineException INVALID_ARGUMENT with dockerd's message
     */
    public static long parse(String value, String name, long absent, long now, ZoneId zone) {
        if (value == null || value.isEmpty()) {
            return absent;
        }
        Long unix = unix(value);
        if (unix != null) {
            return unix;
        }
        Long ago = duration(value);
        if (ago != null) {
            return now - ago;
        }
        try {
            OffsetDateTime t = OffsetDateTime.parse(value);
            return nanos(t.toEpochSecond(), t.getNano());
        } catch (DateTimeException notOffset) {
            // Try the zone-less forms.
        }
        try {
            var t = LocalDateTime.parse(value).atZone(zone);
            return nanos(t.toEpochSecond(), t.getNano());
        } catch (DateTimeException notLocal) {
            // Try a date.
        }
        try {
            return nanos(LocalDate.parse(value).atStartOfDay(zone).toEpochSecond(), 0);
        } catch (DateTimeException | ArithmeticException notDate) {
            throw invalid(name, value);
        }
    }

    /** Docker's {@code SECONDS[.FRACTION]}, or null when the value is not of that form. */
    private static Long unix(String value) {
        int dot = value.indexOf('.');
        String sec = dot < 0 ? value : value.substring(0, dot);
        String frac = dot < 0 ? "" : value.substring(dot + 1);
        if (!sec.matches("[+-]?[0-9]+") || (dot >= 0 && !frac.matches("[0-9]+"))) {
            return null;
        }
        try {
            long s = Long.parseLong(sec);
            long n = 0;
            if (!frac.isEmpty()) {
                String nine = (frac + "000000000").substring(0, 9);
                n = Long.parseLong(nine);
            }
            return nanos(s, n);
        } catch (NumberFormatException | ArithmeticException e) {
            return null;
        }
    }

    private static long nanos(long seconds, long nanos) {
        return Math.addExact(Math.multiplyExact(seconds, 1_000_000_000L), nanos);
    }

    /** A Go duration ({@code 10m}, {@code 1h30m}, {@code 1.5s}) in nanoseconds, or null. */
    public static Long duration(String value) {
        String s = value;
        boolean negative = false;
        if (s.startsWith("-") || s.startsWith("+")) {
            negative = s.startsWith("-");
            s = s.substring(1);
        }
        Matcher m = DURATION.matcher(s);
        int at = 0;
        double total = 0;
        while (at < s.length()) {
            if (!m.find(at) || m.start() != at) {
                return null;
            }
            total += Double.parseDouble(m.group(1)) * unit(m.group(2));
            at = m.end();
        }
        if (at == 0 || total > Long.MAX_VALUE) {
            return null;
        }
        long n = (long) total;
        return negative ? -n : n;
    }

    private static long unit(String name) {
        for (int i = 0; i < UNIT_NAMES.length; i++) {
            if (UNIT_NAMES[i].equals(name)) {
                return UNITS[i];
            }
        }
        throw new IllegalArgumentException(name);
    }

    /** dockerd's words: it parses seconds, then the fraction, with Go's strconv. */
    private static EngineException invalid(String name, String value) {
        int dot = value.indexOf('.');
        String part = dot < 0 || !value.substring(0, dot).matches("[+-]?[0-9]+") ? (dot < 0 ? value : value.substring(0, dot))
                : value.substring(dot + 1);
        return EngineException.invalid("invalid " + name + " timestamp: strconv.ParseInt: parsing \"" + part
                + "\": invalid syntax");
    }
}
