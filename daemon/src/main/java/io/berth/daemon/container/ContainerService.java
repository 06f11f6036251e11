package io.berth.daemon.container;

import io.berth.daemon.engine.Engine;
import io.berth.daemon.image.ImageConfig;
import io.berth.daemon.image.ImageService;
import io.berth.daemon.os.IdMap;
import io.berth.daemon.image.TreeTar;
import io.berth.daemon.network.NetworkService;
import io.berth.daemon.os.FileOps;
import io.berth.daemon.policy.PolicyService;
import io.berth.daemon.runtime.CreateRequest;
import io.berth.daemon.runtime.ExitMonitor;
import io.berth.daemon.runtime.OciRuntime;
import io.berth.daemon.runtime.oom.OomMonitor;
import io.berth.daemon.volume.VolumeService;
import io.berth.errors.EngineException;
import io.berth.errors.ErrorKind;
import io.berth.events.ContainerEvent;
import io.berth.events.ContainerSpec;
import io.berth.events.Event;
import io.berth.events.EventEnvelope;
import io.berth.events.state.Container;
import io.berth.events.state.ContainerState;
import io.berth.events.state.EngineState;
import io.berth.events.state.StateReducer;
import io.berth.events.state.Transitions;
import io.berth.events.state.Transitions.Verb;
import io.berth.scripting.PolicyEngine;
import io.berth.scripting.PolicyEngine.Hook;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The container lifecycle: each operation validates against the state, does the runtime work off the
 * event loop, undoes what it acquired if that fails, and only then journals what happened. Runs on
 * the engine's context; operations on one container are serialized.
 *
 * <p>Waiting for an exit (stop, restart, forced removal, {@code docker wait}) happens outside the
 * container's serialization, so the exit itself can be journaled meanwhile.
 */
public final class ContainerService {

    private static final Logger LOG = LoggerFactory.getLogger(ContainerService.class);

    /** The outcome of a wait: the exit code of the run that ended. */
    public record WaitResult(int statusCode) {}

    private final Engine engine;
    private final OciRuntime runtime;
    private final ImageResolver images;
    private final ContainerFiles files;
    private final ContainerPaths paths;
    private final ExecutorService pumps;
    private final int ncpu;
    private final RestartRule.Backoff backoff;
    private final OomKills oomKills;
    private final PolicyService policies;
    private final NetworkService networks;
    private final VolumeService volumes;
    private final Map<String, Long> restartTimers = new HashMap<>();
    /** Set once this daemon stops its containers on the way down (live-restore off). */
    private boolean shuttingDown;
    private final Map<String, List<AttachSession>> pendingAttach = new HashMap<>();
    private final Map<String, List<Promise<EventEnvelope>>> exitWaiters = new HashMap<>();
    private final Map<String, List<Promise<EventEnvelope>>> removeWaiters = new HashMap<>();
    /** Names generated for creates not yet journaled. */
    private final Set<String> generating = ConcurrentHashMap.newKeySet();

    public ContainerService(Engine engine, OciRuntime runtime, ImageResolver images, ContainerFiles files,
                            ContainerPaths paths, ExecutorService pumps, int ncpu, RestartRule.Backoff backoff,
                            OomMonitor oomMonitor, PolicyService policies,
                            NetworkService networks,
                            VolumeService volumes) {
        this.networks = networks;
        this.volumes = volumes;
        this.engine = engine;
        this.runtime = runtime;
        this.images = images;
        this.files = files;
        this.paths = paths;
        this.pumps = pumps;
        this.ncpu = ncpu;
        this.backoff = backoff;
        this.oomKills = new OomKills(oomMonitor);
        this.policies = policies;
        engine.onEvent(this::dispatchWaiters);
    }

    // ---- lookup

    public EngineState state() {
        return engine.state();
    }

    /** The container a reference names, or NOT_FOUND "No such container: REF". */
    public Container find(String ref) {
        Container c = engine.state().findContainer(ref);
        if (c == null) {
            throw noSuchContainer(ref);
        }
        return c;
    }

    /** Runs {@code op} on the container {@code ref} names, after any other operation on it. */
    private <T> Future<T> exclusively(String ref, Function<String, Future<T>> op) {
        Container found = engine.state().findContainer(ref);
        if (found == null) {
            return Future.failedFuture(noSuchContainer(ref));
        }
        String id = found.id();
        return engine.exclusive(id, () -> op.apply(id));
    }

    private static EngineException noSuchContainer(String ref) {
        return EngineException.notFound("No such container: " + ref);
    }

    // ---- create

    /** Creates a container from a Docker create body; returns its id. */
    public Future<String> create(String name, JsonObject body) {
        try {
            String imageRef = CreateParser.image(body);
            var image = images.resolve(imageRef);
            String id = Names.newId();
            List<String> anonymous = new ArrayList<>();
            ContainerSpec spec = CreateParser.parse(body, image.id(), images.config(image.id()), id, ncpu, () -> {
                String n = VolumeService.anonymousName();
                anonymous.add(n);
                return n;
            });
            networks.requireSupportedMode(spec);
            files.check(spec);
            // A generated name avoids those of creates still in flight too: as dockerd's, it never conflicts.
            String chosen = name == null || name.isEmpty()
                    ? Names.generate(n -> engine.state().names().containsKey(n) || generating.contains(n))
                    : Names.validate(name);
            String owner = engine.state().names().get(chosen);
            if (owner != null) {
                // Refuse before anything is written; the commit checks again against in-flight creates.
                throw StateReducer.nameInUse(chosen, owner);
            }
            boolean generated = name == null || name.isEmpty();
            if (generated) {
                generating.add(chosen);
            }
            return engine.blocking(() -> {
                files.create(id, spec);
                List<Event> events = new ArrayList<>(volumes.prepareForCreate(spec.mounts(), anonymous));
                events.add(new ContainerEvent.Created(id, chosen, spec));
                return events;
            }).compose(events -> engine.commitAll(events))
                    .recover(err -> engine.blocking(() -> {
                        files.delete(id);
                        return null;
                    }).transform(ignored -> Future.failedFuture(err)))
                    .onComplete(done -> {
                        if (generated) {
                            generating.remove(chosen);
                        }
                    })
                    .map(env -> id);
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }

    // ---- start

    /** Starts a created or exited container. An already running one is NOT_MODIFIED (HTTP 304). */
    public Future<Void> start(String ref) {
        return exclusively(ref, id -> {
            Container c = find(id);
            switch (c.state()) {
                case ContainerState.Running r -> throw new EngineException(ErrorKind.NOT_MODIFIED, "already started");
                case ContainerState.Paused p -> throw EngineException.conflict(
                        "cannot start a paused container, try unpause instead");
                default -> Transitions.require(c, Verb.START);
            }
            cancelRestartTimer(id);
            return startRun(c).onFailure(err -> {
                if (c.spec().autoRemove()) {
                    // As dockerd: a --rm container that cannot start is removed, which ends the client's wait.
                    engine.context().runOnContext(x -> remove(id, true));
                }
            });
        });
    }

    /** Starts a new run of {@code c} (by hand or by policy), connecting the clients waiting to attach. */
    private Future<Void> startRun(Container c) {
        String id = c.id();
        List<AttachSession> attaching = pendingAttach.remove(id);
        return engine.blocking(() -> launch(c, attaching == null ? List.of() : attaching))
                .compose(run -> {
                    List<Event> events = new ArrayList<>(run.setup().attached());
                    events.addAll(VolumeService.runEvents(id, c.spec().mounts(), true));
                    events.add(new ContainerEvent.Started(id, run.pid(), run.startedAt()));
                    return engine.commitAll(events).map(run);
                })
                .compose(run -> run.setup().attached().isEmpty() ? Future.succeededFuture() : engine.blocking(() -> {
                    networks.refreshPeersOf(id);
                    return null;
                }))
                .onFailure(err -> {
                    if (attaching != null) {
                        attaching.forEach(AttachSession::abort);
                    }
                })
                .mapEmpty();
    }

    /** What a launch acquired: the init process, when it started, and its network setup. */
    private record Launched(int pid, long startedAt, NetworkService.Setup setup) {}

    /** Runs on a worker: everything between a stopped container and a running one, undone on failure. */
    private Launched launch(Container c, List<AttachSession> attaching) throws IOException {
        String id = c.id();
        boolean created = false;
        long t0 = System.nanoTime();
        NetworkService.Setup setup = NetworkService.Setup.NONE;
        networks.requireMode(c);
        try {
            files.mount(id, images.layerDirs(c.spec().imageId()));
            long t1 = System.nanoTime();
            var binds = volumes.resolve(c.spec().mounts());
            setup = networks.setUp(c);
            files.prepare(id, c.spec(), setup.netns(), setup.netns() == null ? null
                    : networks.hostsFor(c, setup.attached()), binds);
            Files.createDirectories(paths.shim(id));
            Files.createDirectories(paths.exits());
            Files.deleteIfExists(paths.exits().resolve(id));
            long t2 = System.nanoTime();
            int pid = runtime.create(new CreateRequest(id, c.name(), paths.dir(id), paths.shim(id), paths.exits(),
                    paths.log(id), c.spec().tty(), c.spec().openStdin()));
            created = true;
            long t3 = System.nanoTime();
            oomKills.watch(id);
            for (AttachSession s : attaching) {
                s.connect(runtime.attach(paths.shim(id).resolve("attach")), pumps);
            }
            long t4 = System.nanoTime();
            long startedAt = nowNanos();
            runtime.start(id);
            if (LOG.isDebugEnabled()) {
                LOG.debug("launched {} in {} us: mount {}, prepare {}, create {}, watch and attach {}, start {}", id,
                        (System.nanoTime() - t0) / 1000, (t1 - t0) / 1000, (t2 - t1) / 1000, (t3 - t2) / 1000,
                        (t4 - t3) / 1000, (System.nanoTime() - t4) / 1000);
            }
            return new Launched(pid, startedAt, setup);
        } catch (RuntimeException | IOException e) {
            if (created) {
                oomKills.forget(id);
                try {
                    runtime.delete(id, true);
                } catch (RuntimeException cleanup) {
                    LOG.warn("cleaning up {} after a failed start: {}", id, cleanup.getMessage());
                }
            }
            if (setup.netns() != null) {
                try {
                    networks.tearDown(id, setup.attached().stream().map(a ->
                            new NetworkService.Endpointed(a.networkId(), a.endpoint())).toList());
                } catch (RuntimeException | IOException cleanup) {
                    LOG.warn("tearing down the network of {} after a failed start: {}", id, cleanup.getMessage());
                }
            }
            throw startError(e);
        }
    }

    private static long nowNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /** Docker reports a missing or unrunnable command as the client's error, with runc's words. */
    private static RuntimeException startError(Exception e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        if (m.contains("executable file not found") || m.contains("no such file or directory")
                || m.contains("permission denied") || m.contains("unable to find user")) {
            return new EngineException(ErrorKind.INVALID_ARGUMENT, "failed to create task for container: " + m, e);
        }
        return e instanceof EngineException ee ? ee : EngineException.internal(m, e);
    }

    // ---- attach

    /**
     * Attaches a hijacked client. To a running container it connects at once; to a stopped one it
     * connects when the container next starts, before its process runs, so no output is missed.
     */
    public Future<Void> attach(Container c, AttachSession session) {
        Future<Void> attached;
        if (c.state() instanceof ContainerState.Running || c.state() instanceof ContainerState.Paused) {
            attached = engine.blocking(() -> {
                session.connect(runtime.attach(paths.shim(c.id()).resolve("attach")), pumps);
                return null;
            });
        } else {
            pendingAttach.computeIfAbsent(c.id(), k -> new ArrayList<>()).add(session);
            attached = Future.succeededFuture();
        }
        return attached.compose(v -> observed(new ContainerEvent.Attached(c.id())));
    }

    /**
     * Journals a fact that changes no state (an attach, a resize, the end of a stop or restart) for
     * {@code docker events}. The operation it reports has happened, so it does not fail when the
     * container moved on meanwhile (removed, say): the fact is then dropped.
     */
    private Future<Void> observed(ContainerEvent event) {
        return engine.commit(event).<Void>mapEmpty().recover(err -> {
            LOG.debug("not journaling {}: {}", event, err.getMessage());
            return Future.succeededFuture();
        });
    }

    /** Resizes the TTY of a running container; a container without one ignores it, as Docker does. */
    public Future<Void> resize(String ref, int height, int width) {
        Container c = engine.state().findContainer(ref);
        if (c == null) {
            return Future.failedFuture(noSuchContainer(ref));
        }
        if (!(c.state() instanceof ContainerState.Running || c.state() instanceof ContainerState.Paused)) {
            return Future.failedFuture(EngineException.conflict("Container " + c.id() + " is not running"));
        }
        if (!c.spec().tty() || height <= 0 || width <= 0) {
            return Future.succeededFuture();
        }
        return engine.blocking(() -> {
            runtime.resize(paths.shim(c.id()), height, width);
            return null;
        }).compose(v -> observed(new ContainerEvent.Resized(c.id(), height, width)));
    }

    /** The size of each container's writable layer, in the order given. */
    public Future<List<Long>> blockingSizes(List<Container> containers) {
        return engine.blocking(() -> {
            List<Long> out = new ArrayList<>();
            for (Container c : containers) {
                out.add(FileOps.treeSize(paths.upper(c.id())));
            }
            return out;
        });
    }

    /** Runs blocking file work on the container's root file system, mounting it first if needed. */
    public <T> Future<T> withRootfs(String ref, Function<String, Callable<T>> work) {
        Container c = engine.state().findContainer(ref);
        if (c == null) {
            return Future.failedFuture(noSuchContainer(ref));
        }
        return engine.exclusive(c.id() + "/files", () -> engine.blocking(() -> {
            files.mount(c.id(), images.layerDirs(c.spec().imageId()));
            return work.apply(c.id()).call();
        }));
    }

    /**
     * Paths of the root file system that the runtime mounts over or makes for each run, like
     * Docker's init layer: neither {@code docker diff} nor {@code docker commit} shows them.
     */
    static final Set<String> RUNTIME_PATHS = Set.of("/etc/hosts", "/etc/hostname", "/etc/resolv.conf", "/etc/mtab",
            "/dev", "/proc", "/sys", "/.dockerenv");

    /** {@code docker diff}: what the container changed in its image's file system. */
    public Future<List<TreeTar.Change>> changes(String ref) {
        Container c = engine.state().findContainer(ref);
        if (c == null) {
            return Future.failedFuture(noSuchContainer(ref));
        }
        return engine.exclusive(c.id() + "/files", () -> engine.blocking(() ->
                TreeTar.changes(paths.upper(c.id()), images.layerDirs(c.spec().imageId()), RUNTIME_PATHS)));
    }

    /** How container ids map to host ids on this daemon ({@code userns-remap}). */
    public IdMap ids() {
        return files.ids();
    }

    /** {@code docker export}: the container's whole root file system as a tar. */
    public Future<Void> export(String ref, OutputStream out) {
        return withRootfs(ref, id -> () -> {
            TreeTar.export(paths.rootfs(id), out, files.ids());
            return null;
        });
    }

    /**
     * {@code docker commit}: a new image of the container's changes; a running container is paused
     * meanwhile when {@code pause}, so the layer is one moment of it, and resumed after.
     */
    public Future<String> commit(String ref, boolean pause, ImageService imageService, ImageService.CommitOptions options) {
        Container c = engine.state().findContainer(ref);
        if (c == null) {
            return Future.failedFuture(noSuchContainer(ref));
        }
        if (c.state() instanceof ContainerState.Removing || c.state() instanceof ContainerState.Dead) {
            return Future.failedFuture(EngineException.conflict("cannot commit: container is " + c.state().status()));
        }
        boolean pauseIt = pause && c.state() instanceof ContainerState.Running;
        ContainerSpec s = c.spec();
        ImageConfig config = new ImageConfig(s.env(), s.entrypoint(), s.cmd(), s.workingDir(), s.user(), s.labels(),
                s.stopSignal(), s.exposedPorts(), "", "");
        ImageService.CommitSource src = new ImageService.CommitSource(c.id(), s.imageId(), paths.upper(c.id()),
                images.layerDirs(s.imageId()), RUNTIME_PATHS, config, String.join(" ", s.cmd()));
        Future<Void> paused = pauseIt ? pause(c.id()) : Future.succeededFuture();
        return paused.compose(v -> {
            Future<String> committed = engine.exclusive(c.id() + "/files", () -> imageService.commit(src, options));
            return pauseIt ? committed.eventually(() -> unpause(c.id())) : committed;
        });
    }

    // ---- signals, stop, restart

    /**
     * Sends a signal; the container must be running (or paused). As in Docker, a kill meant to end the
     * container (SIGKILL, or its stop signal) keeps a restart policy from undoing it, and a kill during
     * a restart backoff cancels the pending restart without signalling anything.
     */
    public Future<Void> kill(String ref, int signal) {
        return exclusively(ref, id -> {
            Container c = find(id);
            if (c.state() instanceof ContainerState.Restarting) {
                return cancelPendingRestart(c, new ContainerEvent.StopRequested(id, signal, 0, false),
                        "killed by the user");
            }
            if (!Transitions.allowed(c.state().status(), Verb.KILL)) {
                throw EngineException.conflict("Cannot kill container: " + ref + ": container " + id + " is not running");
            }
            return signal(c, signal, endsRun(c, signal) ? new ContainerEvent.StopRequested(id, signal, 0, false) : null);
        });
    }

    /**
     * Whether a user's signal asks the run to end. Docker counts SIGKILL and the container's stop
     * signal, and any signal when the container sets no stop signal of its own; the spec keeps only
     * the effective one, so the default SIGTERM stands for "none set".
     */
    private static boolean endsRun(Container c, int signal) {
        int stop = Signals.parse(c.spec().stopSignal());
        return signal == Signals.SIGKILL || signal == stop || stop == Signals.SIGTERM;
    }

    /**
     * Delivers a signal to the init process and journals it, after {@code request} when the signal is
     * meant to stop the run; a paused container is thawed so a stop lands.
     */
    private Future<Void> signal(Container c, int signal, ContainerEvent.StopRequested request) {
        boolean paused = c.state() instanceof ContainerState.Paused;
        List<Event> facts = new ArrayList<>(2);
        if (request != null && !c.exitRequested()) {
            facts.add(request);
        }
        facts.add(new ContainerEvent.Killed(c.id(), signal));
        return engine.blocking(() -> {
            runtime.kill(c.id(), signal);
            if (paused && (signal == Signals.SIGKILL || signal == Signals.SIGTERM)) {
                runtime.resume(c.id());
            }
            return null;
        }).compose(v -> engine.commitAll(facts)).recover(err -> {
            // The process may have exited between the check and the signal: then the exit is on its way.
            if (EngineException.is(err, ErrorKind.CONFLICT) || EngineException.is(err, ErrorKind.NOT_FOUND)) {
                return Future.succeededFuture();
            }
            return Future.failedFuture(err);
        }).mapEmpty();
    }

    /** Ends a restart backoff: the timer is dropped and the container stays exited. */
    private Future<Void> cancelPendingRestart(Container c, ContainerEvent.StopRequested request, String why) {
        cancelRestartTimer(c.id());
        return engine.commitAll(List.of(request, new ContainerEvent.RestartCancelled(c.id(), why))).mapEmpty();
    }

    /**
     * Stops a container as Docker does: its stop signal, then SIGKILL after the timeout. A container
     * that is not running is NOT_MODIFIED.
     */
    public Future<Void> stop(String ref, Integer timeoutSeconds, String signalName) {
        return stop(ref, timeoutSeconds, signalName, false);
    }

    private Future<Void> stop(String ref, Integer timeoutSeconds, String signalName, boolean daemonShutdown) {
        Container c = engine.state().findContainer(ref);
        if (c == null) {
            return Future.failedFuture(noSuchContainer(ref));
        }
        boolean restarting = c.state() instanceof ContainerState.Restarting;
        if (!restarting && !isLive(c.id())) {
            return Future.failedFuture(new EngineException(ErrorKind.NOT_MODIFIED, "container already stopped"));
        }
        int sig;
        try {
            sig = Signals.parse(signalName != null && !signalName.isEmpty() ? signalName : c.spec().stopSignal());
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
        int timeout = timeoutSeconds != null ? timeoutSeconds : c.spec().stopTimeout() >= 0 ? c.spec().stopTimeout() : 10;
        String id = c.id();
        Future<EventEnvelope> exited = nextExit(id);
        boolean[] requested = {false};
        Future<Void> sent = engine.exclusive(id, () -> {
            Container now = find(id);
            var request = new ContainerEvent.StopRequested(id, sig, timeout, daemonShutdown);
            if (now.state() instanceof ContainerState.Restarting) {
                requested[0] = true;
                return cancelPendingRestart(now, request, "stopped by the user");
            }
            if (!Transitions.allowed(now.state().status(), Verb.STOP)) {
                return Future.succeededFuture();
            }
            return engine.commit(request).compose(x -> {
                requested[0] = true;
                return signal(find(id), sig, null);
            });
        });
        // As dockerd, a stop that ended a run is reported after the run's exit and the release of its
        // network; queued behind the exit's handling, it and the answer come once the run is released.
        return sent.compose(v -> awaitStop(id, timeout, exited))
                .compose(v -> requested[0] ? engine.exclusive(id, () -> observed(new ContainerEvent.Stopped(id)))
                        : Future.succeededFuture());
    }

    /** Waits for the exit a stop signal asked for, with SIGKILL after {@code timeout} seconds. */
    private Future<Void> awaitStop(String id, int timeout, Future<EventEnvelope> exited) {
        if (!isLive(id)) {
            return Future.succeededFuture();
        }
        Promise<Void> done = Promise.promise();
        long timer = timeout < 0 ? -1 : engine.vertx().setTimer(Math.max(1, timeout * 1000L), t -> {
            if (isLive(id)) {
                engine.exclusive(id, () -> {
                    Container now = engine.state().container(id);
                    return now != null && Transitions.allowed(now.state().status(), Verb.KILL)
                            ? signal(now, Signals.SIGKILL, null) : Future.succeededFuture();
                });
            }
        });
        exited.onComplete(ar -> {
            if (timer >= 0) {
                engine.vertx().cancelTimer(timer);
            }
            done.complete();
        });
        return done.future();
    }

    private boolean isLive(String id) {
        Container c = engine.state().container(id);
        return c != null && (c.state() instanceof ContainerState.Running || c.state() instanceof ContainerState.Paused);
    }

    public Future<Void> restart(String ref, Integer timeoutSeconds, String signal) {
        Container c = engine.state().findContainer(ref);
        if (c == null) {
            return Future.failedFuture(noSuchContainer(ref));
        }
        String id = c.id();
        return stop(id, timeoutSeconds, signal)
                .recover(err -> EngineException.is(err, ErrorKind.NOT_MODIFIED) ? Future.succeededFuture()
                        : Future.failedFuture(err))
                .compose(v -> start(id))
                .compose(v -> observed(new ContainerEvent.Restarted(id)))
                .recover(err -> EngineException.is(err, ErrorKind.NOT_MODIFIED) ? Future.succeededFuture()
                        : Future.failedFuture(err));
    }

    /** Stops every running container with its own timeout (a daemon stop without live-restore). */
    public Future<Void> stopAll() {
        shuttingDown = true;
        List<Future<Void>> stops = new ArrayList<>();
        for (Container c : engine.state().containers().values()) {
            if (isLive(c.id())) {
                stops.add(stop(c.id(), null, null, true).otherwiseEmpty());
            }
        }
        return Future.join(stops).mapEmpty();
    }

    // ---- pause

    public Future<Void> pause(String ref) {
        return simple(ref, c -> {
            if (c.state() instanceof ContainerState.Paused) {
                throw EngineException.conflict("Container " + c.id() + " is already paused");
            }
            if (!(c.state() instanceof ContainerState.Running)) {
                throw EngineException.conflict("Container " + c.id() + " is not running");
            }
            return engine.blocking(() -> {
                runtime.pause(c.id());
                return null;
            }).compose(v -> engine.commit(new ContainerEvent.Paused(c.id())));
        });
    }

    public Future<Void> unpause(String ref) {
        return simple(ref, c -> {
            if (!(c.state() instanceof ContainerState.Paused)) {
                throw EngineException.conflict("Container " + c.id() + " is not paused");
            }
            return engine.blocking(() -> {
                runtime.resume(c.id());
                return null;
            }).compose(v -> engine.commit(new ContainerEvent.Unpaused(c.id())));
        });
    }

    // ---- rename, update

    public Future<Void> rename(String ref, String newName) {
        return simple(ref, c -> {
            if (newName == null || newName.isEmpty()) {
                throw EngineException.invalid("Neither old nor new names may be empty");
            }
            String name = Names.validate(newName);
            if (name.equals(c.name())) {
                throw EngineException.invalid("Renaming a container with the same name as its current name");
            }
            return engine.commit(new ContainerEvent.Renamed(c.id(), c.name(), name));
        });
    }

    /** Changes the restart policy (and, for a container that is not running, its limits). */
    public Future<Void> update(String ref, JsonObject body) {
        return simple(ref, c -> {
            ContainerSpec.RestartPolicy policy = body.containsKey("RestartPolicy")
                    ? CreateParser.restartPolicy(body.getJsonObject("RestartPolicy")) : c.spec().restartPolicy();
            if (c.spec().autoRemove() && !"no".equals(policy.name())) {
                throw EngineException.invalid("Restart policy cannot be updated because AutoRemove is enabled for the container");
            }
            ContainerSpec.Resources res = CreateParser.resources(body, ncpu);
            boolean changesLimits = !res.equals(CreateParser.resources(new JsonObject(), ncpu));
            if (changesLimits && isLive(c.id())) {
                throw new EngineException(ErrorKind.NOT_IMPLEMENTED,
                        "updating the limits of a running container is not supported yet; stop it first");
            }
            return engine.commit(new ContainerEvent.Updated(c.id(), changesLimits ? res : c.spec().resources(), policy));
        });
    }

    private Future<Void> simple(String ref, Function<Container, Future<?>> op) {
        Container found = engine.state().findContainer(ref);
        if (found == null) {
            return Future.failedFuture(noSuchContainer(ref));
        }
        return engine.exclusive(found.id(), () -> op.apply(find(found.id())).mapEmpty());
    }

    // ---- remove

    /** Removes a container, and with {@code removeVolumes} ({@code rm -v}) its anonymous volumes. */
    public Future<Void> remove(String ref, boolean force, boolean removeVolumes) {
        Container c = engine.state().findContainer(ref);
        if (c == null || !removeVolumes) {
            return remove(ref, force);
        }
        List<String> anonymous = new ArrayList<>();
        for (ContainerSpec.Mount m : c.spec().mounts()) {
            var v = "volume".equals(m.type()) ? engine.state().volumes().get(m.source()) : null;
            if (v != null && v.anonymous()) {
                anonymous.add(v.name());
            }
        }
        return remove(ref, force).compose(x -> {
            List<Future<Void>> removals = new ArrayList<>();
            for (String name : anonymous) {
                removals.add(volumes.remove(name, true).recover(err -> {
                    LOG.warn("removing volume {} of {}: {}", name, c.id(), err.getMessage());
                    return Future.succeededFuture();
                }));
            }
            return Future.join(removals).mapEmpty();
        });
    }

    /** Removes a container; a running one only with {@code force}, which kills it first. */
    public Future<Void> remove(String ref, boolean force) {
        Container c = engine.state().findContainer(ref);
        if (c == null) {
            return Future.failedFuture(noSuchContainer(ref));
        }
        String id = c.id();
        if (force) {
            cancelRestartTimer(id); // a restart pending in its backoff would race the removal
        }
        Future<Void> stopped = Future.succeededFuture();
        if (c.state() instanceof ContainerState.Running || c.state() instanceof ContainerState.Paused) {
            if (!force) {
                return Future.failedFuture(EngineException.conflict("cannot remove container \"/" + c.name()
                        + "\": container is running: stop the container before removing or force remove"));
            }
            Future<EventEnvelope> exited = nextExit(id);
            stopped = engine.exclusive(id, () -> {
                Container now = find(id);
                return Transitions.allowed(now.state().status(), Verb.KILL)
                        ? signal(now, Signals.SIGKILL, new ContainerEvent.StopRequested(id, Signals.SIGKILL, 0, false))
                        : Future.succeededFuture();
            }).compose(v -> isLive(id) ? exited.mapEmpty() : Future.succeededFuture());
        }
        boolean[] again = {false};
        return stopped.compose(v -> engine.exclusive(id, () -> {
            Container now = engine.state().container(id);
            if (now == null) {
                return Future.<Void>succeededFuture();
            }
            if (force && isLive(id)) {
                // A restart that was already under way when the removal began: stop that run too.
                again[0] = true;
                return Future.<Void>succeededFuture();
            }
            if (now.state() instanceof ContainerState.Restarting && !force) {
                throw EngineException.conflict("cannot remove container \"/" + now.name()
                        + "\": container is restarting: stop the container before removing or force remove");
            }
            if (now.state() instanceof ContainerState.Removing) {
                throw EngineException.conflict("removal of container " + id + " is already in progress");
            }
            return engine.commit(new ContainerEvent.Removing(id))
                    .compose(x -> engine.blocking(() -> {
                        oomKills.forget(id);
                        runtime.delete(id, true);
                        // Endpoints a crash left behind go with the container (its removal drops them).
                        networks.tearDown(id, networks.endpointsOf(id));
                        files.delete(id);
                        return null;
                    }))
                    .compose(x -> engine.commit(new ContainerEvent.Removed(id)),
                            err -> engine.commit(new ContainerEvent.Dead(id, err.getMessage()))
                                    .transform(ignored -> Future.failedFuture(err)))
                    .<Void>mapEmpty();
        })).compose(v -> again[0] ? remove(id, true) : Future.succeededFuture());
    }

    /** Removes every stopped container; returns the removed ids. */
    public Future<List<String>> prune() {
        List<Future<String>> removals = new ArrayList<>();
        for (Container c : engine.state().containers().values()) {
            if (c.state() instanceof ContainerState.Exited || c.state() instanceof ContainerState.Created
                    || c.state() instanceof ContainerState.Dead) {
                removals.add(remove(c.id(), false).map(c.id()).otherwise((String) null));
            }
        }
        return Future.join(removals).map(cf -> {
            List<String> ids = new ArrayList<>();
            for (Future<String> f : removals) {
                if (f.result() != null) {
                    ids.add(f.result());
                }
            }
            return ids;
        });
    }

    // ---- wait

    /**
     * Waits as {@code POST /containers/{id}/wait} does. {@code registered} completes once the wait is
     * in place, so the caller can tell the client before the container may exit.
     */
    public Future<WaitResult> waitFor(String ref, String condition) {
        Container c = engine.state().findContainer(ref);
        if (c == null) {
            return Future.failedFuture(noSuchContainer(ref));
        }
        String id = c.id();
        return switch (condition == null || condition.isEmpty() ? "not-running" : condition) {
            case "not-running" -> isLive(id) || c.state() instanceof ContainerState.Restarting
                    ? nextExit(id).map(e -> new WaitResult(exitCodeOf(e, id)))
                    : Future.succeededFuture(new WaitResult(c.exitCode()));
            case "next-exit" -> nextExit(id).map(e -> new WaitResult(exitCodeOf(e, id)));
            case "removed" -> {
                Promise<EventEnvelope> p = Promise.promise();
                removeWaiters.computeIfAbsent(id, k -> new ArrayList<>()).add(p);
                int[] lastExit = {c.exitCode()};
                Future<EventEnvelope> exit = nextExit(id);
                exit.onSuccess(e -> lastExit[0] = exitCodeOf(e, id));
                yield p.future().map(e -> new WaitResult(lastExit[0]));
            }
            default -> Future.failedFuture(EngineException.invalid("invalid condition: \"" + condition + "\""));
        };
    }

    private int exitCodeOf(EventEnvelope e, String id) {
        if (e.event() instanceof ContainerEvent.Exited x) {
            Container c = engine.state().container(id);
            return c != null ? c.exitCode() : x.exitCode();
        }
        return -1;
    }

    /** Completes at the container's next exit (or its removal). */
    public Future<EventEnvelope> nextExit(String id) {
        Promise<EventEnvelope> p = Promise.promise();
        exitWaiters.computeIfAbsent(id, k -> new ArrayList<>()).add(p);
        return p.future();
    }

    private void dispatchWaiters(EventEnvelope env) {
        Event e = env.event();
        if (e instanceof ContainerEvent.Exited x) {
            complete(exitWaiters.remove(x.id()), env);
        } else if (e instanceof ContainerEvent.Removed r) {
            complete(exitWaiters.remove(r.id()), env);
            complete(removeWaiters.remove(r.id()), env);
            cancelRestartTimer(r.id());
            List<AttachSession> orphans = pendingAttach.remove(r.id());
            if (orphans != null) {
                orphans.forEach(AttachSession::abort);
            }
        }
    }

    private static void complete(List<Promise<EventEnvelope>> waiters, EventEnvelope env) {
        if (waiters != null) {
            waiters.forEach(p -> p.tryComplete(env));
        }
    }

    // ---- exits

    /** Journals an exit the shim recorded, once, then frees the runtime's state for the next start. */
    public void handleExit(ExitMonitor.ExitNotice notice, ExitMonitor monitor) {
        String id = notice.id();
        engine.exclusive(id, () -> {
            Container c = engine.state().container(id);
            if (c == null || !(c.state() instanceof ContainerState.Running || c.state() instanceof ContainerState.Paused)) {
                // A repeated notice, or a container we no longer know: only the runtime's leftovers remain.
                return engine.blocking(() -> {
                    if (c == null) {
                        runtime.delete(id, true);
                    }
                    monitor.acknowledge(id);
                    return null;
                });
            }
            return engine.blocking(() -> oomKills.claimAtExit(id)).compose(killed -> journalExit(c, notice, killed))
                    .compose(decision -> engine.blocking(() -> {
                        oomKills.forget(id);
                        runtime.delete(id, false);
                        monitor.acknowledge(id);
                        return decision;
                    })).compose(decision -> releaseRun(id, c.spec()).map(decision))
                    .onSuccess(decision -> afterExit(c, decision));
        }).onFailure(err -> LOG.error("handling the exit of {} failed", id, err));
    }

    /**
     * After a run ended: tears its endpoints down and journals that, with the unmount of its volumes.
     * A teardown that fails is logged and not journaled, so a later removal or daemon start retries it.
     */
    private Future<Void> releaseRun(String id, ContainerSpec spec) {
        List<NetworkService.Endpointed> endpoints = networks.endpointsOf(id);
        return engine.blocking(() -> {
            List<Event> events = new ArrayList<>();
            if (!endpoints.isEmpty() || networks.hasNamespace(id)) {
                try {
                    networks.tearDown(id, endpoints);
                    events.addAll(NetworkService.detachedEvents(id, endpoints));
                } catch (RuntimeException | IOException e) {
                    LOG.warn("tearing down the network of {}: {}", id, e.getMessage());
                }
            }
            events.addAll(VolumeService.runEvents(id, spec.mounts(), false));
            return events;
        }).compose(events -> events.isEmpty() ? Future.<Void>succeededFuture() : engine.commitAll(events))
                .compose(v -> endpoints.isEmpty() ? Future.succeededFuture() : engine.blocking(() -> {
                    networks.refreshPeersOf(id);
                    return null;
                }))
                .recover(err -> {
                    LOG.warn("releasing the run of {}: {}", id, err.getMessage());
                    return Future.succeededFuture();
                }).mapEmpty();
    }

    /**
     * Journals the end of a run: the OOM kill that ended it when the cgroup (or conmon) saw one not
     * journaled yet, the exit, and the restart policy's decision.
     */
    private Future<RestartRule.Decision> journalExit(Container c, ExitMonitor.ExitNotice notice, boolean oomKilled) {
        String id = c.id();
        List<Event> events = new ArrayList<>();
        if (oomKilled || (notice.oomKilled() && !c.oomKilled())) {
            events.add(new ContainerEvent.OomKilled(id));
        }
        // The exit file's time comes from the kernel's coarse clock (a tick of a few ms), so a run
        // shorter than a tick can seem to end before it started: it ended no earlier than that.
        long finished = Math.max(notice.exitedAtNanos(), c.startedNanos());
        events.add(new ContainerEvent.Exited(id, notice.exitCode(), finished, c.pid()));
        RestartRule.Decision docker = RestartRule.afterExit(c.spec().restartPolicy(),
                new RestartRule.LastRun(notice.exitCode(), c.exitRequested(), c.manuallyStopped(),
                        finished - c.startedNanos(), c.restartCount(), c.restartDelayMillis()), backoff);
        // A user's stop is never the policy's to undo, and a --rm container goes when it exits.
        if (policies.policyOf(c) == null || c.exitRequested() || c.spec().autoRemove()) {
            if (docker instanceof RestartRule.Decision.Restart r) {
                events.add(new ContainerEvent.Restarting(id, r.attempt(), r.delayMillis(), r.reason()));
            }
            return engine.commitAll(events).map(docker);
        }
        // The exit is journaled first (its die goes out at once); the decision follows it.
        return engine.commitAll(events)
                .compose(v -> policies.decide(engine.state().container(id), Hook.ON_EXIT, notice.exitCode(), finished))
                .compose(outcome -> journalDecision(c, outcome, docker, "after exit code " + notice.exitCode()));
    }

    /**
     * Journals a policy's outcome (decision or failure) and what it leads to, before anything acts
     * on it; returns the restart decision to carry out. A policy that failed, deferred, or does not
     * exist leaves Docker's decision ({@code fallback}) in place.
     */
    private Future<RestartRule.Decision> journalDecision(Container c, PolicyEngine.Outcome outcome,
                                                         RestartRule.Decision fallback, String why) {
        String id = c.id();
        List<Event> events = new ArrayList<>();
        RestartRule.Decision decision = fallback;
        if (outcome != null) {
            events.add(PolicyService.journalEntry(id, outcome));
            if (!outcome.failed()) {
                String by = "policy " + outcome.policy() + " (" + outcome.hook().function() + ")";
                switch (outcome.decision()) {
                    case PolicyEngine.Decision.Restart r -> {
                        if (r.memoryBytes() > 0) {
                            events.add(new ContainerEvent.Updated(id, policies.withMemory(c.spec().resources(),
                                    r.memoryBytes()), c.spec().restartPolicy()));
                        }
                        decision = new RestartRule.Decision.Restart(c.restartCount() + 1, r.delayMs(), by + " " + why);
                    }
                    case PolicyEngine.Decision.Stop st -> decision = new RestartRule.Decision.Stay(by + " decided stop");
                    case PolicyEngine.Decision.Default d -> { }
                }
            }
        }
        if (decision instanceof RestartRule.Decision.Restart r) {
            events.add(new ContainerEvent.Restarting(id, r.attempt(), r.delayMillis(), r.reason()));
        }
        RestartRule.Decision result = decision;
        return events.isEmpty() ? Future.succeededFuture(result) : engine.commitAll(events).map(result);
    }

    /** What follows a journaled exit: the policy's restart, a comeback, or the removal of a --rm container. */
    private void afterExit(Container c, RestartRule.Decision decision) {
        String id = c.id();
        if (decision instanceof RestartRule.Decision.Restart r) {
            scheduleRestart(id, r.attempt(), r.delayMillis());
        } else if (c.exitRequested() && !c.manuallyStopped() && !shuttingDown
                && RestartRule.atDaemonStart(c.spec().restartPolicy(), false)) {
            // A previous daemon's shutdown asked for this exit and went down before it saw it: this
            // daemon has started since, which brings the container back.
            engine.context().runOnContext(x -> start(id).onFailure(err ->
                    LOG.warn("starting {} with the daemon failed: {}", id, err.getMessage())));
        } else if (c.spec().autoRemove()) {
            engine.context().runOnContext(x -> remove(id, true).onFailure(err ->
                    LOG.warn("auto-removing {} failed: {}", id, err.getMessage())));
        }
    }

    /** Journals an OOM kill the cgroup reported during a run (of the main process or any other). */
    public void handleOom(OomMonitor.OomNotice notice) {
        String id = notice.id();
        engine.exclusive(id, () -> {
            if (!isLive(id) || !oomKills.claim(id, notice.killCount())) {
                return Future.<Void>succeededFuture();
            }
            return engine.commit(new ContainerEvent.OomKilled(id)).<Void>mapEmpty();
        }).onFailure(err -> LOG.warn("journaling the OOM kill of {} failed: {}", id, err.getMessage()));
    }

    // ---- restarts by policy

    /** Starts {@code attempt} after {@code delayMillis}, unless the container has moved on by then. */
    private void scheduleRestart(String id, int attempt, long delayMillis) {
        cancelRestartTimer(id);
        long timer = engine.vertx().setTimer(Math.max(1, delayMillis), t -> {
            restartTimers.remove(id);
            restartByPolicy(id, attempt);
        });
        restartTimers.put(id, timer);
    }

    private void cancelRestartTimer(String id) {
        Long timer = restartTimers.remove(id);
        if (timer != null) {
            engine.vertx().cancelTimer(timer);
        }
    }

    /** The pending restart {@code attempt}: a start that fails leaves the container exited, as in Docker. */
    private Future<Void> restartByPolicy(String id, int attempt) {
        return engine.exclusive(id, () -> {
            Container c = engine.state().container(id);
            if (c == null || !(c.state() instanceof ContainerState.Restarting r) || r.attempt() != attempt) {
                return Future.<Void>succeededFuture();
            }
            return startRun(c).recover(err -> {
                LOG.warn("restart {} of {} failed: {}", attempt, id, err.getMessage());
                // As Docker, a failed restart leaves the container exited, unless its policy's
                // onStartFailure decides to try again.
                return engine.commit(new ContainerEvent.RestartCancelled(id, "restart failed: " + err.getMessage()))
                        .compose(v -> policies.decide(engine.state().container(id), Hook.ON_START_FAILURE,
                                c.exitCode(), c.finishedNanos()))
                        .compose(outcome -> journalDecision(engine.state().container(id), outcome,
                                new RestartRule.Decision.Stay("restart failed"), "after a failed start"))
                        .onSuccess(decision -> {
                            if (decision instanceof RestartRule.Decision.Restart again) {
                                scheduleRestart(id, again.attempt(), again.delayMillis());
                            }
                        })
                        .mapEmpty();
            });
        }).onFailure(err -> LOG.error("restarting {} failed", id, err));
    }

    /**
     * Once the daemon is up: restarts whose backoff was under way when it went down are scheduled
     * again, and containers whose policy brings them back with the daemon ({@code always}, and
     * {@code unless-stopped} unless a user stopped it) are started.
     */
    public Future<Void> afterDaemonStart() {
        List<Future<Void>> starts = new ArrayList<>();
        for (Container c : engine.state().containers().values()) {
            if (isLive(c.id())) {
                engine.blocking(() -> {
                    oomKills.watch(c.id());
                    return null;
                });
            } else if (!networks.endpointsOf(c.id()).isEmpty()) {
                // A run that ended while the daemon was down: its endpoints are torn down first.
                starts.add(engine.exclusive(c.id(), () -> releaseRun(c.id(), c.spec()))
                        .compose(x -> resumeStopped(engine.state().container(c.id()))));
            } else {
                starts.add(resumeStopped(c));
            }
        }
        return Future.join(starts).mapEmpty();
    }

    /** A stopped container at daemon start: a restart under way is scheduled again, a policy's start made. */
    private Future<Void> resumeStopped(Container c) {
        if (c != null && c.state() instanceof ContainerState.Restarting r) {
            scheduleRestart(c.id(), r.attempt(), r.delayMillis());
        } else if (c != null && c.state() instanceof ContainerState.Exited
                && RestartRule.atDaemonStart(c.spec().restartPolicy(), c.manuallyStopped())) {
            return start(c.id()).onFailure(err ->
                    LOG.warn("starting {} with the daemon failed: {}", c.id(), err.getMessage()));
        }
        return Future.succeededFuture();
    }
}
