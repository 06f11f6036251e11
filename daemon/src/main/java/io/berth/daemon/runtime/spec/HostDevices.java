package io.berth.daemon.runtime.spec;

import io.berth.errors.EngineException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Device nodes of the host as the OCI spec lists them ({@code linux.devices}) and the device cgroup
 * allows them: one named by {@code --device}, or all of /dev for a privileged container. Blocking.
 */
public final class HostDevices {

    private static final int S_IFMT = 0170000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFBLK = 0060000;

    /** What every container gets its own of, as runc lists a host's devices. */
    private static final Set<String> OWN = Set.of("/dev/pts", "/dev/shm", "/dev/mqueue", "/dev/fd", "/dev/console");

    /** A device node: its type ({@code c} or {@code b}), numbers, permission bits and owner. */
    public record Node(String type, long major, long minor, int fileMode, int uid, int gid) {

        /** The {@code linux.devices} entry of this node at {@code path} in the container. */
        public JsonObject oci(String path) {
            return new JsonObject().put("path", path).put("type", type).put("major", major).put("minor", minor)
                    .put("fileMode", fileMode).put("uid", uid).put("gid", gid);
        }

        /** The device cgroup rule that lets the container use this node with {@code access}. */
        public JsonObject allow(String access) {
            return new JsonObject().put("allow", true).put("type", type).put("major", major).put("minor", minor)
                    .put("access", access);
        }
    }

    private HostDevices() {}

    /**
     * The device node at {@code path}.
     *
     * @throws EngineException INVALID when it is missing or not a device node, in dockerd's words
     */
    public static Node node(Path path) {
        try {
            Node n = read(path);
            if (n == null) {
                throw EngineException.invalid("error gathering device information while adding custom device \""
                        + path + "\": not a device node");
            }
            return n;
        } catch (NoSuchFileException e) {
            throw EngineException.invalid("error gathering device information while adding custom device \""
                    + path + "\": no such file or directory");
        } catch (IOException e) {
            throw EngineException.invalid("error gathering device information while adding custom device \""
                    + path + "\": " + e.getMessage());
        }
    }

    /** Every device node under /dev but those a container has of its own, with their paths. */
    public static List<Path> all(Path dev) throws IOException {
        List<Path> out = new ArrayList<>();
        Files.walkFileTree(dev, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                return OWN.contains(dir.toString()) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isOther() && !OWN.contains(file.toString())) {
                    out.add(file);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE;
            }
        });
        return out;
    }

    /** The node at {@code path}, or null when it is not a device node. */
    static Node read(Path path) throws IOException {
        int mode = (Integer) Files.getAttribute(path, "unix:mode");
        int kind = mode & S_IFMT;
        if (kind != S_IFCHR && kind != S_IFBLK) {
            return null;
        }
        long rdev = (Long) Files.getAttribute(path, "unix:rdev");
        int uid = (Integer) Files.getAttribute(path, "unix:uid");
        int gid = (Integer) Files.getAttribute(path, "unix:gid");
        return new Node(kind == S_IFCHR ? "c" : "b", major(rdev), minor(rdev), mode & 07777, uid, gid);
    }

    /** The major number of a Linux {@code dev_t}, as glibc's gnu_dev_major splits it. */
    static long major(long dev) {
        return ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
    }

    static long minor(long dev) {
        return (dev & 0xff) | ((dev >>> 12) & ~0xffL);
    }
}
