package io.berth.daemon.image;

import static org.junit.jupiter.api.Assumptions.assumeTrue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarConstants;

/** Fixtures shared by the image store tests: a busybox root file system and views of directory trees. */
final class ImageTestSupport {
    static final Path BUSYBOX = Path.of("/bin/busybox");
    /** An mtime with sub-second digits, to check they survive (tar PAX keeps 100 ns steps here). */
    static final FileTime FINE_TIME = FileTime.from(Instant.ofEpochSecond(1_234_567_890L, 123_456_700L));

    private ImageTestSupport() {}

    static boolean isRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void assumeRoot(String why) {
        assumeTrue(isRoot(), "needs root (uid 0): " + why);
    }

    /**
     * A rootfs like /work/shared/testdata/make-busybox-rootfs.sh makes (absolute applet symlinks to
     * /bin/busybox, 1777 /tmp), plus the corner cases an importer must keep: setuid and setgid bits,
     * foreign owners, a hard link, a FIFO, fine mtimes on a file, a directory and a symlink.
     */
    static byte[] busyboxRootfs() {
        assumeTrue(Files.isRegularFile(BUSYBOX), "needs busybox-static for /bin/busybox");
        TarBuilder tar = new TarBuilder().dir("./", 0755);
        for (String dir : List.of("bin", "sbin", "usr", "usr/bin", "usr/sbin", "etc", "proc", "sys", "dev", "var")) {
            tar.dir("./" + dir + "/", 0755);
        }
        tar.dir("./tmp/", 01777).dir("./root/", 0700).dir("./home/", 0755);
        try {
            tar.file("./bin/busybox", 0755, Files.readAllBytes(BUSYBOX));
            Process list = new ProcessBuilder(BUSYBOX.toString(), "--list-full").redirectErrorStream(true).start();
            String applets = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            list.waitFor();
            for (String applet : applets.strip().split("\n")) {
                if (!applet.equals("bin/busybox")) {
                    tar.symlink("./" + applet, "/bin/busybox");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        tar.file("./etc/passwd", 0644, "root:x:0:0:root:/root:/bin/sh\n")
                .file("./etc/group", 0644, "root:x:0:\n")
                .file("./etc/hosts", 0644, "")
                .file("./etc/resolv.conf", 0644, "");
        TarArchiveEntry shadow = TarBuilder.entry("./etc/shadow", TarConstants.LF_NORMAL, 0640);
        shadow.setGroupId(42);
        tar.add(shadow, "root:*:1::::::\n".getBytes(StandardCharsets.UTF_8));
        tar.file("./usr/bin/suid-tool", 04755, "#!/bin/sh\n").file("./usr/bin/sgid-tool", 02711, "#!/bin/sh\n");
        TarArchiveEntry home = TarBuilder.entry("./home/user/", TarConstants.LF_DIR, 02750);
        home.setUserId(1000);
        home.setGroupId(1001);
        home.setModTime(FINE_TIME);
        tar.add(home, null);
        TarArchiveEntry notes = TarBuilder.entry("./home/user/notes.txt", TarConstants.LF_NORMAL, 0600);
        notes.setUserId(1000);
        notes.setGroupId(1001);
        notes.setModTime(FINE_TIME);
        tar.add(notes, "hello\n".getBytes(StandardCharsets.UTF_8));
        TarArchiveEntry link = TarBuilder.entry("./home/user/link", TarConstants.LF_SYMLINK, 0777);
        link.setLinkName("notes.txt");
        link.setUserId(1000);
        link.setGroupId(1001);
        link.setModTime(FINE_TIME);
        tar.add(link, null);
        return tar.hardlink("./usr/bin/passwd-copy", "./etc/passwd").fifo("./var/fifo", 0620).build();
    }

    /** Relative path → type and size of everything under {@code root}: to check a store is unchanged. */
    static Map<String, String> listing(Path root) {
        Map<String, String> listing = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                String kind = Files.isSymbolicLink(p) ? "link" : Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "dir"
                        : Files.size(p) + " bytes";
                listing.put(root.relativize(p).toString(), kind);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return listing;
    }

    /** Everything an unpacked layer must preserve, per path: type, mode, owner, size, mtime, target, content. */
    static Map<String, String> fingerprint(Path root) {
        Map<String, String> prints = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,size,lastModifiedTime,rdev",
                        LinkOption.NOFOLLOW_LINKS);
                StringBuilder s = new StringBuilder(Integer.toOctalString((Integer) a.get("mode")))
                        .append(' ').append(a.get("uid")).append(':').append(a.get("gid"))
                        .append(' ').append(a.get("lastModifiedTime")).append(" rdev=").append(a.get("rdev"));
                if (Files.isSymbolicLink(p)) {
                    s.append(" -> ").append(Files.readSymbolicLink(p));
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    s.append(' ').append(a.get("size")).append(" sha256:").append(Digests.hexOf(Files.readAllBytes(p)));
                }
                prints.put(root.relativize(p).toString(), s.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return prints;
    }

    /** Compares two {@link #fingerprint}s, reporting only the paths that differ. */
    static void assertSameTree(Map<String, String> expected, Map<String, String> actual) {
        Map<String, String> differences = new TreeMap<>();
        for (String path : new TreeSet<>(union(expected.keySet(), actual.keySet()))) {
            if (!Objects.equals(expected.get(path), actual.get(path))) {
                differences.put(path, expected.get(path) + " != " + actual.get(path));
            }
        }
        org.junit.jupiter.api.Assertions.assertEquals(Map.of(), differences, "the trees differ");
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new HashSet<>(a);
        all.addAll(b);
        return all;
    }

    static int mode(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    }
}
