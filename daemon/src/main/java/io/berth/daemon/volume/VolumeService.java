package io.berth.daemon.volume;

import io.berth.daemon.container.Names;
import io.berth.daemon.engine.Engine;
import io.berth.daemon.os.FileOps;
import io.berth.daemon.os.IdMap;
import io.berth.daemon.runtime.spec.SpecBuilder;
import io.berth.errors.EngineException;
import io.berth.events.ContainerSpec;
import io.berth.events.Event;
import io.berth.events.VolumeEvent;
import io.berth.events.state.EngineState;
import io.berth.events.state.StateReducer;
import io.berth.events.state.Volume;
import io.vertx.core.Future;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Volumes with the {@code local} driver: each a directory {@code <data-root>/volumes/NAME/_data},
 * made before its {@code volume.created} is journaled and deleted after its {@code volume.removed}
 * (a crash in between leaves a directory the journal does not know, removed when the name is
 * created again). A volume that a container's mounts name is in use: removing it is a CONFLICT.
 * A remapping daemon gives a new volume's directory to the containers' root.
 */
public final class VolumeService {

    private final Engine engine;
    private final Path root;
    private final IdMap ids;

    public VolumeService(Engine engine, Path root, IdMap ids) {
        this.engine = engine;
        this.root = root;
        this.ids = ids;
    }

    public EngineState state() {
        return engine.state();
    }

    public Path mountpoint(String name) {
        return root.resolve(name).resolve("_data");
    }

    /** Creates a named volume; an existing one of that name is returned as it is, as Docker does. */
    public Future<Volume> create(String name, String driver, Map<String, String> labels) {
        try {
            String n = name == null || name.isEmpty() ? anonymousName() : MountSpecs.volumeName(name);
            if (driver != null && !driver.isEmpty() && !driver.equals("local")) {
                throw EngineException.notFound("error looking up volume plugin " + driver + ": plugin \"" + driver
                        + "\" not found");
            }
            Volume existing = engine.state().volumes().get(n);
            if (existing != null) {
                return Future.succeededFuture(existing);
            }
            return engine.exclusive("volume/" + n, () -> {
                Volume now = engine.state().volumes().get(n);
                if (now != null) {
                    return Future.succeededFuture(now);
                }
                return engine.blocking(() -> {
                    makeDirectory(n);
                    return null;
                }).compose(v -> engine.commit(created(n, labels, name == null || name.isEmpty())))
                        .map(x -> engine.state().volumes().get(n));
            });
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }

    private VolumeEvent.Created created(String name, Map<String, String> labels, boolean anonymous) {
        return new VolumeEvent.Created(name, "local", mountpoint(name).toString(), labels, anonymous);
    }

    private void makeDirectory(String name) throws IOException {
        Path dir = Files.createDirectories(mountpoint(name));
        if (ids.remapped()) {
            Files.setAttribute(dir, "unix:uid", (int) ids.rootUid());
            Files.setAttribute(dir, "unix:gid", (int) ids.rootGid());
        }
    }

    /** A random volume name, as Docker gives anonymous volumes. */
    public static String anonymousName() {
        return Names.newId();
    }

    /**
     * Makes the directories of the volumes {@code mounts} name that do not exist yet (blocking) and
     * returns the events that journal them: the create of a container that names them.
     */
    public List<Event> prepareForCreate(List<ContainerSpec.Mount> mounts, List<String> anonymous) throws IOException {
        List<Event> out = new ArrayList<>();
        for (ContainerSpec.Mount m : mounts) {
            if ("volume".equals(m.type()) && !engine.state().volumes().containsKey(m.source())) {
                makeDirectory(m.source());
                out.add(created(m.source(), Map.of(), anonymous.contains(m.source())));
            }
        }
        return out;
    }

    /**
     * A run's mounts with their host sources: a bind's path (which must exist), a volume's directory;
     * a tmpfs has none and is left to the spec.
     */
    public List<SpecBuilder.BindMount> resolve(List<ContainerSpec.Mount> mounts) {
        List<SpecBuilder.BindMount> out = new ArrayList<>();
        for (ContainerSpec.Mount m : mounts) {
            if ("bind".equals(m.type())) {
                Path src = Path.of(m.source());
                if (!Files.exists(src)) {
                    throw EngineException.invalid("invalid mount config for type \"bind\": bind source path does not exist: "
                            + m.source());
                }
                out.add(new SpecBuilder.BindMount(src, m.target(), m.readOnly()));
            } else if ("volume".equals(m.type())) {
                Volume v = engine.state().volumes().get(m.source());
                if (v == null) {
                    throw EngineException.notFound("no such volume: " + m.source());
                }
                out.add(new SpecBuilder.BindMount(Path.of(v.mountpoint()), m.target(), m.readOnly()));
            }
        }
        return out;
    }

    /** The mount or unmount events of a run of {@code containerId}. */
    public static List<Event> runEvents(String containerId, List<ContainerSpec.Mount> mounts, boolean mounted) {
        List<Event> out = new ArrayList<>();
        for (ContainerSpec.Mount m : mounts) {
            if ("volume".equals(m.type())) {
                out.add(mounted ? new VolumeEvent.Mounted(m.source(), containerId, m.target(), !m.readOnly())
                        : new VolumeEvent.Unmounted(m.source(), containerId));
            }
        }
        return out;
    }

    /** Removes a volume no container uses; {@code force} ignores a missing one. */
    public Future<Void> remove(String name, boolean force) {
        Volume v = engine.state().volumes().get(name);
        if (v == null) {
            return force ? Future.succeededFuture()
                    : Future.failedFuture(EngineException.notFound("get " + name + ": no such volume"));
        }
        return engine.exclusive("volume/" + name, () -> {
            List<String> users = engine.state().volumeUsers(name);
            if (!users.isEmpty()) {
                throw StateReducer.volumeInUse(name, users);
            }
            return engine.commit(new VolumeEvent.Removed(name)).compose(x -> engine.blocking(() -> {
                FileOps.deleteTree(root.resolve(name));
                return null;
            }));
        });
    }

    /** Removes unused volumes that {@code filter} keeps; returns their names and the bytes freed. */
    public Future<Map.Entry<List<String>, Long>> prune(Predicate<Volume> filter) {
        List<Future<String>> removals = new ArrayList<>();
        List<Future<Long>> sizes = new ArrayList<>();
        for (Volume v : engine.state().volumes().values()) {
            if (engine.state().volumeUsers(v.name()).isEmpty() && filter.test(v)) {
                Future<Long> size = engine.blocking(() -> FileOps.treeSize(Path.of(v.mountpoint())));
                sizes.add(size);
                removals.add(size.compose(s -> remove(v.name(), false)).map(v.name()).otherwise((String) null));
            }
        }
        return Future.join(removals).map(x -> {
            List<String> names = new ArrayList<>();
            long freed = 0;
            for (int i = 0; i < removals.size(); i++) {
                if (removals.get(i).result() != null) {
                    names.add(removals.get(i).result());
                    Long s = sizes.get(i).result();
                    freed += s == null ? 0 : s;
                }
            }
            return Map.entry(names, freed);
        });
    }
}
