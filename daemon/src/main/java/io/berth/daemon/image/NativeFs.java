package io.berth.daemon.image;

import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.SaveError;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * The few system calls layer unpacking needs and the JDK lacks: ownership and full mode bits
 * (setuid/setgid/sticky), nanosecond times on symlinks, verbatim symlink targets, FIFOs, the
 * overlayfs whiteout markers (a 0:0 character device, the {@code trusted.overlay.opaque} xattr) and
 * {@code syncfs}. jnr-posix covers most; {@code mknod}, {@code lsetxattr} and {@code syncfs} are bound
 * from libc with jnr-ffi.
 * Every failure becomes an {@link IOException} naming the call and path.
 */
final class NativeFs {
    private static final int AT_FDCWD = -100;
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;
    private static final int S_IFCHR = 0020000;
    private static final int O_RDONLY = 0;
    private static final int ENODATA = 61;
    private static final int ENOTSUP = 95;

    /** The libc functions jnr-posix 3.2.5 does not expose. */
    public interface LibC {
        @SaveError
        int mknod(String path, int mode, long dev);

        @SaveError
        int lsetxattr(String path, String name, byte[] value, long size, int flags);

        @SaveError
        long lgetxattr(String path, String name, byte[] value, long size);

        @SaveError
        int syncfs(int fd);
    }

    private static final class Holder {
        static final NativeFs INSTANCE = new NativeFs();
    }

    private final POSIX posix;
    private final LibC libc;
    private final boolean root;

    private NativeFs() {
        posix = POSIXFactory.getNativePOSIX();
        if (!posix.isNative()) {
            throw new IllegalStateException("jnr-posix could not load its native library");
        }
        libc = LibraryLoader.create(LibC.class).load("c");
        root = posix.geteuid() == 0;
    }

    static NativeFs get() {
        return Holder.INSTANCE;
    }

    /** Whether ownership can be set and whiteouts created (effective uid 0). */
    boolean isRoot() {
        return root;
    }

    void lchown(Path path, long uid, long gid) throws IOException {
        check(posix.lchown(path.toString(), (int) uid, (int) gid), "lchown", path);
    }

    void chmod(Path path, int mode) throws IOException {
        check(posix.chmod(path.toString(), mode), "chmod", path);
    }

    /** Sets times without following a symlink at {@code path}. */
    void setTimes(Path path, FileTime atime, FileTime mtime) throws IOException {
        check(posix.utimensat(AT_FDCWD, path.toString(), timespec(atime), timespec(mtime), AT_SYMLINK_NOFOLLOW),
                "utimensat", path);
    }

    /** Creates a symlink whose target is exactly {@code target} (no normalization, as Path.of would do). */
    void symlink(String target, Path link) throws IOException {
        check(posix.symlink(target, link.toString()), "symlink", link);
    }

    void mkfifo(Path path, int mode) throws IOException {
        check(posix.mkfifo(path.toString(), mode), "mkfifo", path);
    }

    /** Creates an overlayfs whiteout: a character device with device number 0:0. */
    void whiteout(Path path) throws IOException {
        if (libc.mknod(path.toString(), S_IFCHR, 0) < 0) {
            throw failure("mknod", path, jnr.ffi.Runtime.getRuntime(libc).getLastError());
        }
    }

    void setXattr(Path path, String name, byte[] value) throws IOException {
        if (libc.lsetxattr(path.toString(), name, value, value.length, 0) < 0) {
            throw failure("lsetxattr " + name, path, jnr.ffi.Runtime.getRuntime(libc).getLastError());
        }
    }

    /** An extended attribute of {@code path} (not following a symlink), or null when it has none. */
    byte[] getXattr(Path path, String name) throws IOException {
        byte[] buf = new byte[256];
        long n = libc.lgetxattr(path.toString(), name, buf, buf.length);
        if (n < 0) {
            int errno = jnr.ffi.Runtime.getRuntime(libc).getLastError();
            if (errno == ENODATA || errno == ENOTSUP) {
                return null;
            }
            throw failure("lgetxattr " + name, path, errno);
        }
        return Arrays.copyOf(buf, (int) n);
    }

    /**
     * Flushes every file of the file system holding {@code path}: one call makes a whole unpacked layer
     * durable before it is renamed into place, where fsyncing each of its files would take thousands.
     */
    void syncFilesystem(Path path) throws IOException {
        int fd = posix.open(path.toString(), O_RDONLY, 0);
        check(fd, "open", path);
        try {
            if (libc.syncfs(fd) < 0) {
                throw failure("syncfs", path, jnr.ffi.Runtime.getRuntime(libc).getLastError());
            }
        } finally {
            posix.close(fd);
        }
    }

    private void check(int result, String call, Path path) throws IOException {
        if (result < 0) {
            throw failure(call, path, posix.errno());
        }
    }

    private IOException failure(String call, Path path, int errno) {
        return new IOException(call + " " + path + ": " + posix.strerror(errno));
    }

    private static long[] timespec(FileTime time) {
        long nanos = time.to(TimeUnit.NANOSECONDS);
        return new long[] {Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L)};
    }
}
