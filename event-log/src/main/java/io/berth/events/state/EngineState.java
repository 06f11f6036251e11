package io.berth.events.state;

import io.berth.events.ContainerSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.pcollections.PMap;
import org.pcollections.PSet;

/**
 * The engine's view of the world: a fold of the journal up to sequence {@code seq}. Immutable;
 * persistent maps make each event's new state cost O(log n), not a copy.
 *
 * @param seq        the sequence of the last event applied, 0 for the empty state
 * @param containers by id
 * @param names      container name (no leading slash) to id
 * @param images     by id
 * @param tags       tag to image id
 * @param execs      by exec id; an exec goes when its container does
 * @param execIndex  container id to the ids of its execs
 * @param networks   by id, the built-in ones included
 * @param volumes    by name
 */
public record EngineState(
        long seq,
        PMap<String, Container> containers,
        PMap<String, String> names,
        PMap<String, Image> images,
        PMap<String, String> tags,
        PMap<String, Exec> execs,
        PMap<String, PSet<String>> execIndex,
        PMap<String, Network> networks,
        PMap<String, Volume> volumes) {

    public static final EngineState EMPTY = new EngineState(0, ChampMap.empty(), ChampMap.empty(),
            ChampMap.empty(), ChampMap.empty(), ChampMap.empty(), ChampMap.empty(), builtinNetworks(ChampMap.empty()),
            ChampMap.empty());

    /** {@code networks} with the built-in networks added where missing. */
    public static PMap<String, Network> builtinNetworks(PMap<String, Network> networks) {
        PMap<String, Network> n = networks;
        for (Network b : Network.builtins()) {
            if (!n.containsKey(b.id())) {
                n = n.plus(b.id(), b);
            }
        }
        return n;
    }

    /**
     * Finds a network as Docker does: by full id, by name, then by a unique id prefix; null when none
     * or ambiguous.
     */
    public Network findNetwork(String ref) {
        if (ref == null || ref.isEmpty()) {
            return null;
        }
        Network n = networks.get(ref);
        if (n != null) {
            return n;
        }
        for (Network candidate : networks.values()) {
            if (candidate.name().equals(ref)) {
                return candidate;
            }
        }
        Network found = null;
        for (Network candidate : networks.values()) {
            if (candidate.id().startsWith(ref)) {
                if (found != null) {
                    return null;
                }
                found = candidate;
            }
        }
        return found;
    }

    /** The networks {@code containerId} is a member of, with its membership, in name order. */
    public List<Network> networksOf(String containerId) {
        List<Network> out = new ArrayList<>();
        for (Network n : networks.values()) {
            if (n.members().containsKey(containerId)) {
                out.add(n);
            }
        }
        out.sort(Comparator.comparing(Network::name));
        return out;
    }

    /** The ids of the containers whose mounts name volume {@code name}. */
    public List<String> volumeUsers(String name) {
        List<String> out = new ArrayList<>();
        for (Container c : containers.values()) {
            for (ContainerSpec.Mount m : c.spec().mounts()) {
                if ("volume".equals(m.type()) && m.source().equals(name)) {
                    out.add(c.id());
                    break;
                }
            }
        }
        return out;
    }

    public Container container(String id) {
        return containers.get(id);
    }

    /**
     * Finds a container as Docker does: by full id, by name (with or without a leading slash), then by
     * a unique id prefix. Returns null when there is no match; an ambiguous prefix matches nothing.
     */
    public Container findContainer(String ref) {
        if (ref == null || ref.isEmpty()) {
            return null;
        }
        Container c = containers.get(ref);
        if (c != null) {
            return c;
        }
        String byName = names.get(ref.startsWith("/") ? ref.substring(1) : ref);
        if (byName != null) {
            return containers.get(byName);
        }
        Container found = null;
        for (Container candidate : containers.values()) {
            if (candidate.id().startsWith(ref)) {
                if (found != null) {
                    return null;
                }
                found = candidate;
            }
        }
        return found;
    }

    /** True when more than one container id starts with {@code prefix}. */
    public boolean ambiguousContainerPrefix(String prefix) {
        int n = 0;
        for (String id : containers.keySet()) {
            if (id.startsWith(prefix) && ++n > 1) {
                return true;
            }
        }
        return false;
    }

    /** The exec sessions of one container. */
    public List<Exec> execsOf(String containerId) {
        PSet<String> ids = execIndex.get(containerId);
        if (ids == null) {
            return List.of();
        }
        List<Exec> out = new ArrayList<>(ids.size());
        for (String id : ids) {
            out.add(execs.get(id));
        }
        return out;
    }

    /** This state with different containers and names; everything else kept. */
    EngineState withContainers(PMap<String, Container> c, PMap<String, String> n) {
        return new EngineState(seq, c, n, images, tags, execs, execIndex, networks, volumes);
    }

    /** This state with different images and tags; everything else kept. */
    EngineState withImages(PMap<String, Image> i, PMap<String, String> t) {
        return new EngineState(seq, containers, names, i, t, execs, execIndex, networks, volumes);
    }

    /** This state with different networks; everything else kept. */
    EngineState withNetworks(PMap<String, Network> n) {
        return new EngineState(seq, containers, names, images, tags, execs, execIndex, n, volumes);
    }

    /** This state with different volumes; everything else kept. */
    EngineState withVolumes(PMap<String, Volume> v) {
        return new EngineState(seq, containers, names, images, tags, execs, execIndex, networks, v);
    }

    EngineState withSeq(long s) {
        return new EngineState(s, containers, names, images, tags, execs, execIndex, networks, volumes);
    }
}
