package io.berth.daemon.container;

import io.berth.daemon.runtime.oom.OomMonitor;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The OOM kills of each container's current run, as its memory cgroup counts them, against those
 * already journaled: so a kill is journaled once, whether the monitor's notice or the run's exit
 * reports it first. Without a monitor (a host whose cgroups it cannot watch) it knows nothing, and
 * only conmon's record of an OOM at the exit remains.
 */
final class OomKills {

    private final OomMonitor monitor;
    private final Map<String, Long> journaled = new ConcurrentHashMap<>();

    /** @param monitor the cgroup watcher, or null when the host offers none */
    OomKills(OomMonitor monitor) {
        this.monitor = monitor;
    }

    /** Starts counting a run whose cgroup exists (after the runtime created it, or found it running). */
    void watch(String id) {
        if (monitor != null) {
            journaled.put(id, Math.max(0, monitor.watch(id)));
        }
    }

    /** Whether a notice's count is a kill not journaled yet; if so it counts as journaled from now. */
    boolean claim(String id, long killCount) {
        Long seen = journaled.get(id);
        if (seen == null || killCount <= seen) {
            return false;
        }
        journaled.put(id, killCount);
        return true;
    }

    /**
     * At the end of a run, before the runtime deletes its cgroup: whether the cgroup counted a kill
     * not journaled yet (the kernel counts it before the process dies). Claims it.
     */
    boolean claimAtExit(String id) {
        return monitor != null && journaled.containsKey(id) && claim(id, monitor.killCount(id));
    }

    /** Stops counting the run (before the runtime deletes its cgroup). */
    void forget(String id) {
        if (monitor != null) {
            monitor.unwatch(id);
        }
        journaled.remove(id);
    }
}
