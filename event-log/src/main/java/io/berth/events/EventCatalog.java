package io.berth.events;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every event record, found by walking the sealed {@link Event} hierarchy, with its logical name
 * and current version. The walk makes the catalog complete by construction: a new record in a
 * permitted family is picked up, and one without an {@link EventType} fails class initialisation.
 */
public final class EventCatalog {

    /** One event type: its logical name, current version and record class. */
    public record Entry(String name, int version, Class<? extends Event> type) {
        /** The string written to the journal, e.g. {@code container.started.v1}. */
        public String wireName() {
            return name + ".v" + version;
        }
    }

    private static final List<Entry> ENTRIES;
    private static final Map<Class<?>, Entry> BY_CLASS = new HashMap<>();
    private static final Map<String, Entry> BY_NAME = new HashMap<>();

    static {
        List<Entry> entries = new ArrayList<>();
        collect(Event.class, entries);
        for (Entry e : entries) {
            if (BY_NAME.put(e.name(), e) != null) {
                throw new ExceptionInInitializerError("duplicate event name " + e.name());
            }
            BY_CLASS.put(e.type(), e);
        }
        ENTRIES = Collections.unmodifiableList(entries);
    }

    private EventCatalog() {}

    @SuppressWarnings("unchecked")
    private static void collect(Class<?> type, List<Entry> out) {
        if (type.isRecord()) {
            EventType t = type.getAnnotation(EventType.class);
            if (t == null || t.version() < 1 || !t.name().matches("[a-z]+(\\.[a-z-]+)+")) {
                throw new ExceptionInInitializerError(type + " needs a valid @EventType");
            }
            out.add(new Entry(t.name(), t.version(), (Class<? extends Event>) type));
            return;
        }
        for (Class<?> c : type.getPermittedSubclasses()) {
            collect(c, out);
        }
    }

    public static List<Entry> entries() {
        return ENTRIES;
    }

    public static Entry of(Class<? extends Event> type) {
        Entry e = BY_CLASS.get(type);
        if (e == null) {
            throw new IllegalArgumentException("not an event record: " + type);
        }
        return e;
    }

    /** The current entry for a logical name (without version), or null. */
    public static Entry byName(String name) {
        return BY_NAME.get(name);
    }
}
