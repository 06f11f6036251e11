package io.berth.exporters.cgroup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** cgroup v2: one unified hierarchy, the container's cgroup at {@code <root>/<parent>/<id>}. */
final class CgroupV2Reader implements CgroupReader {

    /** {@code io.stat} keys and the operation names Docker reports them under. */
    private static final Map<String, String> IO_KEYS = Map.of("rbytes", "read", "wbytes", "write", "dbytes", "discard");

    private final Path root;
    private final String parent;

    CgroupV2Reader(Path root, String parent) {
        this.root = root;
        this.parent = parent;
    }

    @Override
    public String cgroupPath(String id) {
        return "/" + parent + "/" + CgroupReader.checkId(id);
    }

    @Override
    public CgroupSample read(String id) {
        Path dir = root.resolve(parent).resolve(CgroupReader.checkId(id));
        if (!Files.isDirectory(dir)) {
            return null;
        }
        long readAt = CgroupV1Reader.nowNanos();
        Map<String, Long> cpu = CgroupFiles.keyed(dir.resolve("cpu.stat"));
        Map<String, Long> stat = CgroupFiles.keyed(dir.resolve("memory.stat"));
        Map<String, Long> events = CgroupFiles.keyed(dir.resolve("memory.events"));
        return new CgroupSample(2, readAt,
                CgroupFiles.get(cpu, "usage_usec") * 1000, CgroupFiles.get(cpu, "user_usec") * 1000,
                CgroupFiles.get(cpu, "system_usec") * 1000, new long[0],
                CgroupFiles.get(cpu, "nr_periods"), CgroupFiles.get(cpu, "nr_throttled"),
                CgroupFiles.get(cpu, "throttled_usec") * 1000,
                CgroupFiles.single(dir.resolve("memory.current"), 0),
                // memory.peak arrived in Linux 5.19; before it the peak is not tracked.
                CgroupFiles.single(dir.resolve("memory.peak"), 0),
                CgroupFiles.single(dir.resolve("memory.max"), CgroupSample.UNLIMITED),
                // v2 has no failcnt; "max" counts the times usage hit the limit, which is what it meant.
                CgroupFiles.get(events, "max"),
                stat,
                CgroupFiles.get(stat, "anon"), CgroupFiles.get(stat, "file"), CgroupFiles.get(stat, "inactive_file"),
                CgroupFiles.single(dir.resolve("pids.current"), 0),
                CgroupFiles.single(dir.resolve("pids.max"), CgroupSample.UNLIMITED),
                io(dir));
    }

    /** Lines of {@code MAJOR:MINOR key=value ...}. */
    private static List<CgroupSample.IoEntry> io(Path dir) {
        List<CgroupSample.IoEntry> out = new ArrayList<>();
        for (String line : CgroupFiles.lines(dir.resolve("io.stat"))) {
            String[] f = line.split("\\s+");
            int[] dev = CgroupFiles.device(f[0]);
            if (dev == null) {
                continue;
            }
            for (int i = 1; i < f.length; i++) {
                int eq = f[i].indexOf('=');
                String op = eq > 0 ? IO_KEYS.get(f[i].substring(0, eq)) : null;
                if (op != null) {
                    out.add(new CgroupSample.IoEntry(dev[0], dev[1], op, Long.parseLong(f[i].substring(eq + 1))));
                }
            }
        }
        return out;
    }
}
