package io.berth.daemon.os;

import io.berth.errors.EngineException;
import io.berth.errors.ErrorKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import jnr.ffi.LibraryLoader;
import jnr.ffi.types.u_int64_t;

/** mount(2) and umount2(2), which the JDK lacks, and a reader of this process's mount table. */
public final class Mounts {

    /** The libc calls used here. */
    public interface LibC {
        int mount(String source, String target, String fstype, @u_int64_t long flags, String data);

        int umount2(String target, int flags);

        String strerror(int errnum);
    }

    private static final int MNT_DETACH = 2;
    private static final int EINVAL = 22;
    private static final int ENOENT = 2;

    private static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
    private static final jnr.ffi.Runtime RUNTIME = jnr.ffi.Runtime.getRuntime(LIBC);

    private Mounts() {}

    /** Mounts an overlay at {@code target}; {@code lowerDirs} are given lowest first. */
    public static void overlay(List<Path> lowerDirs, Path upper, Path work, Path target) {
        StringBuilder lower = new StringBuilder();
        for (int i = lowerDirs.size() - 1; i >= 0; i--) {
            if (lower.length() > 0) {
                lower.append(':');
            }
            lower.append(lowerDirs.get(i));
        }
        String data = "lowerdir=" + lower + ",upperdir=" + upper + ",workdir=" + work;
        if (LIBC.mount("overlay", target.toString(), "overlay", 0, data) != 0) {
            int errno = RUNTIME.getLastError();
            throw new EngineException(ErrorKind.INTERNAL, "error mounting the container's root file system at "
                    + target + ": " + LIBC.strerror(errno));
        }
    }

    /** Detaches the mount at {@code target}; not mounted is fine. */
    public static void unmount(Path target) {
        if (LIBC.umount2(target.toString(), MNT_DETACH) != 0) {
            int errno = RUNTIME.getLastError();
            if (errno != EINVAL && errno != ENOENT) {
                throw new EngineException(ErrorKind.INTERNAL, "error unmounting " + target + ": " + LIBC.strerror(errno));
            }
        }
    }

    /** The mount points of this process's mount namespace. */
    public static Set<Path> mountPoints() {
        Set<Path> out = new HashSet<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                if (f.length > 4) {
                    out.add(Path.of(unescape(f[4])));
                }
            }
        } catch (IOException e) {
            throw new EngineException(ErrorKind.INTERNAL, "cannot read the mount table: " + e.getMessage(), e);
        }
        return out;
    }

    public static boolean isMountPoint(Path p) {
        return mountPoints().contains(p);
    }

    /** mountinfo escapes space, tab, newline and backslash as octal. */
    private static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                sb.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
