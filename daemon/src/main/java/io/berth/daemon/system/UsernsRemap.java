package io.berth.daemon.system;

import io.berth.daemon.os.HostCommand;
import io.berth.daemon.os.IdMap;
import io.berth.daemon.os.SubIds;
import io.berth.errors.EngineException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * Turns daemon.json's {@code userns-remap} ({@code default}, {@code USER}, {@code USER:GROUP}, a
 * uid or {@code uid:gid}) into the id ranges containers get, read from /etc/subuid and /etc/subgid
 * as dockerd reads them. {@code default} is the user {@code dockremap}, created with a free range
 * of 65536 ids when missing. Blocking; runs host tools.
 */
public final class UsernsRemap {

    public static final String DEFAULT_USER = "dockremap";

    private final Path subuid;
    private final Path subgid;

    public UsernsRemap(Path subuid, Path subgid) {
        this.subuid = subuid;
        this.subgid = subgid;
    }

    public static UsernsRemap host() {
        return new UsernsRemap(Path.of("/etc/subuid"), Path.of("/etc/subgid"));
    }

    /**
     * The ranges of {@code setting}; {@link IdMap#NONE} when it is empty. With {@code create} the
     * default user is made if missing (the daemon's start); without it (offline tools) it must exist.
     */
    public IdMap resolve(String setting, boolean create) throws IOException {
        if (setting == null || setting.isEmpty()) {
            return IdMap.NONE;
        }
        String[] parts = setting.split(":", -1);
        if (parts.length > 2 || parts[0].isEmpty() || (parts.length == 2 && parts[1].isEmpty())) {
            throw EngineException.invalid("userns-remap: invalid value \"" + setting + "\": want default, USER or USER:GROUP");
        }
        boolean dflt = setting.equals("default");
        String userRef = dflt ? DEFAULT_USER : parts[0];
        String[] user = lookup("passwd", userRef);
        if (user == null && dflt && create) {
            createDefaultUser();
            user = lookup("passwd", userRef);
        }
        if (user == null) {
            throw EngineException.invalid("userns-remap: user \"" + userRef + "\" does not exist");
        }
        String groupRef = parts.length == 2 ? parts[1] : user[0];
        String[] group = lookup("group", groupRef);
        if (group == null) {
            throw EngineException.invalid("userns-remap: group \"" + groupRef + "\" does not exist");
        }
        if (user[2].equals("0")) {
            throw EngineException.invalid("userns-remap: root cannot be remapped with itself");
        }
        List<IdMap.Range> uids = SubIds.ranges(read(subuid), user[0], Long.parseLong(user[2]));
        if (uids.isEmpty()) {
            throw EngineException.invalid("userns-remap: no subuid ranges found for user \"" + user[0] + "\" in " + subuid);
        }
        List<IdMap.Range> gids = SubIds.ranges(read(subgid), group[0], Long.parseLong(group[2]));
        if (gids.isEmpty()) {
            throw EngineException.invalid("userns-remap: no subgid ranges found for group \"" + group[0] + "\" in " + subgid);
        }
        return new IdMap(uids, gids);
    }

    /** As dockerd: a system user without a login shell, then a free subordinate range if it has none. */
    private void createDefaultUser() throws IOException {
        HostCommand.run("useradd", "--system", "--shell", "/bin/false", "--no-create-home", "--user-group", DEFAULT_USER);
        if (SubIds.ranges(read(subuid), DEFAULT_USER, -1).isEmpty()) {
            long start = SubIds.freeStart(read(subuid), SubIds.SIZE);
            HostCommand.run("usermod", "--add-subuids", start + "-" + (start + SubIds.SIZE - 1), DEFAULT_USER);
        }
        if (SubIds.ranges(read(subgid), DEFAULT_USER, -1).isEmpty()) {
            long start = SubIds.freeStart(read(subgid), SubIds.SIZE);
            HostCommand.run("usermod", "--add-subgids", start + "-" + (start + SubIds.SIZE - 1), DEFAULT_USER);
        }
    }

    /** The {@code getent} fields of a passwd or group entry, or null when there is none. */
    private static String[] lookup(String db, String key) throws IOException {
        Process p = new ProcessBuilder("getent", db, key).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        try {
            p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted looking up " + key, e);
        }
        if (p.exitValue() != 0 || out.isEmpty()) {
            return null;
        }
        String[] f = out.split("\n")[0].split(":", -1);
        return f.length >= 3 ? f : null;
    }

    private static String read(Path p) throws IOException {
        return Files.exists(p) ? Files.readString(p) : "";
    }

    /**
     * Makes the data root of a remapping daemon, {@code ROOT/UID.GID} as dockerd names it (owned by
     * root and the remapped root's group, 0710), and returns it; returns {@code root} itself without
     * remapping. runc sets up the root file system inside the user namespace, so the remapped root
     * must be able to walk down to it: {@code root} becomes 0711 and a parent that does not let it
     * pass fails the start now rather than every container's.
     */
    public static Path prepareRoot(Path root, IdMap ids) throws IOException {
        if (!ids.remapped()) {
            return root;
        }
        Path abs = root.toAbsolutePath().normalize();
        for (Path p = abs.getParent(); p != null && p.getParent() != null; p = p.getParent()) {
            if (!traversable(p, ids)) {
                throw EngineException.invalid("a directory in the data root's path (" + p + ") does not let the remapped"
                        + " root (" + ids.rootUid() + ":" + ids.rootGid() + ") pass; allow o+x on it");
            }
        }
        Files.createDirectories(abs);
        Files.setPosixFilePermissions(abs, PosixFilePermissions.fromString("rwx--x--x"));
        Path remapped = remappedRoot(abs, ids);
        Files.createDirectories(remapped);
        Files.setAttribute(remapped, "unix:gid", (int) ids.rootGid());
        Files.setPosixFilePermissions(remapped, PosixFilePermissions.fromString("rwx--x---"));
        return remapped;
    }

    /** Where a daemon with {@code ids} keeps its state under {@code root}: {@code root/UID.GID}, or {@code root} itself. */
    public static Path remappedRoot(Path root, IdMap ids) {
        return ids.remapped() ? root.resolve(ids.rootUid() + "." + ids.rootGid()) : root;
    }

    private static boolean traversable(Path dir, IdMap ids) throws IOException {
        int mode = (Integer) Files.getAttribute(dir, "unix:mode");
        int uid = (Integer) Files.getAttribute(dir, "unix:uid");
        int gid = (Integer) Files.getAttribute(dir, "unix:gid");
        return (mode & 01) != 0 || (uid == ids.rootUid() && (mode & 0100) != 0) || (gid == ids.rootGid() && (mode & 010) != 0);
    }
}
