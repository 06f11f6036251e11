package io.berth.daemon.runtime.spec;

import io.berth.errors.EngineException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A container process's user, resolved as Docker does from {@code USER[:GROUP]} against the
 * container's own {@code /etc/passwd} and {@code /etc/group}: names or numeric ids, and the
 * supplementary groups that list the user.
 */
public record ProcessUser(int uid, int gid, List<Integer> additionalGids, String home) {

    public ProcessUser {
        additionalGids = List.copyOf(additionalGids);
    }

    /**
     * Resolves {@code spec} ("", "0", "1000:1000", "nobody", "app:staff") inside {@code rootfs}.
     *
     * @throws EngineException INVALID_ARGUMENT when a name is not in the container's files
     */
    public static ProcessUser resolve(Path rootfs, String spec) {
        String user = spec == null || spec.isEmpty() ? "0" : spec;
        String group = null;
        int colon = user.indexOf(':');
        if (colon >= 0) {
            group = user.substring(colon + 1);
            user = user.substring(0, colon);
        }
        List<String[]> passwd = read(rootfs, "etc/passwd");
        List<String[]> groups = read(rootfs, "etc/group");
        int uid;
        int gid = 0;
        String name = null;
        String home = "/";
        String[] entry = find(passwd, user);
        if (entry != null && entry.length >= 4) {
            name = entry[0];
            uid = parse(entry[2]);
            gid = parse(entry[3]);
            home = entry.length > 5 && !entry[5].isEmpty() ? entry[5] : "/";
        } else if (isNumber(user)) {
            uid = Integer.parseInt(user);
        } else {
            throw EngineException.invalid("unable to find user " + user + ": no matching entries in passwd file");
        }
        if (group != null && !group.isEmpty()) {
            String[] g = find(groups, group);
            if (g != null && g.length >= 3) {
                gid = parse(g[2]);
            } else if (isNumber(group)) {
                gid = Integer.parseInt(group);
            } else {
                throw EngineException.invalid("unable to find group " + group + ": no matching entries in group file");
            }
        }
        List<Integer> extra = new ArrayList<>();
        if (name != null) {
            for (String[] g : groups) {
                if (g.length >= 4 && List.of(g[3].split(",")).contains(name)) {
                    int id = parse(g[2]);
                    if (id != gid && !extra.contains(id)) {
                        extra.add(id);
                    }
                }
            }
        }
        return new ProcessUser(uid, gid, extra, home);
    }

    private static String[] find(List<String[]> entries, String nameOrId) {
        for (String[] e : entries) {
            if (e.length >= 3 && e[0].equals(nameOrId)) {
                return e;
            }
        }
        if (isNumber(nameOrId)) {
            for (String[] e : entries) {
                if (e.length >= 3 && e[2].equals(nameOrId)) {
                    return e;
                }
            }
        }
        return null;
    }

    private static List<String[]> read(Path rootfs, String file) {
        // The file belongs to the container: never follow a link out of its root.
        Path p = rootfs.resolve(file);
        try {
            if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                return List.of();
            }
            List<String[]> out = new ArrayList<>();
            for (String line : Files.readAllLines(p)) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    out.add(line.split(":", -1));
                }
            }
            return out;
        } catch (IOException e) {
            return List.of();
        }
    }

    private static boolean isNumber(String s) {
        return !s.isEmpty() && s.chars().allMatch(Character::isDigit) && s.length() < 10;
    }

    private static int parse(String s) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
