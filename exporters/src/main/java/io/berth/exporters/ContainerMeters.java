package io.berth.exporters;

import io.berth.events.state.Container;
import io.berth.events.state.ContainerState;
import io.berth.events.state.EngineState;
import io.berth.exporters.cgroup.CgroupReader;
import io.berth.exporters.cgroup.CgroupSample;
import io.berth.exporters.journal.JournalCounters;
import io.berth.exporters.proc.NetDev;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-container series, under cAdvisor's names so existing dashboards work, labelled {@code id}
 * (the cgroup path, as cAdvisor's), {@code name}, {@code image}, and {@code container_label_KEY} for
 * each container label the operator opted in. {@link #sample} runs on the metrics thread: it reads
 * each running container's cgroup once into a cache the meters read, so a scrape never touches
 * cgroups. Meters follow the journal's containers: resource series exist while a container runs,
 * journal-derived ones (state, restarts, OOM kills, start time) until it is removed.
 */
public final class ContainerMeters {

    private static final Logger LOG = LoggerFactory.getLogger(ContainerMeters.class);
    private static final Pattern LABEL_CHARS = Pattern.compile("[^a-zA-Z0-9_]");
    private static final double NANOS = 1e9;

    private final MeterRegistry registry;
    private final CgroupReader cgroups;
    private final Path proc;
    private final Supplier<EngineState> state;
    private final Supplier<JournalCounters> counters;
    private final List<String> labelKeys;
    private final Map<String, Series> series = new ConcurrentHashMap<>();

    /**
     * @param proc      the host's {@code /proc}, where a container's network counters are read
     * @param labelKeys container labels exported as Prometheus labels
     */
    public ContainerMeters(MeterRegistry registry, CgroupReader cgroups, Path proc, Supplier<EngineState> state,
                           Supplier<JournalCounters> counters, List<String> labelKeys) {
        this.registry = registry;
        this.cgroups = cgroups;
        this.proc = proc;
        this.state = state;
        this.counters = counters;
        this.labelKeys = List.copyOf(labelKeys);
    }

    /** The cached cgroup reading of container {@code id}, null when it is not running or not sampled yet. */
    public CgroupSample cached(String id) {
        Series s = series.get(id);
        return s == null ? null : s.sample;
    }

    /** Brings the series in line with the journal's containers and samples the running ones' cgroups. */
    public synchronized void sample() {
        EngineState now = state.get();
        JournalCounters journal = counters.get();
        for (Iterator<Map.Entry<String, Series>> it = series.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Series> e = it.next();
            Container c = now.containers().get(e.getKey());
            if (c == null || !e.getValue().tags.equals(tags(c))) {
                e.getValue().removeAll();
                it.remove();
            }
        }
        for (Container c : now.containers().values()) {
            Series s = series.computeIfAbsent(c.id(), id -> new Series(id, tags(c)));
            s.container = c;
            s.journal(journal.containers().get(c.id()));
            s.resources(c.pid() > 0 ? read(c.id()) : null, c.pid());
        }
    }

    private CgroupSample read(String id) {
        try {
            return cgroups.read(id);
        } catch (RuntimeException e) {
            LOG.debug("reading the cgroup of {}: {}", id, e.toString());
            return null;
        }
    }

    private Tags tags(Container c) {
        Tags t = Tags.of("id", cgroups.cgroupPath(c.id()), "name", c.name(), "image", c.spec().image());
        Map<String, String> labels = c.spec().labels() == null ? Map.of() : c.spec().labels();
        for (String key : labelKeys) {
            // Every series of a name needs the same label keys, so an absent container label is "".
            t = t.and("container_label_" + LABEL_CHARS.matcher(key).replaceAll("_"), labels.getOrDefault(key, ""));
        }
        return t;
    }

    /** One container's meters and the values they read. */
    private final class Series {
        final String id;
        final Tags tags;
        final List<Meter> journalMeters = new ArrayList<>();
        final Map<JournalCounters.RestartKey, Meter> restartMeters = new HashMap<>();
        final List<Meter> resourceMeters = new ArrayList<>();
        final Map<String, List<Meter>> perDevice = new HashMap<>();
        final Map<String, List<Meter>> perInterface = new HashMap<>();
        volatile Container container;
        volatile JournalCounters.PerContainer counts;
        volatile CgroupSample sample;
        volatile Map<String, NetDev.Interface> net = Map.of();

        Series(String id, Tags tags) {
            this.id = id;
            this.tags = tags;
        }

        void journal(JournalCounters.PerContainer p) {
            counts = p;
            if (journalMeters.isEmpty()) {
                for (ContainerState.Status st : ContainerState.Status.values()) {
                    journalMeters.add(Gauge.builder("berth.container.state", this,
                                    s -> s.container.state().status() == st ? 1 : 0)
                            .tags(tags).tag("state", st.word())
                            .description("1 for the container's state in the journal, 0 for the others")
                            .register(registry));
                }
                journalMeters.add(FunctionCounter.builder("container.oom.events", this,
                                s -> s.counts == null ? 0 : s.counts.ooms().get())
                        .tags(tags).description("OOM kills in the container, from the journal").register(registry));
                journalMeters.add(Gauge.builder("container.start.time.seconds", this,
                                s -> s.container.startedNanos() / NANOS)
                        .tags(tags).description("Start time of the container's last run since the epoch, 0 if never")
                        .register(registry));
            }
            if (p != null) {
                for (Map.Entry<JournalCounters.RestartKey, AtomicLong> r : p.restarts().entrySet()) {
                    restartMeters.computeIfAbsent(r.getKey(), k -> FunctionCounter.builder("berth.container.restarts",
                                    r.getValue(), AtomicLong::get)
                            .tags(tags).tag("reason", k.reason()).tag("decided_by", k.decidedBy())
                            .description("Restarts by policy, by what ended the run (exit, error, oom) and who decided")
                            .register(registry));
                }
            }
        }

        void resources(CgroupSample now, int pid) {
            if (now == null) {
                sample = null;
                if (!resourceMeters.isEmpty()) {
                    removeResources();
                }
                return;
            }
            sample = now;
            net = interfaces(pid);
            if (resourceMeters.isEmpty()) {
                registerResources();
            }
            for (CgroupSample.IoEntry e : now.io()) {
                String dev = e.major() + ":" + e.minor();
                perDevice.computeIfAbsent(dev, d -> List.of(
                        ioCounter("container.fs.reads.bytes", d, "read", "Bytes read from the device"),
                        ioCounter("container.fs.writes.bytes", d, "write", "Bytes written to the device")));
            }
            for (String name : net.keySet()) {
                perInterface.computeIfAbsent(name, this::netMeters);
            }
        }

        private Map<String, NetDev.Interface> interfaces(int pid) {
            Map<String, NetDev.Interface> out = new HashMap<>();
            if (container.spec().networkMode() == null || !container.spec().networkMode().equals("host")) {
                for (NetDev.Interface i : NetDev.of(proc, pid)) {
                    out.put(i.name(), i);
                }
            }
            return out;
        }

        private void registerResources() {
            counter("container.cpu.usage.seconds", "Cumulative CPU time consumed", s -> s.cpuTotalNanos() / NANOS);
            counter("container.cpu.user.seconds", "Cumulative user CPU time consumed", s -> s.cpuUserNanos() / NANOS);
            counter("container.cpu.system.seconds", "Cumulative system CPU time consumed", s -> s.cpuSystemNanos() / NANOS);
            counter("container.cpu.cfs.periods", "Elapsed CFS enforcement periods", CgroupSample::cpuPeriods);
            counter("container.cpu.cfs.throttled.periods", "Throttled CFS periods", CgroupSample::cpuThrottledPeriods);
            counter("container.cpu.cfs.throttled.seconds", "Time the container was throttled",
                    s -> s.cpuThrottledNanos() / NANOS);
            gauge("container.memory.usage.bytes", "Memory usage, page cache included", CgroupSample::memoryUsage);
            gauge("container.memory.max.usage.bytes", "Highest memory usage recorded", CgroupSample::memoryMaxUsage);
            gauge("container.memory.working.set.bytes", "Memory usage less inactive page cache", CgroupSample::workingSet);
            gauge("container.memory.rss", "Anonymous memory (RSS)", CgroupSample::rss);
            gauge("container.memory.cache", "Page cache memory", CgroupSample::cache);
            counter("container.memory.failcnt", "Times memory usage hit the limit", CgroupSample::memoryFailcnt);
            gauge("container.spec.memory.limit.bytes", "Memory limit, 0 when unlimited",
                    s -> Math.max(0, s.memoryLimit()));
            gauge("container.processes", "Tasks (processes and threads) in the container", CgroupSample::pids);
            gauge("container.last.seen", "When the container's cgroup was last read, seconds since the epoch",
                    s -> s.readAtNanos() / NANOS);
        }

        private void counter(String name, String help, ToDoubleFunction<CgroupSample> f) {
            resourceMeters.add(FunctionCounter.builder(name, this, s -> value(s.sample, f))
                    .tags(tags).description(help).register(registry));
        }

        private void gauge(String name, String help, ToDoubleFunction<CgroupSample> f) {
            resourceMeters.add(Gauge.builder(name, this, s -> value(s.sample, f))
                    .tags(tags).description(help).register(registry));
        }

        private Meter ioCounter(String name, String device, String op, String help) {
            return FunctionCounter.builder(name, this, s -> {
                        CgroupSample now = s.sample;
                        double sum = 0;
                        if (now != null) {
                            for (CgroupSample.IoEntry e : now.io()) {
                                if (e.op().equals(op) && device.equals(e.major() + ":" + e.minor())) {
                                    sum += e.bytes();
                                }
                            }
                        }
                        return sum;
                    })
                    .tags(tags).tag("device", device).description(help).register(registry);
        }

        private List<Meter> netMeters(String iface) {
            List<Meter> m = new ArrayList<>();
            m.add(net("container.network.receive.bytes", iface, "Bytes received", NetDev.Interface::rxBytes));
            m.add(net("container.network.receive.packets", iface, "Packets received", NetDev.Interface::rxPackets));
            m.add(net("container.network.receive.errors", iface, "Receive errors", NetDev.Interface::rxErrors));
            m.add(net("container.network.receive.packets.dropped", iface, "Received packets dropped",
                    NetDev.Interface::rxDropped));
            m.add(net("container.network.transmit.bytes", iface, "Bytes sent", NetDev.Interface::txBytes));
            m.add(net("container.network.transmit.packets", iface, "Packets sent", NetDev.Interface::txPackets));
            m.add(net("container.network.transmit.errors", iface, "Transmit errors", NetDev.Interface::txErrors));
            m.add(net("container.network.transmit.packets.dropped", iface, "Sent packets dropped",
                    NetDev.Interface::txDropped));
            return m;
        }

        private Meter net(String name, String iface, String help, ToDoubleFunction<NetDev.Interface> f) {
            return FunctionCounter.builder(name, this, s -> {
                        NetDev.Interface i = s.net.get(iface);
                        return i == null ? 0 : f.applyAsDouble(i);
                    })
                    .tags(tags).tag("interface", iface).description(help).register(registry);
        }

        private static double value(CgroupSample s, ToDoubleFunction<CgroupSample> f) {
            return s == null ? Double.NaN : f.applyAsDouble(s);
        }

        private void removeResources() {
            resourceMeters.forEach(registry::remove);
            resourceMeters.clear();
            perDevice.values().forEach(l -> l.forEach(registry::remove));
            perDevice.clear();
            perInterface.values().forEach(l -> l.forEach(registry::remove));
            perInterface.clear();
        }

        void removeAll() {
            removeResources();
            journalMeters.forEach(registry::remove);
            journalMeters.clear();
            restartMeters.values().forEach(registry::remove);
            restartMeters.clear();
        }
    }
}
