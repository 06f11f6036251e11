package io.berth.daemon.image;

import io.berth.daemon.os.FileOps;
import io.berth.daemon.os.IdMap;
import io.berth.errors.EngineException;
import io.berth.errors.ErrorKind;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Unpacks one layer tar into an empty directory that overlayfs will mount as a lowerdir. One instance
 * per layer; {@link #unpack} reads the tar once.
 *
 * <p>Nothing in the tar is trusted: paths with {@code ..} or a leading {@code /} are refused, no entry
 * is ever written through a symlink (symlinks are created verbatim, absolute targets included, because
 * they resolve inside the container, never here), hard links must name an earlier entry inside the
 * layer, and device nodes are refused. AUFS-style whiteouts ({@code .wh.name}, {@code .wh..wh..opq})
 * become overlayfs whiteouts. Ownership is kept when running as root, shifted into the host range of
 * a remapping daemon ({@code userns-remap}); modes (setuid/setgid/sticky
 * included) and nanosecond mtimes always, directories' only once their contents are written. PAX
 * xattr records are not restored: commons-compress decodes them as UTF-8, which would corrupt binary
 * values such as file capabilities.
 */
final class LayerUnpacker {
    private static final String WHITEOUT = ".wh.";
    private static final String WHITEOUT_META = ".wh..wh.";
    private static final String OPAQUE = ".wh..wh..opq";
    private static final int MAX_PATH_BYTES = 4096;
    private static final int MAX_NAME_BYTES = 255;
    private static final long MAX_ID = 0xFFFF_FFFEL;
    // utimensat takes nanoseconds in a long: about 292 years either side of 1970.
    private static final long MAX_SECONDS = Long.MAX_VALUE / 1_000_000_000L;

    private final Path root;
    private final IdMap ids;
    private final NativeFs fs = NativeFs.get();
    private final Map<Path, TarArchiveEntry> dirs = new LinkedHashMap<>();
    private final Set<Path> knownDirs = new HashSet<>();
    private long size;

    private LayerUnpacker(Path root, IdMap ids) {
        this.root = root;
        this.ids = ids;
        knownDirs.add(root);
    }

    /**
     * Unpacks the uncompressed {@code tar} into {@code root}, an existing empty directory, and returns
     * the layer's size (the sum of its regular files' sizes, as Docker counts it). Bad content raises
     * INVALID_ARGUMENT; the caller removes {@code root} on any failure.
     */
    static long unpack(InputStream tar, Path root) throws IOException {
        return unpack(tar, root, IdMap.NONE);
    }

    /** As {@link #unpack(InputStream, Path)}, owners mapped through {@code ids}; an id outside them is INVALID. */
    static long unpack(InputStream tar, Path root, IdMap ids) throws IOException {
        LayerUnpacker unpacker = new LayerUnpacker(root, ids);
        TarArchiveInputStream in = new TarArchiveInputStream(tar, StandardCharsets.UTF_8.name());
        for (TarArchiveEntry entry = next(in); entry != null; entry = next(in)) {
            unpacker.apply(entry, in);
        }
        unpacker.finishDirectories();
        return unpacker.size;
    }

    /**
     * Returns a stream of the tar inside {@code in}, decompressing it when it starts with gzip's magic.
     * Closing it releases the decompressor but leaves {@code in} open for its owner.
     */
    static InputStream decompressed(InputStream in) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(new FilterInputStream(in) {
            @Override
            public void close() {
                // the caller's stream: not ours to close
            }
        }, 65536);
        buffered.mark(2);
        int b1 = buffered.read();
        int b2 = buffered.read();
        buffered.reset();
        if (b1 == 0x1f && b2 == 0x8b) {
            try {
                return GzipCompressorInputStream.builder().setInputStream(buffered).setDecompressConcatenated(true).get();
            } catch (EOFException e) {
                // Found by LayerTarFuzz: a layer that is gzip's magic and no header.
                throw EngineException.invalid("invalid gzip stream: the header is cut short");
            } catch (IOException e) {
                throw EngineException.invalid("invalid gzip stream: " + e.getMessage());
            }
        }
        return buffered;
    }

    /**
     * The components of a tar path, without {@code .} and empty ones; refuses absolute paths,
     * {@code ..} and names the kernel would refuse anyway.
     */
    static List<String> components(String name) {
        if (name.startsWith("/")) {
            throw EngineException.invalid("tar entry \"" + name + "\" has an absolute path");
        }
        if (name.indexOf('\0') >= 0 || name.getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
            throw EngineException.invalid("tar entry \"" + shorten(name) + "\" has an invalid or over-long path");
        }
        List<String> parts = new ArrayList<>();
        for (String part : name.split("/")) {
            if (part.equals("..")) {
                throw EngineException.invalid("tar entry \"" + name + "\" contains \"..\"");
            }
            if (part.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
                throw EngineException.invalid("tar entry \"" + shorten(name) + "\" has a name over 255 bytes");
            }
            if (!part.isEmpty() && !part.equals(".")) {
                parts.add(part);
            }
        }
        return parts;
    }

    private void apply(TarArchiveEntry entry, TarArchiveInputStream in) throws IOException {
        String name = entry.getName();
        checkHeader(entry);
        List<String> parts = components(name);
        if (entry.isCharacterDevice() || entry.isBlockDevice()) {
            throw EngineException.invalid("tar entry \"" + name + "\" is a device node; images may not contain devices");
        }
        if (parts.isEmpty()) {
            if (!entry.isDirectory()) {
                throw EngineException.invalid("tar entry \"" + name + "\" names the root but is not a directory");
            }
            dirs.put(root, entry);
            return;
        }
        String base = parts.getLast();
        Path parent = directory(parts.subList(0, parts.size() - 1), name, true);
        if (base.startsWith(WHITEOUT)) {
            whiteout(parent, base, name);
            return;
        }
        Path path = parent.resolve(base);
        BasicFileAttributes existing = lstat(path);
        if (existing != null && !(existing.isDirectory() && entry.isDirectory())) {
            removeTree(path);
        }
        if (entry.isDirectory()) {
            if (existing == null || !existing.isDirectory()) {
                Files.createDirectory(path);
            }
            knownDirs.add(path);
            dirs.put(path, entry);
        } else if (entry.isSymbolicLink()) {
            if (entry.getLinkName().isEmpty()) {
                // Found by LayerTarFuzz: symlink(2) answers ENOENT for an empty target.
                throw EngineException.invalid("tar entry \"" + shorten(name) + "\" is a symlink with an empty target");
            }
            fs.symlink(entry.getLinkName(), path);
            metadata(path, entry, true);
        } else if (entry.isLink()) {
            hardLink(path, entry);
        } else if (isRegularFile(entry)) {
            try (OutputStream out = Files.newOutputStream(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS)) {
                copy(in, out);
            }
            size += entry.getRealSize();
            metadata(path, entry, false);
        } else if (entry.isFIFO()) {
            fs.mkfifo(path, 0600);
            metadata(path, entry, false);
        } else {
            throw EngineException.invalid("tar entry \"" + name + "\" has unsupported type '"
                    + (char) entry.getLinkFlag() + "'");
        }
    }

    /** Decided by the type flag alone: commons-compress' {@code isFile()} is also true for FIFOs. */
    static boolean isRegularFile(TarArchiveEntry entry) {
        byte flag = entry.getLinkFlag();
        return !entry.isDirectory() && (flag == TarConstants.LF_NORMAL || flag == TarConstants.LF_OLDNORM
                || flag == TarConstants.LF_CONTIG || flag == TarConstants.LF_GNUTYPE_SPARSE);
    }

    /** Refuses header values no real file system produces instead of clamping them. */
    private static void checkHeader(TarArchiveEntry entry) {
        String name = shorten(entry.getName());
        if (entry.getSize() < 0 || entry.getRealSize() < 0) {
            throw EngineException.invalid("tar entry \"" + name + "\" has a negative size");
        }
        if (entry.getLongUserId() < 0 || entry.getLongUserId() > MAX_ID
                || entry.getLongGroupId() < 0 || entry.getLongGroupId() > MAX_ID) {
            throw EngineException.invalid("tar entry \"" + name + "\" has an out-of-range uid or gid");
        }
        for (FileTime t : new FileTime[] {entry.getLastModifiedTime(), entry.getLastAccessTime()}) {
            if (t != null && Math.abs(t.toInstant().getEpochSecond()) >= MAX_SECONDS) {
                throw EngineException.invalid("tar entry \"" + name + "\" has an out-of-range time " + t);
            }
        }
        String link = entry.getLinkName();
        if (link != null && (link.indexOf('\0') >= 0 || link.getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES)) {
            throw EngineException.invalid("tar entry \"" + name + "\" has an invalid or over-long link target");
        }
    }

    /**
     * The directory {@code parts} under the root, made (0755, as Docker does for implied parents) when
     * {@code create}; a symlink or non-directory on the way is refused, so nothing escapes the root.
     */
    private Path directory(List<String> parts, String name, boolean create) throws IOException {
        Path dir = root;
        for (String part : parts) {
            dir = dir.resolve(part);
            if (knownDirs.contains(dir)) {
                continue;
            }
            BasicFileAttributes attrs = lstat(dir);
            if (attrs == null && create) {
                Files.createDirectory(dir);
                fs.chmod(dir, 0755);
            } else if (attrs == null) {
                throw EngineException.invalid("tar entry \"" + name + "\" refers to " + root.relativize(dir)
                        + ", which is not in the layer");
            } else if (attrs.isSymbolicLink()) {
                throw EngineException.invalid("tar entry \"" + name + "\" would be written through the symlink "
                        + root.relativize(dir));
            } else if (!attrs.isDirectory()) {
                throw EngineException.invalid("tar entry \"" + name + "\" is below " + root.relativize(dir)
                        + ", which is not a directory");
            }
            knownDirs.add(dir);
        }
        return dir;
    }

    private void hardLink(Path path, TarArchiveEntry entry) throws IOException {
        List<String> target;
        try {
            target = components(entry.getLinkName());
        } catch (EngineException e) {
            throw EngineException.invalid("tar entry \"" + entry.getName() + "\" is a hard link outside the layer: "
                    + e.getMessage());
        }
        if (target.isEmpty()) {
            throw EngineException.invalid("tar entry \"" + entry.getName() + "\" is a hard link to the root");
        }
        Path targetPath = directory(target.subList(0, target.size() - 1), entry.getName(), false)
                .resolve(target.getLast());
        BasicFileAttributes attrs = lstat(targetPath);
        if (attrs == null || attrs.isDirectory()) {
            throw EngineException.invalid("tar entry \"" + entry.getName() + "\" is a hard link to \""
                    + entry.getLinkName() + "\", which is not an earlier file of the layer");
        }
        // link(2) does not follow a symlink target, so this cannot reach outside the root.
        Files.createLink(path, targetPath);
    }

    private void whiteout(Path parent, String base, String name) throws IOException {
        if (base.startsWith(WHITEOUT_META) && !base.equals(OPAQUE)) {
            return; // AUFS bookkeeping (.wh..wh.plnk and the like): meaningless on overlayfs.
        }
        if (!fs.isRoot()) {
            throw new EngineException(ErrorKind.FAILED_PRECONDITION, "layer entry \"" + name
                    + "\" is a whiteout; creating overlayfs whiteouts needs root");
        }
        if (base.equals(OPAQUE)) {
            fs.setXattr(parent, "trusted.overlay.opaque", new byte[] {'y'});
            return;
        }
        String victim = base.substring(WHITEOUT.length());
        if (victim.isEmpty() || victim.equals(".") || victim.equals("..")) {
            throw EngineException.invalid("tar entry \"" + name + "\" is a whiteout of nothing");
        }
        Path path = parent.resolve(victim);
        if (lstat(path) != null) {
            removeTree(path);
        }
        fs.whiteout(path);
    }

    private void metadata(Path path, TarArchiveEntry entry, boolean symlink) throws IOException {
        if (fs.isRoot()) {
            fs.lchown(path, ids.hostUid(entry.getLongUserId()), ids.hostGid(entry.getLongGroupId()));
        }
        if (!symlink) {
            // After chown, which clears setuid/setgid.
            fs.chmod(path, entry.getMode() & 07777);
        }
        FileTime mtime = entry.getLastModifiedTime();
        FileTime atime = entry.getLastAccessTime() != null ? entry.getLastAccessTime() : mtime;
        fs.setTimes(path, atime, mtime);
    }

    /** Directory metadata goes last: writing their contents would change mtimes, and modes like 0555 block writes. */
    private void finishDirectories() throws IOException {
        if (!dirs.containsKey(root)) {
            fs.chmod(root, 0755);
        }
        for (Map.Entry<Path, TarArchiveEntry> dir : dirs.entrySet()) {
            metadata(dir.getKey(), dir.getValue(), false);
        }
    }

    private void removeTree(Path path) throws IOException {
        deleteTree(path);
        knownDirs.removeIf(p -> p.startsWith(path));
        dirs.keySet().removeIf(p -> p.startsWith(path));
    }

    private static TarArchiveEntry next(TarArchiveInputStream in) {
        try {
            return in.getNextEntry();
        } catch (IOException e) {
            throw EngineException.invalid("invalid tar archive: " + e.getMessage());
        }
    }

    private static void copy(InputStream in, OutputStream out) throws IOException {
        byte[] buffer = new byte[65536];
        while (true) {
            int n;
            try {
                n = in.read(buffer);
            } catch (IOException e) {
                throw EngineException.invalid("invalid tar archive: " + e.getMessage());
            }
            if (n < 0) {
                return;
            }
            out.write(buffer, 0, n);
        }
    }

    private static BasicFileAttributes lstat(Path path) throws IOException {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static String shorten(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    /** Removes a half-made or doomed layer tree. */
    static void deleteTree(Path path) throws IOException {
        FileOps.deleteTree(path);
    }
}
