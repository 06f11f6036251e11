package io.berth.daemon.tools;

import io.berth.errors.EngineException;
import io.berth.events.ContainerEvent;
import io.berth.events.EventEnvelope;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Every container the journal mentions, removed ones included, with the names each had: a fold that
 * resolves a user's reference as Docker does (full id, then name, then unique id prefix), except that
 * a removed container is still found by its id or by the last name it had.
 *
 * <p>Feed it every entry in journal order, then {@link #resolve}. Not thread-safe.
 */
final class ContainerRefs implements Consumer<EventEnvelope> {

    /** One container as the journal tells it: names in order, the last one current. */
    static final class Known {
        final String id;
        final List<String> names = new ArrayList<>();
        boolean removed;

        Known(String id) {
            this.id = id;
        }

        /** The current (or, once removed, the last) name, or null when the journal never named it. */
        String name() {
            return names.isEmpty() ? null : names.get(names.size() - 1);
        }

        String describe() {
            return id.substring(0, Math.min(12, id.length())) + " (" + (name() == null ? "unnamed" : "/" + name())
                    + (removed ? ", removed" : "") + ")";
        }
    }

    private final Map<String, Known> byId = new LinkedHashMap<>();

    @Override
    public void accept(EventEnvelope e) {
        if (!(e.event() instanceof ContainerEvent c)) {
            return;
        }
        Known k = byId.computeIfAbsent(c.id(), Known::new);
        switch (c) {
            case ContainerEvent.Created x -> {
                k.names.add(x.name());
                k.removed = false;
            }
            case ContainerEvent.Renamed x -> {
                if (k.names.isEmpty()) {
                    // Its creation is older than the journal keeps.
                    k.names.add(x.oldName());
                }
                k.names.add(x.newName());
            }
            case ContainerEvent.Removed x -> k.removed = true;
            default -> { }
        }
    }

    /**
     * The container {@code ref} names.
     *
     * @throws EngineException NOT_FOUND as Docker words it; INVALID_ARGUMENT when the reference matches
     *                         several containers
     */
    Known resolve(String ref) {
        if (ref == null || ref.isEmpty()) {
            throw EngineException.invalid("a container reference must not be empty");
        }
        Known exact = byId.get(ref);
        if (exact != null) {
            return exact;
        }
        String name = ref.startsWith("/") ? ref.substring(1) : ref;
        List<Known> live = new ArrayList<>();
        List<Known> removed = new ArrayList<>();
        for (Known k : byId.values()) {
            if (name.equals(k.name())) {
                (k.removed ? removed : live).add(k);
            }
        }
        if (!live.isEmpty()) {
            // Docker keeps names unique among existing containers; the journal agrees.
            return live.get(live.size() - 1);
        }
        if (removed.size() == 1) {
            return removed.get(0);
        }
        if (removed.size() > 1) {
            throw EngineException.invalid("the name " + name + " was the last name of " + removed.size()
                    + " removed containers: " + describe(removed) + "; use an id");
        }
        List<Known> byPrefix = new ArrayList<>();
        for (Known k : byId.values()) {
            if (k.id.startsWith(ref)) {
                byPrefix.add(k);
            }
        }
        if (byPrefix.size() == 1) {
            return byPrefix.get(0);
        }
        if (byPrefix.size() > 1) {
            throw EngineException.invalid("Multiple IDs found with provided prefix: " + ref + " ("
                    + describe(byPrefix) + ")");
        }
        throw EngineException.notFound("No such container: " + ref);
    }

    private static String describe(List<Known> ks) {
        return String.join(", ", ks.stream().map(Known::describe).toList());
    }
}
