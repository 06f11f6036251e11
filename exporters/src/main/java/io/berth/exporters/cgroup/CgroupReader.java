package io.berth.exporters.cgroup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Reads the resource counters of a container's cgroup, {@code <parent>/<id>} in the host's
 * hierarchy. Stateless and thread-safe: each call reads the kernel's files afresh, so callers decide
 * how often (the sampler caches; {@code docker stats} reads per frame).
 */
public interface CgroupReader {

    /**
     * The counters of container {@code id}'s cgroup now, or null when it has no cgroup (it is not
     * running, or it just ended).
     *
     * @throws IllegalArgumentException when {@code id} is not a single path element
     */
    CgroupSample read(String id);

    /** The cgroup path a container's counters come from, as cAdvisor labels it ({@code /berth/<id>}). */
    String cgroupPath(String id);

    /** {@link #forHost(Path, String)} for {@code /sys/fs/cgroup} and runc's {@code cgroupsPath /berth/<id>}. */
    static CgroupReader forHost() {
        return forHost(Path.of("/sys/fs/cgroup"), "berth");
    }

    /**
     * The reader for the layout under {@code root}: cgroup v2 when {@code root} is a unified
     * hierarchy (it holds {@code cgroup.controllers}), else v1 with one directory per controller,
     * which covers hybrid hosts, whose resource controllers are on v1.
     */
    static CgroupReader forHost(Path root, String parent) {
        return Files.exists(root.resolve("cgroup.controllers"))
                ? new CgroupV2Reader(root, parent) : new CgroupV1Reader(root, parent);
    }

    /** Rejects ids that would leave the parent directory. */
    static String checkId(String id) {
        if (!SAFE_ID.matcher(id).matches()) {
            throw new IllegalArgumentException("not a container id: " + id);
        }
        return id;
    }

    /** What a container id may look like here: one path element, no dots first. */
    Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");
}
