package io.berth.daemon.api;

import io.berth.daemon.container.ContainerStats;
import io.berth.events.state.Container;
import io.berth.exporters.cgroup.CgroupSample;
import io.berth.exporters.proc.NetDev;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Docker's stats object ({@code ContainerStatsResponse}) from a reading: the fields the CLI computes
 * CPU %, memory usage and limit, block I/O, network I/O and PIDs from. {@code precpu_stats} is the
 * previous frame's {@code cpu_stats}, empty for the first, as dockerd sends it.
 */
final class StatsJson {

    private StatsJson() {}

    /**
     * @param hostMemory what an unlimited container's limit shows as: the host's memory, as Docker
     * @param previous   the previous frame, or null
     */
    static JsonObject frame(Container c, ContainerStats.Reading r, long hostMemory, JsonObject previous) {
        JsonObject prev = previous == null ? null : previous.getJsonObject("cpu_stats");
        JsonObject out = new JsonObject().put("name", "/" + c.name()).put("id", c.id());
        CgroupSample s = r.cgroup();
        if (s == null) {
            return out.put("read", Json.ZERO_TIME).put("preread", Json.ZERO_TIME).put("pids_stats", new JsonObject())
                    .put("blkio_stats", blkio(null)).put("num_procs", 0).put("storage_stats", new JsonObject())
                    .put("cpu_stats", emptyCpu()).put("precpu_stats", emptyCpu()).put("memory_stats", new JsonObject());
        }
        out.put("read", Json.time(s.readAtNanos()))
                .put("preread", previous == null ? Json.ZERO_TIME : previous.getString("read"))
                .put("pids_stats", pids(s))
                .put("blkio_stats", blkio(s))
                .put("num_procs", 0)
                .put("storage_stats", new JsonObject())
                .put("cpu_stats", cpu(s, r))
                .put("precpu_stats", prev == null ? emptyCpu() : prev)
                .put("memory_stats", memory(s, hostMemory));
        if (!r.networks().isEmpty()) {
            JsonObject nets = new JsonObject();
            for (NetDev.Interface i : r.networks()) {
                nets.put(i.name(), new JsonObject().put("rx_bytes", i.rxBytes()).put("rx_packets", i.rxPackets())
                        .put("rx_errors", i.rxErrors()).put("rx_dropped", i.rxDropped())
                        .put("tx_bytes", i.txBytes()).put("tx_packets", i.txPackets())
                        .put("tx_errors", i.txErrors()).put("tx_dropped", i.txDropped()));
            }
            out.put("networks", nets);
        }
        return out;
    }

    private static JsonObject pids(CgroupSample s) {
        JsonObject p = new JsonObject().put("current", s.pids());
        if (s.pidsLimit() != CgroupSample.UNLIMITED) {
            p.put("limit", s.pidsLimit());
        }
        return p;
    }

    private static JsonObject blkio(CgroupSample s) {
        JsonArray bytes = null;
        if (s != null && !s.io().isEmpty()) {
            bytes = new JsonArray();
            for (CgroupSample.IoEntry e : s.io()) {
                bytes.add(new JsonObject().put("major", e.major()).put("minor", e.minor()).put("op", e.op())
                        .put("value", e.bytes()));
            }
        }
        return new JsonObject().put("io_service_bytes_recursive", bytes).putNull("io_serviced_recursive")
                .putNull("io_queue_recursive").putNull("io_service_time_recursive").putNull("io_wait_time_recursive")
                .putNull("io_merged_recursive").putNull("io_time_recursive").putNull("sectors_recursive");
    }

    private static JsonObject cpu(CgroupSample s, ContainerStats.Reading r) {
        JsonObject usage = new JsonObject().put("total_usage", s.cpuTotalNanos())
                .put("usage_in_kernelmode", s.cpuSystemNanos()).put("usage_in_usermode", s.cpuUserNanos());
        if (s.perCpuNanos().length > 0) {
            JsonArray per = new JsonArray();
            for (long n : s.perCpuNanos()) {
                per.add(n);
            }
            usage.put("percpu_usage", per);
        }
        return new JsonObject().put("cpu_usage", usage).put("system_cpu_usage", r.host().totalNanos())
                .put("online_cpus", r.host().onlineCpus())
                .put("throttling_data", new JsonObject().put("periods", s.cpuPeriods())
                        .put("throttled_periods", s.cpuThrottledPeriods()).put("throttled_time", s.cpuThrottledNanos()));
    }

    private static JsonObject emptyCpu() {
        return new JsonObject().put("cpu_usage", new JsonObject().put("total_usage", 0).put("usage_in_kernelmode", 0)
                        .put("usage_in_usermode", 0))
                .put("throttling_data", new JsonObject().put("periods", 0).put("throttled_periods", 0)
                        .put("throttled_time", 0));
    }

    private static JsonObject memory(CgroupSample s, long hostMemory) {
        JsonObject stats = new JsonObject();
        s.memoryStat().forEach(stats::put);
        JsonObject m = new JsonObject().put("usage", s.memoryUsage()).put("stats", stats)
                .put("limit", s.memoryLimit() == CgroupSample.UNLIMITED ? hostMemory : Math.min(s.memoryLimit(), hostMemory));
        if (s.cgroupVersion() == 1) {
            // cgroup v2 has neither, and Docker leaves them out there.
            m.put("max_usage", s.memoryMaxUsage()).put("failcnt", s.memoryFailcnt());
        }
        return m;
    }
}
