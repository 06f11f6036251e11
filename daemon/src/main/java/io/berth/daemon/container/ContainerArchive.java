package io.berth.daemon.container;

import io.berth.daemon.os.IdMap;
import io.berth.errors.EngineException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * {@code docker cp}: stats, reads and writes paths of a container's file system as tar streams.
 * Paths are resolved inside the container's root as the container would see them: symbolic links are
 * followed relative to that root and never out of it, and the files Berth bind-mounts (hostname,
 * hosts, resolv.conf) are served from where they really are. Blocking.
 */
public final class ContainerArchive {

    /** Go's os.FileMode bits, which Docker's path stat uses. */
    private static final long MODE_DIR = 1L << 31;
    private static final long MODE_SYMLINK = 1L << 27;
    private static final long MODE_NAMED_PIPE = 1L << 25;
    private static final int MAX_LINKS = 40;

    /** What Docker's {@code X-Docker-Container-Path-Stat} header says about a path. */
    public record PathStat(String name, long size, long mode, String mtime, String linkTarget) {
        public String header() {
            JsonObject o = new JsonObject().put("name", name).put("size", size).put("mode", mode).put("mtime", mtime)
                    .put("linkTarget", linkTarget);
            return Base64.getEncoder().encodeToString(o.encode().getBytes(StandardCharsets.UTF_8));
        }
    }

    private final ContainerPaths paths;
    private final IdMap ids;

    /** @param ids how owners in the container map to the host's: archives carry the container's view */
    public ContainerArchive(ContainerPaths paths, IdMap ids) {
        this.paths = paths;
        this.ids = ids;
    }

    /** The host path of {@code containerPath}, following links inside the root except the last one. */
    Path resolve(String id, String containerPath) throws IOException {
        if (containerPath == null || containerPath.isEmpty()) {
            throw EngineException.invalid("path is required");
        }
        Path mounted = bindMount(id, containerPath);
        if (mounted != null) {
            return mounted;
        }
        Path root = paths.rootfs(id);
        List<String> todo = new ArrayList<>(List.of(containerPath.split("/")));
        List<String> done = new ArrayList<>();
        int links = 0;
        while (!todo.isEmpty()) {
            String part = todo.remove(0);
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!done.isEmpty()) {
                    done.remove(done.size() - 1);
                }
                continue;
            }
            Path candidate = join(root, done).resolve(part);
            if (!todo.isEmpty() && Files.isSymbolicLink(candidate)) {
                if (++links > MAX_LINKS) {
                    throw EngineException.invalid("too many levels of symbolic links in " + containerPath);
                }
                String target = Files.readSymbolicLink(candidate).toString();
                List<String> rest = new ArrayList<>(List.of(target.split("/")));
                rest.addAll(todo);
                todo = rest;
                if (target.startsWith("/")) {
                    done.clear();
                }
                continue;
            }
            done.add(part);
        }
        return join(root, done);
    }

    private Path bindMount(String id, String containerPath) {
        String normalized = Path.of("/", containerPath).normalize().toString();
        Map<String, Path> binds = Map.of("/etc/hostname", paths.hostname(id), "/etc/hosts", paths.hosts(id),
                "/etc/resolv.conf", paths.resolvConf(id));
        return binds.get(normalized);
    }

    private static Path join(Path root, List<String> parts) {
        Path p = root;
        for (String s : parts) {
            p = p.resolve(s);
        }
        return p;
    }

    /** {@code HEAD /containers/{id}/archive}. */
    public PathStat stat(String id, String containerPath) throws IOException {
        Path p = resolve(id, containerPath);
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            throw EngineException.notFound("Could not find the file " + containerPath + " in container " + id);
        }
        PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        long mode = permBits(a.permissions());
        String link = "";
        if (a.isDirectory()) {
            mode |= MODE_DIR;
        } else if (a.isSymbolicLink()) {
            mode |= MODE_SYMLINK;
            link = Files.readSymbolicLink(p).toString();
        } else if (a.isOther()) {
            mode |= MODE_NAMED_PIPE;
        }
        String name = Path.of(containerPath).getFileName() == null ? "/" : Path.of(containerPath).getFileName().toString();
        return new PathStat(name, a.size(), mode, a.lastModifiedTime().toInstant().toString(), link);
    }

    /** {@code GET /containers/{id}/archive}: the path as a tar whose top entry is its base name. */
    public void read(String id, String containerPath, OutputStream out) throws IOException {
        PathStat st = stat(id, containerPath);
        Path p = resolve(id, containerPath);
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            add(tar, p, st.name().equals("/") ? "." : st.name());
            tar.finish();
        }
    }

    private void add(TarArchiveOutputStream tar, Path p, String name) throws IOException {
        PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        TarArchiveEntry e;
        if (a.isSymbolicLink()) {
            e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
            e.setLinkName(Files.readSymbolicLink(p).toString());
        } else if (a.isDirectory()) {
            e = new TarArchiveEntry(name + "/");
        } else if (a.isRegularFile()) {
            e = new TarArchiveEntry(name);
            e.setSize(a.size());
        } else {
            return;
        }
        e.setMode((int) permBits(a.permissions()) | (a.isDirectory() ? 040000 : a.isSymbolicLink() ? 0120000 : 0100000));
        e.setModTime(a.lastModifiedTime());
        e.setIds((int) ids.containerUid(((Number) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue()),
                (int) ids.containerGid(((Number) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS)).longValue()));
        tar.putArchiveEntry(e);
        if (a.isRegularFile()) {
            Files.copy(p, tar);
        }
        tar.closeArchiveEntry();
        if (a.isDirectory()) {
            try (DirectoryStream<Path> children = Files.newDirectoryStream(p)) {
                List<Path> sorted = new ArrayList<>();
                children.forEach(sorted::add);
                sorted.sort(null);
                for (Path c : sorted) {
                    add(tar, c, name + "/" + c.getFileName());
                }
            }
        }
    }

    /**
     * {@code PUT /containers/{id}/archive}: extracts a tar into the directory {@code containerPath}.
     * Entries may not leave it ({@code ..}, absolute names, writing through links); without
     * {@code copyUidGid} the files belong to the container's root, as with Docker.
     */
    public void write(String id, String containerPath, InputStream in, boolean copyUidGid) throws IOException {
        Path dir = resolve(id, containerPath);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                throw EngineException.notFound("Could not find the file " + containerPath + " in container " + id);
            }
            throw EngineException.invalid("extraction point is not a directory");
        }
        TarArchiveInputStream tar = new TarArchiveInputStream(in, StandardCharsets.UTF_8.name());
        List<Object[]> dirTimes = new ArrayList<>();
        List<Object[]> modes = new ArrayList<>();
        TarArchiveEntry e;
        while ((e = tar.getNextEntry()) != null) {
            Path target = safeChild(dir, e.getName());
            if (target == null) {
                continue;
            }
            if (e.isDirectory()) {
                if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                    Files.deleteIfExists(target);
                    Files.createDirectory(target);
                }
                dirTimes.add(new Object[] {target, e.getLastModifiedTime()});
            } else if (e.isSymbolicLink()) {
                Files.deleteIfExists(target);
                Files.createSymbolicLink(target, Path.of(e.getLinkName()));
            } else if (e.isFile()) {
                if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                    throw EngineException.invalid("cannot overwrite directory " + e.getName() + " with a file");
                }
                Path tmp = target.resolveSibling(".berth-cp-" + target.getFileName());
                Files.copy(tar, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } else {
                throw EngineException.invalid("tar entry " + e.getName() + " has an unsupported type");
            }
            if (!e.isSymbolicLink()) {
                // Set after the owner: chown clears setuid and setgid.
                modes.add(new Object[] {target, e.getMode() & 07777, e.getLastModifiedTime()});
            }
            Files.setAttribute(target, "unix:uid", (int) ids.hostUid(copyUidGid ? e.getLongUserId() : 0), LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(target, "unix:gid", (int) ids.hostGid(copyUidGid ? e.getLongGroupId() : 0), LinkOption.NOFOLLOW_LINKS);
        }
        for (Object[] m : modes) {
            Files.setAttribute((Path) m[0], "unix:mode", m[1], LinkOption.NOFOLLOW_LINKS);
            Files.setLastModifiedTime((Path) m[0], (FileTime) m[2]);
        }
        for (int i = dirTimes.size() - 1; i >= 0; i--) {
            Files.setLastModifiedTime((Path) dirTimes.get(i)[0], (FileTime) dirTimes.get(i)[1]);
        }
    }

    /** {@code dir/name} if it stays inside {@code dir} without passing through a link; null for {@code .}. */
    private static Path safeChild(Path dir, String name) throws IOException {
        if (name.startsWith("/")) {
            throw EngineException.invalid("tar entry " + name + " has an absolute path");
        }
        Path p = dir;
        String[] parts = name.split("/");
        List<String> kept = new ArrayList<>();
        for (String part : parts) {
            if (part.equals("..")) {
                throw EngineException.invalid("tar entry " + name + " leaves the destination");
            }
            if (!part.isEmpty() && !part.equals(".")) {
                kept.add(part);
            }
        }
        if (kept.isEmpty()) {
            return null;
        }
        for (int i = 0; i < kept.size() - 1; i++) {
            p = p.resolve(kept.get(i));
            if (Files.isSymbolicLink(p) || (Files.exists(p, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))) {
                throw EngineException.invalid("tar entry " + name + " would be written through a link or a file");
            }
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectory(p);
            }
        }
        return p.resolve(kept.get(kept.size() - 1));
    }

    private static long permBits(Set<PosixFilePermission> perms) {
        long m = 0;
        for (PosixFilePermission p : perms) {
            m |= 1L << (8 - p.ordinal());
        }
        return m;
    }

}
