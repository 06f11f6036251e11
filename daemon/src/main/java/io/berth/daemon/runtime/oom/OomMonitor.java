package io.berth.daemon.runtime.oom;

import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Watches containers' memory cgroups for OOM kills and reports each rise of a cgroup's
 * {@code oom_kill} counter. A kill anywhere in the cgroup counts, not only of the container's main
 * process: a killed child leaves the main process running, and its exit code alone cannot tell.
 *
 * <p>Lifecycle: {@link #start} once, then per container {@link #watch} after {@code runc create} (the
 * cgroup exists) and before {@code runc start}, {@link #unwatch} before {@code runc delete} removes the
 * cgroup; {@link #close} at shutdown. Notices arrive on the monitor's one thread,
 * {@code berth-oom-monitor}, in the order the monitor saw the rises; a notice already on its
 * way when {@code unwatch} runs still arrives. Failing to watch a cgroup never stops a container from
 * running: it is logged and reported as -1.
 */
public interface OomMonitor extends AutoCloseable {

    /** The cgroup of container {@code id} counted {@code killCount} OOM kills since it was made. */
    record OomNotice(String id, long killCount) {}

    /**
     * Starts the monitor's thread; {@code listener} gets each notice there. It should return soon (it
     * holds up all other containers' notices) and may call back into the monitor. What it throws is
     * logged.
     *
     * @throws IllegalStateException when already started or closed
     */
    void start(Consumer<OomNotice> listener);

    /**
     * Begins watching container {@code id}'s memory cgroup; watching one already watched does nothing.
     * May be called before {@link #start}: kills in between are reported once it starts.
     *
     * @return the cgroup's {@code oom_kill} counter now (notices come for counts above it; for a cgroup
     *         already watched, the last count seen), or -1 when the cgroup cannot be watched, which is
     *         logged
     * @throws IllegalArgumentException when {@code id} is not a single path element
     */
    long watch(String id);

    /**
     * The cgroup's {@code oom_kill} counter, read now, whether or not it is watched; -1 when the cgroup
     * is gone (or unreadable, which is logged). The kernel counts a kill before it sends the SIGKILL,
     * so once a container's exit is seen this count includes a kill that caused it.
     *
     * @throws IllegalArgumentException when {@code id} is not a single path element
     */
    long killCount(String id);

    /** Stops watching container {@code id}; nothing if it is not watched (or its cgroup vanished). */
    void unwatch(String id);

    /** Stops the thread (waiting for it) and releases every watch; nothing is delivered afterwards. */
    @Override
    void close();

    /** {@link #forHost(Path, String)} for {@code /sys/fs/cgroup} and runc's {@code cgroupsPath /berth/<id>}. */
    static OomMonitor forHost() {
        return forHost(Path.of("/sys/fs/cgroup"), "berth");
    }

    /**
     * The monitor for the cgroup layout under {@code cgroupRoot}, for containers whose cgroups are
     * {@code <parent>/<id>}: cgroup v2 ({@code memory.events}) when {@code cgroupRoot} is a cgroup2
     * mount with {@code cgroup.controllers}; otherwise cgroup v1 ({@code memory.oom_control} under
     * {@code cgroupRoot/memory}), which covers hybrid hosts, whose memory controller is on v1.
     *
     * @throws IllegalStateException when there is neither, or the kernel refuses epoll or inotify
     */
    static OomMonitor forHost(Path cgroupRoot, String parent) {
        return CgroupOomMonitor.forHost(cgroupRoot, parent);
    }
}
