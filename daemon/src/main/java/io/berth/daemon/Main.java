package io.berth.daemon;

import io.berth.daemon.api.ApiServer;
import io.berth.daemon.api.CommitRoutes;
import io.berth.daemon.api.ContainerRoutes;
import io.berth.daemon.api.EventRoutes;
import io.berth.daemon.api.ExecRoutes;
import io.berth.daemon.api.ImageRoutes;
import io.berth.daemon.api.NetworkRoutes;
import io.berth.daemon.api.PolicyRoutes;
import io.berth.daemon.api.Routes;
import io.berth.daemon.api.StatsRoutes;
import io.berth.daemon.api.SystemRoutes;
import io.berth.daemon.api.VolumeRoutes;
import io.berth.daemon.config.ConfigLoader;
import io.berth.daemon.config.DaemonConfig;
import io.berth.daemon.container.ContainerFiles;
import io.berth.daemon.container.ContainerPaths;
import io.berth.daemon.container.ContainerService;
import io.berth.daemon.container.ContainerStats;
import io.berth.daemon.container.ExecService;
import io.berth.daemon.container.LogReader;
import io.berth.daemon.container.Top;
import io.berth.daemon.engine.Engine;
import io.berth.daemon.engine.Reconciler;
import io.berth.daemon.events.EventStreams;
import io.berth.daemon.image.ImageService;
import io.berth.daemon.image.LocalImageStore;
import io.berth.daemon.image.registry.RegistryDistribution;
import io.berth.daemon.network.CniPlugins;
import io.berth.daemon.network.HostsFiles;
import io.berth.daemon.network.NetNs;
import io.berth.daemon.network.NetworkService;
import io.berth.daemon.os.IdMap;
import io.berth.daemon.policy.PolicyService;
import io.berth.daemon.policy.TransitionHistory;
import io.berth.daemon.runtime.ExitMonitor;
import io.berth.daemon.runtime.oom.OomMonitor;
import io.berth.daemon.runtime.runc.ExitFileMonitor;
import io.berth.daemon.runtime.runc.RuncRuntime;
import io.berth.daemon.runtime.spec.SpecBuilder;
import io.berth.daemon.system.DiskUsage;
import io.berth.daemon.system.HostInfo;
import io.berth.daemon.system.HostConfinement;
import io.berth.daemon.system.HostLimits;
import io.berth.daemon.system.PidFile;
import io.berth.daemon.system.SystemdNotifier;
import io.berth.daemon.system.UsernsRemap;
import io.berth.daemon.tools.JournalTool;
import io.berth.daemon.volume.VolumeService;
import io.berth.errors.EngineException;
import io.berth.events.DaemonEvent;
import io.berth.events.journal.Journal;
import io.berth.events.journal.JournalConfig;
import io.berth.events.journal.internal.ChronicleJournal;
import io.berth.events.snapshot.SnapshotStore;
import io.berth.events.snapshot.StateDigest;
import io.berth.events.state.EngineState;
import io.berth.exporters.Metrics;
import io.berth.exporters.cgroup.CgroupReader;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** berthd's entry point: parses the flags, wires the parts, and serves until stopped. */
public final class Main {

    /** How often a daemon with an events retention limit applies it (besides after each snapshot). */
    private static final long RETENTION_CHECK_MILLIS = 3_600_000;

    private Main() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("journal")) {
            JournalTool.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (ConfigLoader.wantsVersion(args)) {
            System.out.println("berthd version " + BerthVersion.VERSION);
            return;
        }
        if (ConfigLoader.wantsHelp(args)) {
            System.out.print(ConfigLoader.usage());
            return;
        }
        DaemonConfig config;
        try {
            config = ConfigLoader.load(args);
        } catch (EngineException e) {
            System.err.println("berthd: " + e.getMessage());
            System.exit(1);
            return;
        }
        String level = config.logLevel().equals("fatal") ? "error" : config.logLevel();
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level);
        // The JSON parser may have set up logging already; a logger's own key is read when it is made.
        System.setProperty("org.slf4j.simpleLogger.log.io.berth", level);
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSZ");
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        System.setProperty("org.slf4j.simpleLogger.log.net.openhft", "warn");
        System.setProperty("org.slf4j.simpleLogger.log.io.netty", "warn");
        run(config);
    }

    private static void run(DaemonConfig settings) throws Exception {
        org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Main.class);
        SpecBuilder.Confinement confinement;
        IdMap ids;
        DaemonConfig config;
        try {
            ids = UsernsRemap.host().resolve(settings.usernsRemap(), true);
            confinement = HostConfinement.read(settings.seccompProfile()).withIds(ids);
            config = settings.withDataRoot(UsernsRemap.prepareRoot(settings.dataRoot(), ids));
        } catch (EngineException e) {
            System.err.println("berthd: " + e.getMessage());
            System.exit(1);
            return;
        }
        ContainerPaths paths = new ContainerPaths(config.dataRoot(), config.execRoot());
        Files.createDirectories(paths.containers());
        Files.createDirectories(paths.exits());
        PidFile pidFile = PidFile.acquire(config.pidfile());
        String daemonId = DaemonIdentity.load(config.dataRoot());

        // Opening the journal is the slowest step of a start (Chronicle's own start-up): it overlaps
        // with the rest of the wiring, which is ready to wait for it when replay begins.
        CompletableFuture<Journal> opening = CompletableFuture.supplyAsync(
                () -> ChronicleJournal.open(JournalConfig.defaults(config.dataRoot().resolve("journal"))
                        .withSyncMode(config.journalSync()).withRetention(config.eventsRetention())));
        SnapshotStore snapshots = new SnapshotStore(config.dataRoot().resolve("snapshots"), 2);
        Vertx vertx = Vertx.builder().with(new VertxOptions().setPreferNativeTransport(true)).build();
        if (!vertx.isNativeTransportEnabled()) {
            log.warn("native transport unavailable: {}", vertx.unavailableNativeTransportCause().getMessage());
        }
        AtomicInteger pumpThreads = new AtomicInteger();
        ExecutorService pumps = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "berth-stream-" + pumpThreads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        RuncRuntime runtime = new RuncRuntime(config.runc(), config.conmon(), paths.runcRoot());
        ExitMonitor exits = new ExitFileMonitor(paths.exits(), paths::shim);
        OomMonitor oom = oomMonitor(log);
        HostInfo host = HostInfo.read(config.runc(), config.conmon());
        SpecBuilder specs = new SpecBuilder(HostLimits.read(), config.defaultUlimits(), confinement);
        LocalImageStore store = new LocalImageStore(config.dataRoot().resolve("image"), ids);
        Metrics metrics = new Metrics(new Metrics.Settings(config.metrics().addr(), config.metrics().interval(),
                config.metrics().labelKeys(), config.dataRoot().resolve("metrics").resolve("counters.json")));
        CgroupReader cgroups = CgroupReader.forHost();
        Journal journal;
        try {
            journal = metrics.timed(opening.join());
        } catch (CompletionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }

        Context context = vertx.getOrCreateContext();
        Promise<Engine> ready = Promise.promise();
        context.runOnContext(v -> {
            try {
                Engine engine = Engine.recover(vertx, context, journal, snapshots);
                EventStreams events = new EventStreams(journal, snapshots, engine::state, host.hostname(),
                        Math.max(2, host.ncpu()));
                ImageService images = new ImageService(engine, store,
                        new RegistryDistribution(config.registries(), store, config.dataRoot().resolve("image")));
                ContainerFiles files = new ContainerFiles(paths, specs);
                TransitionHistory history = new TransitionHistory();
                history.seed(journal);
                engine.onEvent(history::accept);
                PolicyService policies = new PolicyService(engine, config.policies(), history, metrics::policyDecision);
                NetworkService networks = new NetworkService(engine,
                        new CniPlugins(CniPlugins.defaultDir()),
                        new NetNs(config.execRoot().resolve("netns")),
                        config.dataRoot().resolve("network").resolve("ipam"),
                        new HostsFiles(paths));
                VolumeService volumes = new VolumeService(engine,
                        config.dataRoot().resolve("volumes"), ids);
                ContainerService containers = new ContainerService(engine, runtime, images, files, paths, pumps, host.ncpu(),
                        config.restartBackoff(), oom, policies, networks, volumes);
                ExecService execs = new ExecService(engine, runtime, containers, paths, specs, pumps);
                Routes routes = new Routes();
                DiskUsage df = new DiskUsage(containers);
                new SystemRoutes(() -> new SystemRoutes.SystemBackend() {
                    @Override
                    public EngineState state() {
                        return engine.state();
                    }

                    @Override
                    public DaemonConfig config() {
                        return config;
                    }

                    @Override
                    public HostInfo host() {
                        return host;
                    }

                    @Override
                    public String daemonId() {
                        return daemonId;
                    }

                    @Override
                    public JsonObject extraInfo() {
                        long first = journal.firstSeq();
                        JsonObject metricsInfo = new JsonObject().put("Address", config.metrics().addr())
                                .put("Port", metrics.port());
                        long last = journal.lastSeq();
                        String retention = ConfigLoader.describe(config.eventsRetention());
                        // SystemStatus lines are what the docker CLI prints of an engine's own facts.
                        EngineState now = engine.state();
                        return new JsonObject().put("NEventsListener", events.subscribers())
                                .put("BerthState", new JsonObject().put("Sequence", now.seq())
                                        .put("Digest", StateDigest.of(now)))
                                .put("SystemStatus", new JsonArray()
                                        .add(new JsonArray().add("Events Retention").add(retention))
                                        .add(new JsonArray().add("Events Journal").add(last == 0 ? "empty"
                                                : "sequences " + first + " to " + last)))
                                .put("BerthMetrics", metricsInfo)
                                .put("BerthEvents", new JsonObject().put("Subscribers", events.subscribers())
                                        .put("WaitingForClients", events.waitingForClients()))
                                .put("BerthJournal", new JsonObject()
                                .put("LastSequence", last).put("FirstSequence", first)
                                .put("SizeBytes", journal.sizeBytes()).put("SyncMode", config.journalSync().name().toLowerCase())
                                .put("DamagedEntries", journal.damage().size())
                                .put("Retention", new JsonObject()
                                        .put("MaxAgeSeconds", config.eventsRetention().maxAge().toSeconds())
                                        .put("MaxSizeBytes", config.eventsRetention().maxBytes())
                                        .put("Text", retention)));
                    }

                    @Override
                    public Future<JsonObject> diskUsage() {
                        return df.compute();
                    }
                }).register(routes);
                new ContainerRoutes(containers, paths, new LogReader(paths, engine::state, pumps), new Top(engine, runtime))
                        .register(routes);
                new StatsRoutes(vertx, containers::find, new ContainerStats(cgroups, Path.of("/proc")),
                        host.memTotal()).register(routes);
                new ExecRoutes(execs).register(routes);
                new ImageRoutes(images, engine::state).register(routes);
                new CommitRoutes(containers, images).register(routes);
                new EventRoutes(events).register(routes);
                new NetworkRoutes(networks).register(routes);
                new VolumeRoutes(volumes).register(routes);
                new PolicyRoutes(policies).register(routes);
                if (!config.eventsRetention().unlimited()) {
                    // Retention also runs after each automatic snapshot; this bounds the age of what is
                    // kept on a quiet daemon, whose snapshots (every 10,000 events) are rare.
                    vertx.setPeriodic(RETENTION_CHECK_MILLIS, t -> engine.snapshot());
                }
                ApiServer api = new ApiServer(vertx, routes, metrics::apiRequest);
                new Reconciler(engine, runtime, paths, files).reconcile()
                        .compose(x -> engine.commit(new DaemonEvent.Started(daemonId, BerthVersion.VERSION,
                                ProcessHandle.current().pid())))
                        .compose(x -> metrics.start(vertx, journal, engine::state, context, cgroups))
                        .compose(x -> {
                            if (oom != null) {
                                oom.start(notice -> context.runOnContext(n -> containers.handleOom(notice)));
                            }
                            exits.start(notice -> context.runOnContext(n -> containers.handleExit(notice, exits)));
                            // TCP first: a client that waits for the socket file finds every listener up.
                            Future<Void> listening = Future.succeededFuture();
                            List<String> hosts = new ArrayList<>(config.tcpHosts());
                            config.hosts().stream().filter(h -> !h.startsWith("tcp://")).forEach(hosts::add);
                            for (String h : hosts) {
                                listening = listening.compose(done -> h.startsWith("tcp://") ? api.listenTcp(h, config.tls())
                                        : api.listen(Path.of(h.substring("unix://".length()))));
                            }
                            return listening;
                        })
                        .onSuccess(x -> {
                            // Not awaited: the API serves while the containers that come back start,
                            // and while the policy engine (most of a second) is made.
                            containers.afterDaemonStart();
                            policies.start();
                            shutdownHook(config, engine, api, containers, exits, oom, policies, events, metrics,
                                    journal, vertx, pumps, pidFile, daemonId);
                            ready.complete(engine);
                        })
                        .onFailure(ready::fail);
            } catch (RuntimeException e) {
                ready.fail(e);
            }
        });
        try {
            ready.future().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.error("berthd failed to start", e);
            System.exit(1);
        }
        log.info("berthd {} ready in {} ms since the JVM started (data root {}, live-restore {})", BerthVersion.VERSION,
                java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime(), config.dataRoot(),
                config.liveRestore());
        if ("1".equals(System.getenv("BERTH_EXIT_WHEN_READY"))) {
            // The launcher's training start, which records the classes a start loads for the next ones.
            System.exit(0);
        }
        SystemdNotifier.fromEnvironment().ready();
        new CountDownLatch(1).await();
    }

    /** The host's cgroup OOM watcher; without one, OOM kills are seen only when they end a run. */
    private static OomMonitor oomMonitor(org.slf4j.Logger log) {
        try {
            return OomMonitor.forHost();
        } catch (RuntimeException e) {
            log.warn("OOM kills will be reported only at a container's exit: {}", e.getMessage());
            return null;
        }
    }

    private static void shutdownHook(DaemonConfig config, Engine engine, ApiServer api, ContainerService containers,
                                     ExitMonitor exits, OomMonitor oom, PolicyService policies, EventStreams events,
                                     Metrics metrics, Journal journal, Vertx vertx,
                                     ExecutorService pumps, PidFile pidFile, String daemonId) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            SystemdNotifier.fromEnvironment().stopping();
            org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Main.class);
            CountDownLatch done = new CountDownLatch(1);
            engine.context().runOnContext(v -> {
                Future<Void> stopContainers = config.liveRestore() ? Future.succeededFuture() : containers.stopAll();
                stopContainers
                        .compose(x -> engine.commit(new DaemonEvent.Stopping(daemonId, "signal")))
                        .onComplete(x -> done.countDown());
            });
            try {
                if (!done.await(90, TimeUnit.SECONDS)) {
                    log.warn("shutdown did not finish in time");
                }
                // Event clients get everything journaled, the daemon's stop included, before their streams end.
                events.close();
                api.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                log.warn("closing the API: {}", e.toString());
            }
            exits.close();
            policies.close();
            if (oom != null) {
                oom.close();
            }
            // Its checkpoint covers the journal up to its end, the daemon's stop included.
            metrics.close();
            journal.close();
            pumps.shutdownNow();
            vertx.close();
            pidFile.release();
            log.info("berthd stopped");
        }, "berth-shutdown"));
    }
}
