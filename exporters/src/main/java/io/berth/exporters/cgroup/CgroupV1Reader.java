package io.berth.exporters.cgroup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * cgroup v1: one hierarchy per controller under the root ({@code memory/}, {@code cpuacct/},
 * {@code cpu/}, {@code pids/}, {@code blkio/}), the container's cgroup at {@code <parent>/<id>} in each.
 */
final class CgroupV1Reader implements CgroupReader {

    /** {@code cpuacct.stat} counts in USER_HZ, which the kernel fixes at 100 for user space. */
    private static final long NANOS_PER_USER_HZ_TICK = 10_000_000L;
    /** The kernel writes the largest page-aligned counter when no memory limit is set. */
    private static final long NO_LIMIT_ABOVE = 1L << 62;
    /** Per-device I/O in bytes, newest interface first: the BFQ scheduler's, CFQ's, then the throttle layer's. */
    private static final List<String> IO_FILES = List.of("blkio.bfq.io_service_bytes_recursive",
            "blkio.io_service_bytes_recursive", "blkio.throttle.io_service_bytes_recursive");

    private final Path root;
    private final String parent;

    CgroupV1Reader(Path root, String parent) {
        this.root = root;
        this.parent = parent;
    }

    private Path dir(String controller, String id) {
        return root.resolve(controller).resolve(parent).resolve(id);
    }

    @Override
    public String cgroupPath(String id) {
        return "/" + parent + "/" + CgroupReader.checkId(id);
    }

    @Override
    public CgroupSample read(String id) {
        CgroupReader.checkId(id);
        Path memory = dir("memory", id);
        if (!Files.isDirectory(memory)) {
            return null;
        }
        long readAt = nowNanos();
        Path cpuacct = dir("cpuacct", id);
        Map<String, Long> ticks = CgroupFiles.keyed(cpuacct.resolve("cpuacct.stat"));
        Map<String, Long> cpu = CgroupFiles.keyed(dir("cpu", id).resolve("cpu.stat"));
        Map<String, Long> stat = CgroupFiles.keyed(memory.resolve("memory.stat"));
        long limit = CgroupFiles.single(memory.resolve("memory.limit_in_bytes"), CgroupSample.UNLIMITED);
        Path pids = dir("pids", id);
        return new CgroupSample(1, readAt,
                CgroupFiles.single(cpuacct.resolve("cpuacct.usage"), 0),
                CgroupFiles.get(ticks, "user") * NANOS_PER_USER_HZ_TICK,
                CgroupFiles.get(ticks, "system") * NANOS_PER_USER_HZ_TICK,
                CgroupFiles.numbers(cpuacct.resolve("cpuacct.usage_percpu")),
                CgroupFiles.get(cpu, "nr_periods"), CgroupFiles.get(cpu, "nr_throttled"),
                CgroupFiles.get(cpu, "throttled_time"),
                CgroupFiles.single(memory.resolve("memory.usage_in_bytes"), 0),
                CgroupFiles.single(memory.resolve("memory.max_usage_in_bytes"), 0),
                limit >= NO_LIMIT_ABOVE ? CgroupSample.UNLIMITED : limit,
                CgroupFiles.single(memory.resolve("memory.failcnt"), 0),
                stat,
                CgroupFiles.get(stat, "total_rss"), CgroupFiles.get(stat, "total_cache"),
                CgroupFiles.get(stat, "total_inactive_file"),
                CgroupFiles.single(pids.resolve("pids.current"), 0),
                CgroupFiles.single(pids.resolve("pids.max"), CgroupSample.UNLIMITED),
                io(dir("blkio", id)));
    }

    /** Lines of {@code MAJOR:MINOR Op bytes}, and a closing {@code Total bytes} that is dropped. */
    private static List<CgroupSample.IoEntry> io(Path blkio) {
        for (String name : IO_FILES) {
            List<CgroupSample.IoEntry> out = new ArrayList<>();
            for (String line : CgroupFiles.lines(blkio.resolve(name))) {
                String[] f = line.split("\\s+");
                int[] dev = f.length == 3 ? CgroupFiles.device(f[0]) : null;
                if (dev != null) {
                    out.add(new CgroupSample.IoEntry(dev[0], dev[1], f[1].toLowerCase(Locale.ROOT), Long.parseLong(f[2])));
                }
            }
            if (!out.isEmpty()) {
                return out;
            }
        }
        return List.of();
    }

    static long nowNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
