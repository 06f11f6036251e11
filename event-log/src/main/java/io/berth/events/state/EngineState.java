package io.berth.events.state;

import java.util.ArrayList;
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
 */
public record EngineState(
        long seq,
        PMap<String, Container> containers,
        PMap<String, String> names,
        PMap<String, Image> images,
        PMap<String, String> tags,
        PMap<String, Exec> execs,
        PMap<String, PSet<String>> execIndex) {

    public static final EngineState EMPTY = new EngineState(0, ChampMap.empty(), ChampMap.empty(),
            ChampMap.empty(), ChampMap.empty(), ChampMap.empty(), ChampMap.empty());

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
        return new EngineState(seq, c, n, images, tags, execs, execIndex);
    }

    /** This state with different images and tags; everything else kept. */
    EngineState withImages(PMap<String, Image> i, PMap<String, String> t) {
        return new EngineState(seq, containers, names, i, t, execs, execIndex);
    }

    EngineState withSeq(long s) {
        return new EngineState(s, containers, names, images, tags, execs, execIndex);
    }
}
