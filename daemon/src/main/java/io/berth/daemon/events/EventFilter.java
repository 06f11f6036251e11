package io.berth.daemon.events;

import io.berth.daemon.image.ImageReference;
import io.berth.errors.EngineException;
import java.util.Map;
import java.util.Set;

/**
 * Docker's filters for {@code /events}, with dockerd's semantics: values of one key are alternatives
 * (OR), different keys must all match (AND). {@code type}, {@code scope} and {@code image} match
 * exactly (an image also by its name without the tag); {@code event} exactly, or by prefix when
 * asking for {@code exec_create}, {@code exec_start} or {@code health_status}; {@code container},
 * {@code daemon} and the other object kinds match the actor's id or {@code name} attribute, exactly
 * or by prefix, and exclude every event whose actor does not match, whatever its type; all
 * {@code label}s must be among the attributes ({@code key} or {@code key=value}).
 */
public final class EventFilter {

    /** The keys dockerd documents for events; others are refused as dockerd's list filters do. */
    public static final Set<String> KEYS = Set.of("config", "container", "daemon", "event", "image", "label",
            "network", "node", "plugin", "scope", "secret", "service", "type", "volume");

    private static final Set<String> PREFIX_EVENTS = Set.of("exec_create", "exec_start", "health_status");
    private static final Set<String> BY_NAME = Set.of("config", "container", "daemon", "network", "node", "plugin",
            "secret", "service", "volume");

    /** Lets everything through. */
    public static final EventFilter ALL = new EventFilter(Map.of());

    private final Map<String, Set<String>> values;

    private EventFilter(Map<String, Set<String>> values) {
        this.values = values;
    }

    /** A filter from parsed values by key; keys with no values are ignored. */
    public static EventFilter of(Map<String, Set<String>> values) {
        return new EventFilter(Map.copyOf(values));
    }

    public boolean matches(DockerEvent e) {
        if (values.isEmpty()) {
            return true;
        }
        if (!event(e.action()) || !exact("type", e.type()) || !exact("scope", "local") || !image(e) || !labels(e)) {
            return false;
        }
        for (String key : BY_NAME) {
            if (!fuzzy(key, e.actorId()) && !fuzzy(key, e.attribute("name"))) {
                return false;
            }
        }
        return true;
    }

    private Set<String> get(String key) {
        return values.getOrDefault(key, Set.of());
    }

    private boolean exact(String key, String source) {
        Set<String> vs = get(key);
        return vs.isEmpty() || (source != null && vs.contains(source));
    }

    private boolean fuzzy(String key, String source) {
        Set<String> vs = get(key);
        if (vs.isEmpty()) {
            return true;
        }
        if (source == null) {
            return false;
        }
        for (String v : vs) {
            if (source.startsWith(v)) {
                return true;
            }
        }
        return false;
    }

    private boolean event(String action) {
        Set<String> vs = get("event");
        for (String v : vs) {
            if (PREFIX_EVENTS.contains(v)) {
                return fuzzy("event", action);
            }
        }
        return exact("event", action);
    }

    private boolean image(DockerEvent e) {
        if (get("image").isEmpty()) {
            return true;
        }
        String name = e.attribute(DockerEvent.IMAGE.equals(e.type()) ? "name" : "image");
        return exact("image", e.actorId()) || (name != null && exact("image", name))
                || exact("image", withoutTag(e.actorId())) || (name != null && exact("image", withoutTag(name)));
    }

    /** The repository as the CLI shows it, without tag or digest; anything that is not a reference as is. */
    private static String withoutTag(String image) {
        try {
            return ImageReference.parse(image).familiarName();
        } catch (EngineException e) {
            return image;
        }
    }

    private boolean labels(DockerEvent e) {
        for (String f : get("label")) {
            int eq = f.indexOf('=');
            String key = eq < 0 ? f : f.substring(0, eq);
            String v = e.attribute(key);
            if (v == null || (eq >= 0 && !f.substring(eq + 1).equals(v))) {
                return false;
            }
        }
        return true;
    }
}
