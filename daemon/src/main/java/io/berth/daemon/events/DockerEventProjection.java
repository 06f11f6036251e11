package io.berth.daemon.events;

import io.berth.daemon.image.ImageReference;
import io.berth.errors.EngineException;
import io.berth.events.ContainerEvent;
import io.berth.events.DaemonEvent;
import io.berth.events.EventEnvelope;
import io.berth.events.ExecEvent;
import io.berth.events.ImageEvent;
import io.berth.events.NetworkEvent;
import io.berth.events.PolicyEvent;
import io.berth.events.VolumeEvent;
import io.berth.events.state.Container;
import io.berth.events.state.EngineState;
import io.berth.events.state.Exec;
import io.berth.events.state.Network;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The projection of journal entries onto Docker's events: a pure mapping from each entry to at most
 * one {@link DockerEvent}, with a small fold of what the mapping needs and the entry does not carry
 * (a container's name, image and labels; an exec's command line).
 *
 * <p>The fold starts from an {@link EngineState} (empty, a snapshot, or the engine's state) and must
 * then see every later entry in journal order, including those it emits nothing for. Entries about a
 * container the fold never saw created (history cut by retention) give events with only what the
 * entry says. Not thread-safe: one subscriber's reader owns it.
 *
 * <p>Mapping, in Docker's words: created → create, started → start, paused → pause, unpaused →
 * unpause, killed → kill (signal), exited → die (exitCode), oom-killed → oom, stopped → stop (after
 * the die its stop caused), restarted → restart (after its start), attached → attach, resized →
 * resize (height, width), renamed → rename (oldName), updated → update, removed → destroy; exec
 * created/started/exited → {@code exec_create: CMD}, {@code exec_start: CMD}, exec_die (exitCode),
 * each with execID; images imported/loaded/pulled/pushed/tagged/untagged/saved/removed → import,
 * load, pull, push, tag, untag, save, delete; daemon started/stopping/reloaded → start, stop,
 * reload. Stop requests, restart-policy backoffs, removal steps and policy decisions have no Docker
 * event.
 */
public final class DockerEventProjection {

    /** What container events carry besides the entry's own facts. */
    private record ContainerInfo(String name, String image, Map<String, String> labels) {}

    /** An exec that has not started yet: its command line in Docker's action form. */
    private record ExecInfo(String containerId, String command) {}

    private final String hostname;
    private final Map<String, ContainerInfo> containers = new HashMap<>();
    private final Map<String, ExecInfo> execs = new HashMap<>();

    /** An empty fold: for a reader that starts at the first journal entry. */
    public DockerEventProjection(String hostname) {
        this.hostname = hostname;
    }

    /** A fold that continues from {@code state}: the next entry it sees must be {@code state.seq() + 1}. */
    public static DockerEventProjection from(EngineState state, String hostname) {
        DockerEventProjection p = new DockerEventProjection(hostname);
        for (Container c : state.containers().values()) {
            p.containers.put(c.id(), new ContainerInfo(c.name(), c.spec().image(), c.spec().labels()));
        }
        for (Network n : state.networks().values()) {
            p.networks.put(n.id(), new NetworkInfo(n.name(), n.driver()));
        }
        for (Exec x : state.execs().values()) {
            if (x.status() == Exec.Status.CREATED) {
                p.execs.put(x.id(), new ExecInfo(x.containerId(), command(x.spec().cmd())));
            }
        }
        return p;
    }

    /** Folds the entry and returns its Docker event, or null when Docker has none for it. */
    public DockerEvent apply(EventEnvelope env) {
        return switch (env.event()) {
            case ContainerEvent e -> container(e, env);
            case ExecEvent e -> exec(e, env);
            case ImageEvent e -> image(e, env);
            case DaemonEvent e -> daemon(e, env);
            case PolicyEvent e -> null;
            case NetworkEvent e -> network(e, env);
            case VolumeEvent e -> volume(e, env);
        };
    }

    /** What network events carry: the network's name and type. */
    private record NetworkInfo(String name, String type) {}

    private final Map<String, NetworkInfo> networks = new HashMap<>();

    private NetworkInfo networkInfo(String id) {
        NetworkInfo n = networks.get(id);
        if (n != null) {
            return n;
        }
        for (String b : List.of("bridge", "host", "none")) {
            if (Network.builtinId(b).equals(id)) {
                return new NetworkInfo(b, b.equals("none") ? "null" : b);
            }
        }
        return null;
    }

    private DockerEvent network(NetworkEvent event, EventEnvelope env) {
        String id = event.networkId();
        TreeMap<String, String> attrs = new TreeMap<>();
        String action = switch (event) {
            case NetworkEvent.Created e -> {
                networks.put(id, new NetworkInfo(e.name(), e.driver()));
                yield "create";
            }
            case NetworkEvent.Removed e -> "destroy";
            case NetworkEvent.Attached e -> {
                attrs.put("container", e.containerId());
                yield "connect";
            }
            case NetworkEvent.Detached e -> {
                attrs.put("container", e.containerId());
                yield "disconnect";
            }
            case NetworkEvent.Connected e -> null;
            case NetworkEvent.Disconnected e -> null;
        };
        if (action == null) {
            return null;
        }
        NetworkInfo info = networkInfo(id);
        if (info != null) {
            attrs.put("name", info.name());
            attrs.put("type", info.type());
        }
        if (event instanceof NetworkEvent.Removed) {
            networks.remove(id);
        }
        return new DockerEvent(DockerEvent.NETWORK, action, id, attrs, env.timeNanos(), env.seq());
    }

    private DockerEvent volume(VolumeEvent event, EventEnvelope env) {
        TreeMap<String, String> attrs = new TreeMap<>();
        String action = switch (event) {
            case VolumeEvent.Created e -> {
                attrs.put("driver", e.driver());
                yield "create";
            }
            case VolumeEvent.Removed e -> "destroy";
            case VolumeEvent.Mounted e -> {
                attrs.put("container", e.containerId());
                attrs.put("destination", e.destination());
                attrs.put("read/write", String.valueOf(e.readWrite()));
                attrs.put("driver", "local");
                yield "mount";
            }
            case VolumeEvent.Unmounted e -> {
                attrs.put("container", e.containerId());
                attrs.put("driver", "local");
                yield "unmount";
            }
        };
        return new DockerEvent(DockerEvent.VOLUME, action, event.name(), attrs, env.timeNanos(), env.seq());
    }

    private DockerEvent container(ContainerEvent event, EventEnvelope env) {
        String id = event.id();
        return switch (event) {
            case ContainerEvent.Created e -> {
                containers.put(id, new ContainerInfo(e.name(), e.spec().image(), e.spec().labels()));
                yield containerEvent(id, "create", env, Map.of());
            }
            case ContainerEvent.Started e -> containerEvent(id, "start", env, Map.of());
            case ContainerEvent.Paused e -> containerEvent(id, "pause", env, Map.of());
            case ContainerEvent.Unpaused e -> containerEvent(id, "unpause", env, Map.of());
            case ContainerEvent.Killed e -> containerEvent(id, "kill", env, Map.of("signal", String.valueOf(e.signal())));
            case ContainerEvent.Exited e -> containerEvent(id, "die", env, Map.of("exitCode", String.valueOf(e.exitCode())));
            case ContainerEvent.OomKilled e -> containerEvent(id, "oom", env, Map.of());
            case ContainerEvent.Stopped e -> containerEvent(id, "stop", env, Map.of());
            case ContainerEvent.Restarted e -> containerEvent(id, "restart", env, Map.of());
            case ContainerEvent.Attached e -> containerEvent(id, "attach", env, Map.of());
            case ContainerEvent.Resized e -> containerEvent(id, "resize", env, Map.of("height",
                    String.valueOf(e.height()), "width", String.valueOf(e.width())));
            case ContainerEvent.Renamed e -> {
                ContainerInfo old = containers.get(id);
                containers.put(id, old == null ? new ContainerInfo(e.newName(), null, Map.of())
                        : new ContainerInfo(e.newName(), old.image(), old.labels()));
                // Docker shows the old name as it stores names, with the leading slash.
                yield containerEvent(id, "rename", env, Map.of("oldName", "/" + e.oldName()));
            }
            case ContainerEvent.Updated e -> containerEvent(id, "update", env, Map.of());
            case ContainerEvent.Removed e -> {
                DockerEvent out = containerEvent(id, "destroy", env, Map.of());
                containers.remove(id);
                execs.values().removeIf(x -> x.containerId().equals(id));
                yield out;
            }
            // Docker has no event for a restart policy's decision; Berth shows it so that the stream
            // answers why a container came back (die, restarting, start), under a word of its own.
            case ContainerEvent.Restarting e -> containerEvent(id, "restarting", env, Map.of(
                    "attempt", String.valueOf(e.attempt()), "delay", e.delayMillis() + "ms", "reason", e.reason()));
            case ContainerEvent.StopRequested e -> null;
            case ContainerEvent.RestartCancelled e -> null;
            case ContainerEvent.Removing e -> null;
            case ContainerEvent.Dead e -> null;
        };
    }

    private DockerEvent exec(ExecEvent event, EventEnvelope env) {
        String cid = event.containerId();
        Map<String, String> extra = new HashMap<>();
        extra.put("execID", event.execId());
        return switch (event) {
            case ExecEvent.Created e -> {
                String cmd = command(e.cmd());
                execs.put(e.execId(), new ExecInfo(cid, cmd));
                yield containerEvent(cid, "exec_create: " + cmd, env, extra);
            }
            case ExecEvent.Started e -> {
                ExecInfo x = execs.remove(e.execId());
                yield containerEvent(cid, x == null ? "exec_start" : "exec_start: " + x.command(), env, extra);
            }
            case ExecEvent.Exited e -> {
                extra.put("exitCode", String.valueOf(e.exitCode()));
                yield containerEvent(cid, "exec_die", env, extra);
            }
        };
    }

    /** Docker's form: the entrypoint, a space, and the arguments joined by spaces ({@code "true "}). */
    static String command(List<String> cmd) {
        if (cmd.isEmpty()) {
            return " ";
        }
        return cmd.get(0) + " " + String.join(" ", cmd.subList(1, cmd.size()));
    }

    /** Labels first, then name and image, then the event's own attributes, as dockerd layers them. */
    private DockerEvent containerEvent(String id, String action, EventEnvelope env, Map<String, String> extra) {
        TreeMap<String, String> attrs = new TreeMap<>();
        ContainerInfo info = containers.get(id);
        if (info != null) {
            attrs.putAll(info.labels());
            attrs.put("name", info.name());
            if (info.image() != null) {
                attrs.put("image", info.image());
            }
        }
        attrs.putAll(extra);
        return new DockerEvent(DockerEvent.CONTAINER, action, id, attrs, env.timeNanos(), env.seq());
    }

    private DockerEvent image(ImageEvent event, EventEnvelope env) {
        String id = event.imageId();
        return switch (event) {
            // Docker names an import or load by the image id and sends the tags as separate events;
            // one entry is one event here, so the name is the first tag when there is one.
            case ImageEvent.Imported e -> imageEvent(id, "import", e.tag() == null || e.tag().isEmpty() ? id
                    : familiar(e.tag()), env);
            // As dockerd, a commit is the container's event, naming the new image.
            case ImageEvent.Committed e -> containerEvent(e.containerId(), "commit", env, e.tag() == null || e.tag().isEmpty()
                    ? Map.of("imageID", id) : Map.of("imageID", id, "imageRef", familiar(e.tag())));
            case ImageEvent.Loaded e -> imageEvent(id, "load", e.tags().isEmpty() ? id : familiar(e.tags().get(0)), env);
            case ImageEvent.Pulled e -> imageEvent(familiar(e.reference()), "pull", familiarName(e.reference()), env);
            case ImageEvent.Pushed e -> imageEvent(familiar(e.reference()), "push", familiarName(e.reference()), env);
            case ImageEvent.Tagged e -> imageEvent(id, "tag", familiar(e.tag()), env);
            // As dockerd: an untag and a delete name the image by its id.
            case ImageEvent.Untagged e -> imageEvent(id, "untag", id, env);
            case ImageEvent.Saved e -> imageEvent(id, "save", id, env);
            case ImageEvent.Removed e -> imageEvent(id, "delete", id, env);
        };
    }

    private static DockerEvent imageEvent(String actorId, String action, String name, EventEnvelope env) {
        TreeMap<String, String> attrs = new TreeMap<>();
        attrs.put("name", name);
        return new DockerEvent(DockerEvent.IMAGE, action, actorId, attrs, env.timeNanos(), env.seq());
    }

    private static String familiar(String reference) {
        try {
            return ImageReference.parse(reference).familiar();
        } catch (EngineException e) {
            return reference;
        }
    }

    private static String familiarName(String reference) {
        try {
            return ImageReference.parse(reference).familiarName();
        } catch (EngineException e) {
            return reference;
        }
    }

    private DockerEvent daemon(DaemonEvent event, EventEnvelope env) {
        String action = switch (event) {
            case DaemonEvent.Started e -> "start";
            case DaemonEvent.Stopping e -> "stop";
            case DaemonEvent.Reloaded e -> "reload";
        };
        TreeMap<String, String> attrs = new TreeMap<>();
        if (hostname != null && !hostname.isEmpty()) {
            attrs.put("name", hostname);
        }
        return new DockerEvent(DockerEvent.DAEMON, action, event.daemonId(), attrs, env.timeNanos(), env.seq());
    }
}
