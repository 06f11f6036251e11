package io.berth.daemon.container;

import io.berth.errors.EngineException;
import java.util.Locale;
import java.util.Map;

/** Signal names and numbers as Docker accepts them: {@code SIGTERM}, {@code TERM}, {@code 15}. */
public final class Signals {

    public static final int SIGKILL = 9;
    public static final int SIGTERM = 15;

    private static final Map<String, Integer> NUMBERS = Map.ofEntries(
            Map.entry("HUP", 1), Map.entry("INT", 2), Map.entry("QUIT", 3), Map.entry("ILL", 4),
            Map.entry("TRAP", 5), Map.entry("ABRT", 6), Map.entry("IOT", 6), Map.entry("BUS", 7),
            Map.entry("FPE", 8), Map.entry("KILL", 9), Map.entry("USR1", 10), Map.entry("SEGV", 11),
            Map.entry("USR2", 12), Map.entry("PIPE", 13), Map.entry("ALRM", 14), Map.entry("TERM", 15),
            Map.entry("STKFLT", 16), Map.entry("CHLD", 17), Map.entry("CONT", 18), Map.entry("STOP", 19),
            Map.entry("TSTP", 20), Map.entry("TTIN", 21), Map.entry("TTOU", 22), Map.entry("URG", 23),
            Map.entry("XCPU", 24), Map.entry("XFSZ", 25), Map.entry("VTALRM", 26), Map.entry("PROF", 27),
            Map.entry("WINCH", 28), Map.entry("IO", 29), Map.entry("POLL", 29), Map.entry("PWR", 30),
            Map.entry("SYS", 31));

    private Signals() {}

    /** The name of signal {@code n} as Docker writes it ({@code SIGTERM}), or {@code signal N} for an unnamed one. */
    public static String name(int n) {
        String found = null;
        for (Map.Entry<String, Integer> e : NUMBERS.entrySet()) {
            // IOT and POLL are aliases of ABRT and IO.
            if (e.getValue() == n && (found == null || found.equals("IOT") || found.equals("POLL"))) {
                found = e.getKey();
            }
        }
        return found == null ? "signal " + n : "SIG" + found;
    }

    /**
     * The number of a signal given by name or number.
     *
     * @throws EngineException INVALID_ARGUMENT for anything else
     */
    public static int parse(String s) {
        if (s == null || s.isEmpty()) {
            return 9;
        }
        String name = s.toUpperCase(Locale.ROOT);
        if (name.chars().allMatch(Character::isDigit)) {
            int n = Integer.parseInt(name);
            if (n < 1 || n > 64) {
                throw EngineException.invalid("Invalid signal: " + s);
            }
            return n;
        }
        if (name.startsWith("SIG")) {
            name = name.substring(3);
        }
        if (name.startsWith("RTMIN") || name.startsWith("RTMAX")) {
            throw EngineException.invalid("Invalid signal: " + s);
        }
        Integer n = NUMBERS.get(name);
        if (n == null) {
            throw EngineException.invalid("Invalid signal: " + s);
        }
        return n;
    }
}
