package io.berth.daemon.container;

import io.berth.events.state.Container;
import io.berth.exporters.cgroup.CgroupReader;
import io.berth.exporters.cgroup.CgroupSample;
import io.berth.exporters.proc.HostCpu;
import io.berth.exporters.proc.NetDev;
import java.nio.file.Path;
import java.util.List;

/**
 * What {@code docker stats} shows of a container, read now: its cgroup's counters (through the same
 * {@link CgroupReader} the metrics sampler uses), the host's CPU time to take a share of, and the
 * counters of its network namespace. Blocking file reads: call it off the event loop.
 */
public final class ContainerStats {

    /** One reading; {@code cgroup} is null when the container is not running. */
    public record Reading(CgroupSample cgroup, HostCpu.Reading host, List<NetDev.Interface> networks) {}

    private final CgroupReader cgroups;
    private final Path proc;

    public ContainerStats(CgroupReader cgroups, Path proc) {
        this.cgroups = cgroups;
        this.proc = proc;
    }

    public Reading read(Container c) {
        CgroupSample cg = c.pid() > 0 ? cgroups.read(c.id()) : null;
        if (cg == null) {
            return new Reading(null, null, List.of());
        }
        boolean ownNetwork = !"host".equals(c.spec().networkMode());
        return new Reading(cg, HostCpu.read(proc.resolve("stat")), ownNetwork ? NetDev.of(proc, c.pid()) : List.of());
    }
}
