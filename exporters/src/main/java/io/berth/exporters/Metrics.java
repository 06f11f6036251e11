package io.berth.exporters;

import io.berth.events.journal.Journal;
import io.berth.events.state.EngineState;
import io.berth.exporters.cgroup.CgroupReader;
import io.berth.exporters.cgroup.CgroupSample;
import io.berth.exporters.journal.JournalCounters;
import io.berth.exporters.journal.MetricsProjection;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * berthd's metrics: one Prometheus registry holding the per-container series, the journal-derived
 * counters, the daemon's own health (journal, API, event loop, policies) and the JVM's. Sampling and
 * the journal tailer run on one thread of their own, {@code berth-metrics}.
 *
 * <p>Lifecycle: construct before the journal is used (so {@link #timed} can wrap it), {@link #start}
 * once the engine has recovered, {@link #close} at shutdown before the journal closes.
 */
public final class Metrics implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Metrics.class);
    /** Buckets for latencies, so histogram_quantile can estimate percentiles from few series. */
    private static final Duration[] LATENCY_BUCKETS = {Duration.ofNanos(100_000), Duration.ofMillis(1),
            Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMillis(100),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(5)};

    /**
     * @param address     {@code host:port} to serve on, null or empty for no endpoint
     * @param interval    how often cgroups are sampled
     * @param labelKeys   container labels exported as Prometheus labels
     * @param checkpoint  the file that keeps the journal-derived counters across restarts
     */
    public record Settings(String address, Duration interval, List<String> labelKeys, Path checkpoint) {}

    private final Settings settings;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "berth-metrics");
        t.setDaemon(true);
        return t;
    });
    private final Timer journalAppends;
    private final AtomicLong journalBytes = new AtomicLong();
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private MetricsProjection projection;
    private ContainerMeters containers;
    private MetricsServer server;
    private volatile int port = -1;

    public Metrics(Settings settings) {
        this.settings = settings;
        // Two of Micrometer's processor meters break Prometheus' naming rules (promtool flags them):
        // CPU time in nanoseconds, and a gauge ending in _count. Seconds and a plain name replace them.
        registry.config().meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time")));
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                return id.getName().equals("system.cpu.count") ? id.withName("system.cpus") : id;
            }
        });
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            FunctionCounter.builder("process.cpu.seconds", os, o -> o.getProcessCpuTime() / 1e9)
                    .description("CPU time the daemon's JVM used").register(registry);
        }
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        journalAppends = Timer.builder("berth.journal.append").description("Time from an append until it is durable")
                .serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
    }

    /** {@code journal}, with its appends timed. */
    public Journal timed(Journal journal) {
        return new TimedJournal(journal, journalAppends);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /**
     * Starts the journal tailer (catching up first), the sampling, the event-loop probe, and the
     * endpoint; the future completes once it listens.
     *
     * @param eventLoop the engine's context, whose queueing delay is the event-loop lag
     */
    public Future<Void> start(Vertx vertx, Journal journal, Supplier<EngineState> state, Context eventLoop,
                              CgroupReader cgroups) {
        // Catching up with the journal reads what was appended since the last checkpoint: off the event loop.
        return vertx.executeBlocking(() -> {
            startSampling(journal, state, eventLoop, cgroups);
            return null;
        }, false).compose(v -> listen(vertx));
    }

    private void startSampling(Journal journal, Supplier<EngineState> state, Context eventLoop, CgroupReader cgroups) {
        projection = new MetricsProjection(journal, settings.checkpoint(), thread);
        projection.start();
        containers = new ContainerMeters(registry, cgroups, Path.of("/proc"), state, projection::counters,
                settings.labelKeys());
        Set<JournalCounters.EventKey> counted = new HashSet<>();
        Runnable sync = () -> {
            eventCounters(counted);
            containers.sample();
        };
        projection.afterDrain(sync);
        Gauge.builder("berth.journal.size.bytes", journalBytes, AtomicLong::get)
                .description("Bytes the journal's files take").register(registry);
        Gauge.builder("berth.journal.last.sequence", journal, j -> j.lastSeq())
                .description("Sequence of the last journal entry").register(registry);
        Timer lag = Timer.builder("berth.eventloop.lag").description("Delay before the engine's event loop runs a task")
                .serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
        Timer rounds = Timer.builder("berth.metrics.sample").description("Time a sampling round of all containers takes")
                .register(registry);
        thread.execute(sync);
        thread.scheduleWithFixedDelay(() -> rounds.record(() -> {
            journalBytes.set(journal.sizeBytes());
            containers.sample();
        }), 0, settings.interval().toMillis(), TimeUnit.MILLISECONDS);
        thread.scheduleAtFixedRate(() -> {
            long t0 = System.nanoTime();
            eventLoop.runOnContext(v -> lag.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS));
        }, 1, 1, TimeUnit.SECONDS);
    }

    private Future<Void> listen(Vertx vertx) {
        if (settings.address() == null || settings.address().isBlank()) {
            return Future.succeededFuture();
        }
        int colon = settings.address().lastIndexOf(':');
        String host = settings.address().substring(0, colon).replaceAll("^\\[|]$", "");
        int wanted = Integer.parseInt(settings.address().substring(colon + 1));
        server = new MetricsServer(vertx, registry);
        return server.listen(host.isEmpty() ? "0.0.0.0" : host, wanted).map(p -> {
            port = p;
            LOG.info("metrics listening on http://{}:{}/metrics", host, p);
            return null;
        });
    }

    /** A counter for each entry type and action seen; they only ever grow, so they are never removed. */
    private void eventCounters(Set<JournalCounters.EventKey> counted) {
        JournalCounters c = projection.counters();
        c.events().forEach((k, v) -> {
            if (counted.add(k)) {
                FunctionCounter.builder("berth.events", v, AtomicLong::get).tag("type", k.type()).tag("action", k.action())
                        .description("Journal entries by type and action").register(registry);
            }
        });
    }

    /** The port the endpoint listens on, -1 when it does not. */
    public int port() {
        return port;
    }

    /** The cgroup reading of a running container the sampler took last, or null. */
    public CgroupSample cached(String id) {
        return containers == null ? null : containers.cached(id);
    }

    /** Records an API request: its method, route template, status, and time to the end of the response. */
    public void apiRequest(String method, String route, int status, long nanos) {
        Timer.builder("berth.api.requests").description("Docker API requests by route and status")
                .tag("method", method).tag("route", route).tag("status", Integer.toString(status))
                .serviceLevelObjectives(LATENCY_BUCKETS).register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Records a policy evaluation: which policy and hook, its outcome ({@code restart}, {@code failed}, ...), its time. */
    public void policyDecision(String policy, String hook, String outcome, long nanos) {
        Timer.builder("berth.policy.decision").description("Policy evaluations by policy, hook and outcome")
                .tag("policy", policy).tag("hook", hook).tag("outcome", outcome)
                .serviceLevelObjectives(LATENCY_BUCKETS).register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void close() {
        if (server != null) {
            try {
                server.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.warn("closing the metrics endpoint: {}", e.toString());
            }
        }
        if (projection != null) {
            projection.close();
        }
        thread.shutdownNow();
        gc.close();
        registry.close();
    }
}
