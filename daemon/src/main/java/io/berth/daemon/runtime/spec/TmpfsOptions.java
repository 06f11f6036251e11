package io.berth.daemon.runtime.spec;

import io.berth.errors.EngineException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The mount options of a container's tmpfs ({@code --tmpfs}, {@code --mount type=tmpfs}): which
 * ones are accepted, and how the user's are laid over Docker's defaults ({@code noexec,nosuid,nodev},
 * private propagation), the later of two conflicting options winning as with mount(8). Checking them
 * at create turns a typo into a 400 instead of a failed start.
 */
public final class TmpfsOptions {

    private static final List<String> DEFAULTS = List.of("noexec", "nosuid", "nodev", "rprivate");

    /** Flags with a {@code no} form; the flag names its group. */
    private static final Set<String> NEGATABLE = Set.of("exec", "suid", "dev", "diratime", "mand", "lazytime",
            "atime", "relatime", "strictatime");
    private static final Set<String> ATIME = Set.of("atime", "relatime", "strictatime");
    private static final Set<String> PROPAGATION = Set.of("private", "rprivate", "shared", "rshared", "slave",
            "rslave", "unbindable", "runbindable");
    private static final Pattern SIZE = Pattern.compile("[0-9]+[kKmMgGtTpPeE%]?");
    private static final Pattern NUMBER = Pattern.compile("[0-9]+[kKmMgG]?");
    private static final Pattern MODE = Pattern.compile("[0-7]{1,4}");
    private static final Pattern ID = Pattern.compile("[0-9]+");
    private static final Set<String> HUGE = Set.of("never", "always", "within_size", "advise", "deny", "force");

    private TmpfsOptions() {}

    /** {@code option} if tmpfs takes it, else Docker's 400. */
    public static String check(String option) {
        if (group(option) == null) {
            throw EngineException.invalid("invalid tmpfs option \"" + option + "\"");
        }
        return option;
    }

    /** The options to mount with: the defaults, then the user's {@code options} (comma separated) over them. */
    public static List<String> merge(String options) {
        Map<String, String> byGroup = new LinkedHashMap<>();
        List<String> all = new ArrayList<>(DEFAULTS);
        for (String o : options.split(",")) {
            if (!o.isEmpty()) {
                all.add(o);
            }
        }
        for (String o : all) {
            String g = group(check(o));
            // re-inserting moves a group to where its winning option was given
            byGroup.remove(g);
            byGroup.put(g, o);
        }
        return List.copyOf(byGroup.values());
    }

    /** The group of options {@code o} conflicts with, or null if tmpfs does not take it. */
    private static String group(String o) {
        int eq = o.indexOf('=');
        if (eq >= 0) {
            String key = o.substring(0, eq);
            String value = o.substring(eq + 1);
            Pattern valid = switch (key) {
                case "size" -> SIZE;
                case "nr_blocks", "nr_inodes" -> NUMBER;
                case "mode" -> MODE;
                case "uid", "gid" -> ID;
                case "mpol" -> Pattern.compile("(default|prefer|bind|interleave|local)(:[0-9,-]+)?");
                case "huge" -> null;
                default -> Pattern.compile("(?!)");
            };
            boolean ok = valid == null ? HUGE.contains(value) : valid.matcher(value).matches();
            return ok ? key : null;
        }
        if (o.equals("ro") || o.equals("rw")) {
            return "rw";
        }
        if (o.equals("sync") || o.equals("async")) {
            return "sync";
        }
        if (PROPAGATION.contains(o)) {
            return "propagation";
        }
        String flag = o.startsWith("no") ? o.substring(2) : o;
        if (ATIME.contains(flag)) {
            return "atime";
        }
        return NEGATABLE.contains(flag) ? flag : null;
    }
}
