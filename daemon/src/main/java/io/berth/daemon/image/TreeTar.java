package io.berth.daemon.image;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import io.berth.daemon.os.IdMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * File trees as tar streams and overlayfs upper directories as image layers: {@code docker export}
 * writes a container's whole root file system, {@code docker commit} writes the upper directory with
 * overlayfs whiteouts (0:0 character devices, the opaque xattr) turned into the AUFS-style entries
 * of Docker's layer format ({@code .wh.name}, {@code .wh..wh..opq}), and {@code docker diff} lists
 * the same walk as changes. Hard links are kept as links, device nodes and FIFOs as themselves,
 * sockets are left out as tar has no type for them. Blocking.
 */
public final class TreeTar {

    private static final String OPAQUE = ".wh..wh..opq";
    private static final String WHITEOUT = ".wh.";
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;
    private static final int S_IFLNK = 0120000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFBLK = 0060000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFIFO = 0010000;

    /** What {@code docker diff} reports for a path, with Docker's kind numbers. */
    public enum Kind {
        MODIFIED, ADDED, DELETED
    }

    /** One line of {@code docker diff}. */
    public record Change(String path, Kind kind) {}

    private final TarArchiveOutputStream tar;
    private final IdMap ids;
    private final Map<String, String> linked = new HashMap<>();

    private TreeTar(OutputStream out, IdMap ids) {
        this.ids = ids;
        tar = new TarArchiveOutputStream(out);
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    }

    /**
     * Writes the tree under {@code root} as a tar with entries relative to it, as {@code docker export};
     * owners as the container sees them through {@code ids}.
     */
    public static void export(Path root, OutputStream out, IdMap ids) throws IOException {
        TreeTar t = new TreeTar(out, ids);
        for (Path child : children(root)) {
            t.tree(child, child.getFileName().toString());
        }
        t.tar.finish();
    }

    /**
     * Writes the overlayfs upper directory {@code upper} as a layer tar: exactly the paths
     * {@link #changes} lists, deletions as whiteout entries and opaque directories with their marker;
     * owners as the container sees them through {@code ids}.
     */
    public static void layer(Path upper, List<Path> lowers, Set<String> skip, OutputStream out, IdMap ids)
            throws IOException {
        TreeTar t = new TreeTar(out, ids);
        for (Change c : changes(upper, lowers, skip)) {
            String name = c.path().substring(1);
            Path p = upper.resolve(name);
            if (c.kind() == Kind.DELETED) {
                int slash = name.lastIndexOf('/');
                t.marker(p, name.substring(0, slash + 1) + WHITEOUT + name.substring(slash + 1));
                continue;
            }
            int mode = mode(p);
            t.entry(p, name, mode);
            if ((mode & S_IFMT) == S_IFDIR && isOpaque(p)) {
                t.marker(p, name + "/" + OPAQUE);
            }
        }
        t.tar.finish();
    }

    /** An empty entry that only marks something for the layer below: a whiteout or an opaque directory. */
    private void marker(Path p, String name) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setMode(S_IFREG);
        e.setModTime(Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS));
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
    }

    /** The changes in {@code upper} over {@code lowers}, as {@code docker diff} lists them, sorted by path. */
    public static List<Change> changes(Path upper, List<Path> lowers, Set<String> skip) throws IOException {
        List<Change> out = new ArrayList<>();
        for (Path child : children(upper)) {
            changes(child, "/" + child.getFileName(), lowers, skip, out);
        }
        return out;
    }

    private static boolean changes(Path p, String path, List<Path> lowers, Set<String> skip, List<Change> out)
            throws IOException {
        if (skip.contains(path)) {
            return false;
        }
        int mode = mode(p);
        if (isWhiteout(p, mode)) {
            out.add(new Change(path, Kind.DELETED));
            return true;
        }
        boolean below = inLowers(lowers, path);
        if ((mode & S_IFMT) != S_IFDIR || !below || isOpaque(p)) {
            out.add(new Change(path, below ? Kind.MODIFIED : Kind.ADDED));
            if ((mode & S_IFMT) == S_IFDIR) {
                for (Path child : children(p)) {
                    changes(child, path + "/" + child.getFileName(), lowers, skip, out);
                }
            }
            return true;
        }
        // A directory copied up only because something under it changed: shown if something is.
        int at = out.size();
        boolean any = false;
        for (Path child : children(p)) {
            any |= changes(child, path + "/" + child.getFileName(), lowers, skip, out);
        }
        if (any) {
            out.add(at, new Change(path, Kind.MODIFIED));
        }
        return any;
    }

    private void tree(Path p, String name) throws IOException {
        int mode = mode(p);
        entry(p, name, mode);
        if ((mode & S_IFMT) == S_IFDIR) {
            for (Path child : children(p)) {
                tree(child, name + "/" + child.getFileName());
            }
        }
    }

    /** One entry for {@code p} (not its children). */
    private void entry(Path p, String name, int mode) throws IOException {
        Map<String, Object> a = Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS);
        int type = mode & S_IFMT;
        if (type == S_IFSOCK) {
            return;
        }
        TarArchiveEntry e;
        boolean content = false;
        switch (type) {
            case S_IFDIR -> e = new TarArchiveEntry(name + "/");
            case S_IFLNK -> {
                e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
                e.setLinkName(Files.readSymbolicLink(p).toString());
            }
            case S_IFIFO -> e = new TarArchiveEntry(name, TarConstants.LF_FIFO);
            case S_IFCHR, S_IFBLK -> {
                e = new TarArchiveEntry(name, type == S_IFCHR ? TarConstants.LF_CHR : TarConstants.LF_BLK);
                long rdev = ((Number) a.get("rdev")).longValue();
                e.setDevMajor((int) (((rdev >> 8) & 0xfff) | ((rdev >> 32) & ~0xfff)));
                e.setDevMinor((int) ((rdev & 0xff) | ((rdev >> 12) & ~0xff)));
            }
            default -> {
                String key = a.get("dev") + ":" + a.get("ino");
                String first = ((Number) a.get("nlink")).intValue() > 1 ? linked.putIfAbsent(key, name) : null;
                if (first != null) {
                    e = new TarArchiveEntry(name, TarConstants.LF_LINK);
                    e.setLinkName(first);
                } else {
                    e = new TarArchiveEntry(name);
                    e.setSize(((Number) a.get("size")).longValue());
                    content = true;
                }
            }
        }
        e.setMode(mode & 07777 | type);
        e.setIds((int) ids.containerUid(((Number) a.get("uid")).longValue()),
                (int) ids.containerGid(((Number) a.get("gid")).longValue()));
        e.setModTime((FileTime) a.get("lastModifiedTime"));
        tar.putArchiveEntry(e);
        if (content) {
            Files.copy(p, tar);
        }
        tar.closeArchiveEntry();
    }

    private static int mode(Path p) throws IOException {
        return ((Number) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS)).intValue();
    }

    private static boolean isWhiteout(Path p, int mode) throws IOException {
        return (mode & S_IFMT) == S_IFCHR
                && ((Number) Files.getAttribute(p, "unix:rdev", LinkOption.NOFOLLOW_LINKS)).longValue() == 0;
    }

    private static boolean isOpaque(Path p) throws IOException {
        byte[] v = NativeFs.get().getXattr(p, "trusted.overlay.opaque");
        return v != null && v.length == 1 && v[0] == 'y';
    }

    private static boolean inLowers(List<Path> lowers, String path) {
        for (Path lower : lowers) {
            if (Files.exists(lower.resolve(path.substring(1)), LinkOption.NOFOLLOW_LINKS)) {
                return true;
            }
        }
        return false;
    }

    private static List<Path> children(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            s.forEach(out::add);
        } catch (NoSuchFileException e) {
            return out;
        }
        out.sort(null);
        return out;
    }
}
