package io.berth.events.state;

import io.berth.errors.EngineException;
import io.berth.errors.ErrorKind;
import io.berth.events.ContainerEvent;
import io.berth.events.ContainerSpec;
import io.berth.events.DaemonEvent;
import io.berth.events.Event;
import io.berth.events.EventEnvelope;
import io.berth.events.ExecEvent;
import io.berth.events.ImageEvent;
import io.berth.events.NetworkEvent;
import io.berth.events.PolicyEvent;
import io.berth.events.VolumeEvent;
import io.berth.events.state.ContainerState.Status;
import io.berth.events.state.Transitions.Verb;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.pcollections.PMap;
import org.pcollections.PSet;

/**
 * The pure fold from journal entries to {@link EngineState}: no I/O, no clock (times come from the
 * envelope or the event), one exhaustive {@code switch} over the sealed event hierarchy. Replay is
 * {@code apply} from {@link EngineState#EMPTY} over the journal in order.
 *
 * <p>An event that breaks the lifecycle (a start of a running container, an unknown id) is refused
 * with the CONFLICT or NOT_FOUND error the daemon would have given, and the state is unchanged.
 */
public final class StateReducer {

    private StateReducer() {}

    public static EngineState apply(EngineState s, EventEnvelope env) {
        if (env.seq() <= s.seq()) {
            throw new EngineException(ErrorKind.FAILED_PRECONDITION,
                    "event " + env.seq() + " is not after the state's " + s.seq());
        }
        EngineState next = switch (env.event()) {
            case ContainerEvent e -> container(s, e, env.timeNanos());
            case ExecEvent e -> exec(s, e);
            case ImageEvent e -> image(s, e);
            case DaemonEvent e -> s;
            case PolicyEvent e -> s;
            case NetworkEvent e -> network(s, e, env.timeNanos());
            case VolumeEvent e -> volume(s, e, env.timeNanos());
        };
        return withSeq(next, env.seq());
    }

    /** Folds a sequence of entries from {@code s}. */
    public static EngineState applyAll(EngineState s, Iterable<EventEnvelope> entries) {
        EngineState state = s;
        for (EventEnvelope e : entries) {
            state = apply(state, e);
        }
        return state;
    }

    private static EngineState withSeq(EngineState s, long seq) {
        return s.withSeq(seq);
    }

    // ---- containers

    private static EngineState container(EngineState s, ContainerEvent event, long at) {
        if (event instanceof ContainerEvent.Created c) {
            return created(s, c, at);
        }
        Container c = s.container(event.id());
        if (c == null) {
            throw EngineException.notFound("No such container: " + event.id());
        }
        return switch (event) {
            case ContainerEvent.Created e -> throw new AssertionError("handled above");
            case ContainerEvent.Started e -> {
                Transitions.next(c.state().status(), Verb.START);
                boolean byPolicy = c.state() instanceof ContainerState.Restarting;
                yield put(s, c.started(e.pid(), e.startedAtNanos() > 0 ? e.startedAtNanos() : at, byPolicy));
            }
            case ContainerEvent.Paused e -> move(s, c, Verb.PAUSE, new ContainerState.Paused(c.pid()));
            case ContainerEvent.Unpaused e -> move(s, c, Verb.UNPAUSE, new ContainerState.Running(c.pid()));
            case ContainerEvent.StopRequested e -> {
                Transitions.next(c.state().status(), Verb.STOP);
                yield put(s, c.stopRequested(!e.daemonShutdown()));
            }
            case ContainerEvent.Killed e -> {
                // A signal that is not a stop still counts as the user's hand (Docker's manual stop);
                // a kill meant to stop is journaled with a StopRequested before it, which says whose.
                Transitions.next(c.state().status(), Verb.KILL);
                yield put(s, c.signalled());
            }
            case ContainerEvent.OomKilled e -> {
                Transitions.next(c.state().status(), Verb.OOM);
                yield put(s, c.oomKilledNow());
            }
            case ContainerEvent.Exited e -> {
                Transitions.next(c.state().status(), Verb.EXIT);
                yield put(s, c.exited(e.exitCode(), e.finishedAtNanos()));
            }
            case ContainerEvent.Restarting e -> {
                Transitions.next(c.state().status(), Verb.RESTART);
                yield put(s, c.restarting(e.attempt(), e.delayMillis()));
            }
            case ContainerEvent.RestartCancelled e -> move(s, c, Verb.CANCEL, new ContainerState.Exited());
            case ContainerEvent.Renamed e -> renamed(s, c, e);
            case ContainerEvent.Updated e -> {
                Transitions.next(c.state().status(), Verb.UPDATE);
                ContainerSpec spec = c.spec().withUpdate(e.resources(), e.restartPolicy());
                yield put(s, c.withSpec(spec));
            }
            case ContainerEvent.Removing e -> move(s, c, Verb.REMOVE, new ContainerState.Removing());
            case ContainerEvent.Dead e -> move(s, c, Verb.DIE, new ContainerState.Dead(e.reason()));
            case ContainerEvent.Removed e -> removed(s, c);
            case ContainerEvent.Attached e -> stay(s, c, Verb.ATTACH);
            case ContainerEvent.Resized e -> stay(s, c, Verb.RESIZE);
            // Markers that a user's stop or restart finished: they follow the Exited or Started that
            // changed the state, so they change nothing and any state of a known container takes them.
            case ContainerEvent.Stopped e -> s;
            case ContainerEvent.Restarted e -> s;
        };
    }

    private static EngineState created(EngineState s, ContainerEvent.Created c, long at) {
        if (s.containers().containsKey(c.id())) {
            throw new EngineException(ErrorKind.ALREADY_EXISTS, "container " + c.id() + " already exists");
        }
        requireFreeName(s, c.name(), c.id());
        for (ContainerSpec.Mount m : c.spec().mounts()) {
            if ("volume".equals(m.type()) && !s.volumes().containsKey(m.source())) {
                throw EngineException.notFound("no such volume: " + m.source());
            }
        }
        Container container = Container.created(c.id(), c.name(), c.spec(), at);
        EngineState t = s.withContainers(s.containers().plus(c.id(), container), s.names().plus(c.name(), c.id()));
        // The container is a member of the network its mode names from the start (host and none too).
        Network n = s.findNetwork(c.spec().networkMode());
        if (n != null) {
            t = t.withNetworks(t.networks().plus(n.id(),
                    n.withMember(c.id(), new Network.Member(c.spec().networkAliases(), null))));
        }
        return t;
    }

    private static void requireFreeName(EngineState s, String name, String id) {
        String owner = s.names().get(name);
        if (owner != null) {
            throw nameInUse(name, owner);
        }
    }

    /** Docker's error for a container name that another container has. */
    public static EngineException nameInUse(String name, String owner) {
        return EngineException.conflict("Conflict. The container name \"/" + name
                + "\" is already in use by container \"" + owner + "\". You have to remove (or rename) that"
                + " container to be able to reuse that name.");
    }

    private static EngineState renamed(EngineState s, Container c, ContainerEvent.Renamed e) {
        Transitions.next(c.state().status(), Verb.RENAME);
        requireFreeName(s, e.newName(), c.id());
        Container renamed = c.withName(e.newName());
        return s.withContainers(s.containers().plus(c.id(), renamed), s.names().minus(c.name()).plus(e.newName(), c.id()));
    }

    private static EngineState removed(EngineState s, Container c) {
        Transitions.next(c.state().status(), Verb.REMOVED);
        PMap<String, Exec> execs = s.execs();
        PSet<String> ids = s.execIndex().get(c.id());
        if (ids != null) {
            execs = execs.minusAll(ids);
        }
        PMap<String, Network> networks = s.networks();
        for (Network n : s.networksOf(c.id())) {
            networks = networks.plus(n.id(), n.withMember(c.id(), null));
        }
        return new EngineState(s.seq(), s.containers().minus(c.id()), s.names().minus(c.name()), s.images(),
                s.tags(), execs, s.execIndex().minus(c.id()), networks, s.volumes());
    }

    private static EngineState move(EngineState s, Container c, Verb verb, ContainerState to) {
        Status target = Transitions.next(c.state().status(), verb);
        if (target != to.status()) {
            throw new IllegalStateException("transition table and reducer disagree on " + verb);
        }
        return put(s, c.with(to));
    }

    private static EngineState stay(EngineState s, Container c, Verb verb) {
        Transitions.next(c.state().status(), verb);
        return s;
    }

    private static EngineState put(EngineState s, Container c) {
        return s.withContainers(s.containers().plus(c.id(), c), s.names());
    }

    // ---- execs

    private static EngineState exec(EngineState s, ExecEvent event) {
        Container c = s.container(event.containerId());
        if (c == null) {
            throw EngineException.notFound("No such container: " + event.containerId());
        }
        Exec x = s.execs().get(event.execId());
        Exec next = switch (event) {
            case ExecEvent.Created e -> {
                if (x != null) {
                    throw new EngineException(ErrorKind.ALREADY_EXISTS, "exec " + e.execId() + " already exists");
                }
                Transitions.next(c.state().status(), Verb.EXEC);
                yield new Exec(e, Exec.Status.CREATED, 0, 0);
            }
            case ExecEvent.Started e -> {
                requireExec(x, e.execId(), Exec.Status.CREATED, "start");
                Transitions.next(c.state().status(), Verb.EXEC);
                yield new Exec(x.spec(), Exec.Status.RUNNING, e.pid(), 0);
            }
            case ExecEvent.Exited e -> {
                requireExec(x, e.execId(), Exec.Status.RUNNING, "exit");
                yield new Exec(x.spec(), Exec.Status.EXITED, 0, e.exitCode());
            }
        };
        PSet<String> ids = s.execIndex().getOrDefault(next.containerId(), ChampSet.empty());
        return new EngineState(s.seq(), s.containers(), s.names(), s.images(), s.tags(),
                s.execs().plus(next.id(), next), s.execIndex().plus(next.containerId(), ids.plus(next.id())),
                s.networks(), s.volumes());
    }

    private static void requireExec(Exec x, String id, Exec.Status expected, String verb) {
        if (x == null) {
            throw EngineException.notFound("No such exec instance: " + id);
        }
        if (x.status() != expected) {
            throw EngineException.conflict("cannot " + verb + " exec " + id + ": it is "
                    + x.status().name().toLowerCase(Locale.ROOT));
        }
    }

    // ---- networks

    private static EngineState network(EngineState s, NetworkEvent event, long at) {
        if (event instanceof NetworkEvent.Created e) {
            if (s.networks().containsKey(e.networkId())) {
                throw new EngineException(ErrorKind.ALREADY_EXISTS, "network " + e.networkId() + " already exists");
            }
            for (Network other : s.networks().values()) {
                if (other.name().equals(e.name())) {
                    throw EngineException.conflict("network with name " + e.name() + " already exists");
                }
            }
            return s.withNetworks(s.networks().plus(e.networkId(), new Network(e.networkId(), e.name(), e.driver(),
                    e.bridge(), e.subnet(), e.gateway(), e.labels(), e.internal(), at, false, Map.of())));
        }
        Network n = s.networks().get(event.networkId());
        if (n == null) {
            throw EngineException.notFound("network " + event.networkId() + " not found");
        }
        return switch (event) {
            case NetworkEvent.Created e -> throw new AssertionError("handled above");
            case NetworkEvent.Removed e -> {
                if (n.builtin()) {
                    throw new EngineException(ErrorKind.PERMISSION_DENIED, n.name()
                            + " is a pre-defined network and cannot be removed");
                }
                if (n.hasEndpoints()) {
                    throw new EngineException(ErrorKind.PERMISSION_DENIED, "error while removing network: network "
                            + n.name() + " id " + n.id() + " has active endpoints");
                }
                yield s.withNetworks(s.networks().minus(n.id()));
            }
            case NetworkEvent.Connected e -> {
                requireContainer(s, e.containerId());
                if (n.members().containsKey(e.containerId())) {
                    throw new EngineException(ErrorKind.PERMISSION_DENIED, "endpoint with name "
                            + s.container(e.containerId()).name() + " already exists in network " + n.name());
                }
                yield putNetwork(s, n.withMember(e.containerId(), new Network.Member(e.aliases(), null)));
            }
            case NetworkEvent.Disconnected e -> {
                Network.Member m = requireMember(s, n, e.containerId());
                if (m.endpoint() != null) {
                    throw EngineException.conflict("container " + e.containerId() + " still has an endpoint on "
                            + n.name());
                }
                yield putNetwork(s, n.withMember(e.containerId(), null));
            }
            case NetworkEvent.Attached e -> {
                Network.Member m = requireMember(s, n, e.containerId());
                if (m.endpoint() != null) {
                    throw EngineException.conflict("container " + e.containerId() + " is already attached to "
                            + n.name());
                }
                yield putNetwork(s, n.withMember(e.containerId(), new Network.Member(m.aliases(), e.endpoint())));
            }
            case NetworkEvent.Detached e -> {
                Network.Member m = requireMember(s, n, e.containerId());
                if (m.endpoint() == null) {
                    throw EngineException.conflict("container " + e.containerId() + " is not attached to "
                            + n.name());
                }
                yield putNetwork(s, n.withMember(e.containerId(), new Network.Member(m.aliases(), null)));
            }
        };
    }

    private static void requireContainer(EngineState s, String id) {
        if (s.container(id) == null) {
            throw EngineException.notFound("No such container: " + id);
        }
    }

    private static Network.Member requireMember(EngineState s, Network n, String containerId) {
        requireContainer(s, containerId);
        Network.Member m = n.members().get(containerId);
        if (m == null) {
            throw EngineException.notFound("container " + containerId + " is not connected to network " + n.name());
        }
        return m;
    }

    private static EngineState putNetwork(EngineState s, Network n) {
        return s.withNetworks(s.networks().plus(n.id(), n));
    }

    // ---- volumes

    private static EngineState volume(EngineState s, VolumeEvent event, long at) {
        if (event instanceof VolumeEvent.Created e) {
            if (s.volumes().containsKey(e.name())) {
                throw new EngineException(ErrorKind.ALREADY_EXISTS, "volume " + e.name() + " already exists");
            }
            return s.withVolumes(s.volumes().plus(e.name(), new Volume(e.name(), e.driver(), e.mountpoint(),
                    e.labels(), at, e.anonymous())));
        }
        Volume v = s.volumes().get(event.name());
        if (v == null) {
            throw EngineException.notFound("get " + event.name() + ": no such volume");
        }
        return switch (event) {
            case VolumeEvent.Created e -> throw new AssertionError("handled above");
            case VolumeEvent.Removed e -> {
                List<String> users = s.volumeUsers(v.name());
                if (!users.isEmpty()) {
                    throw volumeInUse(v.name(), users);
                }
                yield s.withVolumes(s.volumes().minus(v.name()));
            }
            case VolumeEvent.Mounted e -> {
                requireContainer(s, e.containerId());
                yield s;
            }
            case VolumeEvent.Unmounted e -> s;
        };
    }

    /** Docker's error for removing a volume that containers use. */
    public static EngineException volumeInUse(String name, List<String> users) {
        return EngineException.conflict("remove " + name + ": volume is in use - [" + String.join(", ", users) + "]");
    }

    // ---- images

    private static EngineState image(EngineState s, ImageEvent event) {
        return switch (event) {
            case ImageEvent.Imported e -> {
                EngineState t = addImage(s, e.info());
                yield e.tag() == null || e.tag().isEmpty() ? t : tag(t, e.imageId(), e.tag());
            }
            case ImageEvent.Committed e -> {
                Container source = s.containers().get(e.containerId());
                EngineState t = addImage(s, e.info(), source == null ? "" : source.spec().imageId());
                yield e.tag() == null || e.tag().isEmpty() ? t : tag(t, e.imageId(), e.tag());
            }
            case ImageEvent.Loaded e -> {
                EngineState t = addImage(s, e.info());
                for (String tag : e.tags()) {
                    t = tag(t, e.imageId(), tag);
                }
                yield t;
            }
            case ImageEvent.Pulled e -> {
                EngineState t = addImage(s, e.info());
                t = addRepoDigest(t, e.imageId(), e.repoDigest());
                yield e.reference().contains("@") ? t : tag(t, e.imageId(), e.reference());
            }
            case ImageEvent.Pushed e -> addRepoDigest(s, requireImage(s, e.imageId()).id(), e.repoDigest());
            case ImageEvent.Tagged e -> tag(s, requireImage(s, e.imageId()).id(), e.tag());
            case ImageEvent.Saved e -> {
                requireImage(s, e.imageId());
                yield s;
            }
            case ImageEvent.Untagged e -> {
                Image img = requireImage(s, e.imageId());
                if (!e.imageId().equals(s.tags().get(e.tag()))) {
                    throw EngineException.notFound("No such image: " + e.tag());
                }
                yield putImage(s, withTags(img, without(img.tags(), e.tag())), s.tags().minus(e.tag()));
            }
            case ImageEvent.Removed e -> {
                Image img = requireImage(s, e.imageId());
                PMap<String, String> tags = s.tags();
                for (String t : img.tags()) {
                    tags = tags.minus(t);
                }
                yield s.withImages(s.images().minus(img.id()), tags);
            }
        };
    }

    private static Image requireImage(EngineState s, String id) {
        Image img = s.images().get(id);
        if (img == null) {
            throw EngineException.notFound("No such image: " + id);
        }
        return img;
    }

    private static EngineState addImage(EngineState s, ImageEvent.ImageInfo info) {
        return addImage(s, info, "");
    }

    /** Adds an image, or keeps the existing one when the same content comes in again. */
    private static EngineState addImage(EngineState s, ImageEvent.ImageInfo info, String parentId) {
        if (s.images().containsKey(info.imageId())) {
            return s;
        }
        Image img = new Image(info.imageId(), List.of(), List.of(), info.sizeBytes(), info.createdAtNanos(),
                info.layerDigests(), parentId);
        return putImage(s, img, s.tags());
    }

    private static EngineState tag(EngineState s, String imageId, String tag) {
        EngineState t = s;
        String previous = t.tags().get(tag);
        if (imageId.equals(previous)) {
            return t;
        }
        if (previous != null) {
            Image old = t.images().get(previous);
            t = putImage(t, withTags(old, without(old.tags(), tag)), t.tags());
        }
        Image img = t.images().get(imageId);
        TreeSet<String> tags = new TreeSet<>(img.tags());
        tags.add(tag);
        return putImage(t, withTags(img, List.copyOf(tags)), t.tags().plus(tag, imageId));
    }

    private static EngineState addRepoDigest(EngineState s, String imageId, String repoDigest) {
        if (repoDigest == null || repoDigest.isEmpty()) {
            return s;
        }
        Image img = s.images().get(imageId);
        TreeSet<String> digests = new TreeSet<>(img.repoDigests());
        digests.add(repoDigest);
        return putImage(s, new Image(img.id(), img.tags(), List.copyOf(digests), img.sizeBytes(), img.createdNanos(),
                img.layerDigests(), img.parentId()), s.tags());
    }

    private static List<String> without(List<String> list, String item) {
        return list.stream().filter(x -> !x.equals(item)).toList();
    }

    private static Image withTags(Image img, List<String> tags) {
        return new Image(img.id(), tags, img.repoDigests(), img.sizeBytes(), img.createdNanos(), img.layerDigests(),
                img.parentId());
    }

    private static EngineState putImage(EngineState s, Image img, PMap<String, String> tags) {
        return s.withImages(s.images().plus(img.id(), img), tags);
    }
}
