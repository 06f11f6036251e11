package io.berth.daemon.network;

import io.berth.daemon.os.HostCommand;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Network namespaces the daemon owns, each a bind-mounted {@code nsfs} file in {@code dir} (as
 * {@code ip netns} keeps them in /run/netns): made before the container's runtime create, so the CNI
 * plugins set the namespace up before the container's process runs, handed to runc as the path of
 * the spec's network namespace, and kept until the daemon tears the endpoints down, which may be
 * after a daemon restart: the mount holds the namespace with no process in it. Blocking.
 *
 * <p>The directory is made a private bind mount of itself first, since a namespace file cannot be
 * bind-mounted under a shared mount.
 */
public final class NetNs {

    private final Path dir;

    public NetNs(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    public Path path(String containerId) {
        return dir.resolve(containerId);
    }

    /** Makes the directory and its private mount if needed. */
    public synchronized void init() throws IOException {
        Files.createDirectories(dir);
        if (!isMountPoint(dir)) {
            HostCommand.run("mount", "--bind", dir.toString(), dir.toString());
        }
        HostCommand.run("mount", "--make-private", dir.toString());
    }

    /** Creates the namespace of {@code containerId} (a new, empty one) and returns its file. */
    public Path create(String containerId) throws IOException {
        init();
        Path p = path(containerId);
        if (isMountPoint(p)) {
            return p;
        }
        Files.deleteIfExists(p);
        Files.createFile(p);
        try {
            HostCommand.run("unshare", "--net=" + p, "true");
        } catch (RuntimeException e) {
            Files.deleteIfExists(p);
            throw e;
        }
        return p;
    }

    /** Removes the namespace file; the namespace goes once no process is in it. Missing is fine. */
    public void remove(String containerId) throws IOException {
        Path p = path(containerId);
        if (isMountPoint(p)) {
            HostCommand.run("umount", "-l", p.toString());
        }
        Files.deleteIfExists(p);
    }

    private static boolean isMountPoint(Path p) throws IOException {
        String target = p.toAbsolutePath().normalize().toString();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
            String[] f = line.split(" ");
            if (f.length > 4 && f[4].replace("\\040", " ").equals(target)) {
                return true;
            }
        }
        return false;
    }
}
