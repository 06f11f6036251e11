package io.berth.daemon.engine;

import io.berth.daemon.container.ContainerFiles;
import io.berth.daemon.container.ContainerPaths;
import io.berth.daemon.runtime.OciRuntime;
import io.berth.daemon.runtime.RuntimeState;
import io.berth.events.ContainerEvent;
import io.berth.events.Event;
import io.berth.events.state.Container;
import io.berth.events.state.ContainerState;
import io.vertx.core.Future;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At startup, lines the replayed state up with what really runs. Containers the runtime still runs
 * keep running (live-restore). Those that exited while the daemon was down have an exit file: the
 * exit monitor reports them with their real code and time. Those that vanished without one are
 * journaled as exited with 255, Docker's code for an unknown exit. Runtime containers and container
 * directories the journal does not know were made just before a crash, whose create was never
 * acknowledged: they are deleted. A removal cut short is journaled as dead, so it can be retried.
 */
public final class Reconciler {

    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);
    static final int UNKNOWN_EXIT = 255;

    private final Engine engine;
    private final OciRuntime runtime;
    private final ContainerPaths paths;
    private final ContainerFiles files;

    public Reconciler(Engine engine, OciRuntime runtime, ContainerPaths paths, ContainerFiles files) {
        this.engine = engine;
        this.runtime = runtime;
        this.paths = paths;
        this.files = files;
    }

    public Future<Void> reconcile() {
        List<Container> known = new ArrayList<>(engine.state().containers().values());
        return engine.blocking(() -> {
            List<RuntimeState> running = runtime.list();
            // One listing for all: asking the runtime about each container would make a start with
            // many containers slow.
            Map<String, RuntimeState> byId = new HashMap<>();
            running.forEach(rs -> byId.put(rs.id(), rs));
            List<Event> events = new ArrayList<>();
            for (RuntimeState rs : running) {
                if (engine.state().container(rs.id()) == null) {
                    LOG.warn("runtime container {} is not in the journal; deleting it", rs.id());
                    runtime.delete(rs.id(), true);
                }
            }
            for (String id : directories()) {
                if (engine.state().container(id) == null) {
                    LOG.warn("container directory {} is not in the journal; deleting it", id);
                    files.delete(id);
                }
            }
            long now = System.currentTimeMillis() * 1_000_000L;
            for (Container c : known) {
                boolean live = c.state() instanceof ContainerState.Running || c.state() instanceof ContainerState.Paused;
                if (live) {
                    RuntimeState rs = byId.get(c.id());
                    boolean alive = rs != null && ("running".equals(rs.status()) || "paused".equals(rs.status()));
                    boolean exitRecorded = Files.exists(paths.exits().resolve(c.id()));
                    if (!alive && !exitRecorded) {
                        LOG.warn("container {} is gone without an exit code; marking it exited", c.id());
                        events.add(new ContainerEvent.Exited(c.id(), UNKNOWN_EXIT, now, c.pid()));
                        if (rs != null) {
                            runtime.delete(c.id(), true);
                        }
                    }
                } else if (c.state() instanceof ContainerState.Removing) {
                    events.add(new ContainerEvent.Dead(c.id(), "removal interrupted by a daemon restart"));
                }
            }
            return events;
        }).compose(engine::commitAll);
    }

    private List<String> directories() throws IOException {
        if (!Files.isDirectory(paths.containers())) {
            return List.of();
        }
        try (var dirs = Files.list(paths.containers())) {
            return dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString()).toList();
        }
    }
}
