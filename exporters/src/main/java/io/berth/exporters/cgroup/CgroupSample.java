package io.berth.exporters.cgroup;

import java.util.List;
import java.util.Map;

/**
 * One reading of a container's cgroup counters, in the units the kernel counts (nanoseconds of CPU,
 * bytes, periods), normalised across cgroup versions. A counter a version or kernel does not offer
 * is 0; a limit that is not set is {@link #UNLIMITED}.
 *
 * @param cgroupVersion        1 or 2
 * @param readAtNanos          wall-clock time of the reading, nanoseconds since the epoch
 * @param cpuTotalNanos        CPU time of all the cgroup's tasks
 * @param cpuUserNanos         of which in user mode
 * @param cpuSystemNanos       of which in kernel mode
 * @param perCpuNanos          CPU time per CPU where the kernel reports it (cgroup v1), else empty
 * @param cpuPeriods           CFS enforcement periods elapsed
 * @param cpuThrottledPeriods  periods in which the cgroup was throttled
 * @param cpuThrottledNanos    time spent throttled
 * @param memoryUsage          memory charged to the cgroup, page cache included
 * @param memoryMaxUsage       the highest usage seen, 0 where not tracked
 * @param memoryLimit          the hard limit
 * @param memoryFailcnt        times usage hit the limit
 * @param memoryStat           the kernel's {@code memory.stat}, keys as the kernel writes them
 * @param rss                  anonymous memory (v1 {@code total_rss}, v2 {@code anon})
 * @param cache                page cache (v1 {@code total_cache}, v2 {@code file})
 * @param inactiveFile         inactive page cache, which the kernel reclaims first
 * @param pids                 tasks in the cgroup
 * @param pidsLimit            the tasks limit
 * @param io                   bytes per device and operation
 */
public record CgroupSample(
        int cgroupVersion,
        long readAtNanos,
        long cpuTotalNanos,
        long cpuUserNanos,
        long cpuSystemNanos,
        long[] perCpuNanos,
        long cpuPeriods,
        long cpuThrottledPeriods,
        long cpuThrottledNanos,
        long memoryUsage,
        long memoryMaxUsage,
        long memoryLimit,
        long memoryFailcnt,
        Map<String, Long> memoryStat,
        long rss,
        long cache,
        long inactiveFile,
        long pids,
        long pidsLimit,
        List<IoEntry> io) {

    /** A limit that is not set. */
    public static final long UNLIMITED = -1;

    /** Bytes moved for one device and operation ({@code read}, {@code write}, ...). */
    public record IoEntry(int major, int minor, String op, long bytes) {}

    /** cAdvisor's working set: usage less the inactive page cache, which the kernel can reclaim. */
    public long workingSet() {
        return Math.max(0, memoryUsage - inactiveFile);
    }

    /** Bytes read from block devices. */
    public long ioReadBytes() {
        return ioBytes("read");
    }

    /** Bytes written to block devices. */
    public long ioWriteBytes() {
        return ioBytes("write");
    }

    private long ioBytes(String op) {
        long sum = 0;
        for (IoEntry e : io) {
            if (e.op().equals(op)) {
                sum += e.bytes();
            }
        }
        return sum;
    }
}
