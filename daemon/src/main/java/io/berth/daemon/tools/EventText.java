package io.berth.daemon.tools;

import io.berth.daemon.api.Json;
import io.berth.events.ContainerEvent;
import io.berth.events.Event;
import io.berth.events.EventCatalog;
import io.berth.events.EventEnvelope;
import io.berth.events.ExecEvent;
import io.berth.events.PolicyEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How {@code journal dump} writes one entry: a human line of its sequence, time, event name and
 * fields, or a JSON object. Fields are the event record's components, found generically so that a
 * new event type is dumped without changes here.
 */
final class EventText {

    private EventText() {}

    /** The id of the container an entry is about, or null: container, exec and policy decision events. */
    static String containerOf(Event e) {
        return switch (e) {
            case ContainerEvent c -> c.id();
            case ExecEvent x -> x.containerId();
            case PolicyEvent.Decided d -> d.containerId();
            case PolicyEvent.Failed f -> f.containerId();
            default -> null;
        };
    }

    /**
     * {@code seq time name.vN field=value ...}. Times in fields named {@code ...Nanos} are written as
     * RFC 3339 times under the name without the suffix; nested values leave out what is empty, zero
     * or false, which in a spec means "not set".
     */
    static String line(EventEnvelope e) {
        StringBuilder sb = new StringBuilder();
        sb.append(e.seq()).append(' ').append(Json.time(e.timeNanos())).append(' ')
                .append(EventCatalog.of(e.event().getClass()).wireName());
        for (Component c : COMPONENTS.get(e.event().getClass())) {
            sb.append(' ');
            field(sb, c.name(), c.value(e.event()));
        }
        return sb.toString();
    }

    /** One JSON object: seq, RFC 3339 time, timeNano, type (the wire name), name, actor, and the event's fields. */
    static JsonObject json(EventEnvelope e) {
        EventCatalog.Entry type = EventCatalog.of(e.event().getClass());
        return new JsonObject()
                .put("seq", e.seq())
                .put("time", Json.time(e.timeNanos()))
                .put("timeNano", e.timeNanos())
                .put("type", type.wireName())
                .put("name", type.name())
                .put("actor", e.actorId())
                .put("event", (JsonObject) toJson(e.event()));
    }

    private static void field(StringBuilder sb, String name, Object value) {
        if (name.endsWith("Nanos") && value instanceof Long nanos && nanos != 0) {
            sb.append(name, 0, name.length() - "Nanos".length()).append('=').append(Json.time(nanos));
            return;
        }
        sb.append(name).append('=');
        human(sb, value, false);
    }

    private static void human(StringBuilder sb, Object value, boolean nested) {
        switch (value) {
            case null -> sb.append("null");
            case String s -> sb.append(quoted(s, nested));
            case List<?> list -> {
                sb.append('[');
                for (int i = 0; i < list.size(); i++) {
                    sb.append(i == 0 ? "" : " ");
                    human(sb, list.get(i), true);
                }
                sb.append(']');
            }
            case Map<?, ?> map -> {
                sb.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> en : new TreeMap<>(map).entrySet()) {
                    sb.append(first ? "" : " ").append(en.getKey()).append('=');
                    human(sb, en.getValue(), true);
                    first = false;
                }
                sb.append('}');
            }
            case Record r -> {
                sb.append('{');
                boolean first = true;
                for (Component c : COMPONENTS.get(r.getClass())) {
                    Object v = c.value(r);
                    if (unset(v)) {
                        continue;
                    }
                    sb.append(first ? "" : " ");
                    field(sb, c.name(), v);
                    first = false;
                }
                sb.append('}');
            }
            default -> sb.append(value);
        }
    }

    private static boolean unset(Object v) {
        return v == null || Boolean.FALSE.equals(v) || (v instanceof Number n && n.longValue() == 0)
                || (v instanceof String s && s.isEmpty()) || (v instanceof List<?> l && l.isEmpty())
                || (v instanceof Map<?, ?> m && m.isEmpty());
    }

    /** A string as is when it reads as one word, else quoted with Java escapes. */
    private static String quoted(String s, boolean nested) {
        boolean plain = !s.isEmpty();
        for (int i = 0; i < s.length() && plain; i++) {
            char c = s.charAt(i);
            plain = c > ' ' && c < 127 && c != '"' && c != '\\'
                    && (!nested || (c != ']' && c != '}' && c != '[' && c != '{'));
        }
        if (plain) {
            return s;
        }
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                default -> {
                    if (c < ' ') {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    private static Object toJson(Object value) {
        return switch (value) {
            case null -> null;
            case List<?> list -> {
                List<Object> out = new ArrayList<>(list.size());
                list.forEach(v -> out.add(toJson(v)));
                yield new JsonArray(out);
            }
            case Map<?, ?> map -> {
                JsonObject o = new JsonObject();
                new TreeMap<>(map).forEach((k, v) -> o.put(String.valueOf(k), toJson(v)));
                yield o;
            }
            case Record r -> {
                JsonObject o = new JsonObject();
                for (Component c : COMPONENTS.get(r.getClass())) {
                    o.put(c.name(), toJson(c.value(r)));
                }
                yield o;
            }
            default -> value;
        };
    }

    /** A record component and its accessor, looked up once per record class. */
    private record Component(String name, MethodHandle accessor) {
        Object value(Object record) {
            try {
                return accessor.invoke(record);
            } catch (Throwable e) {
                throw new IllegalStateException("cannot read " + name + " of " + record.getClass(), e);
            }
        }
    }

    /** Reflection is slow per call; a dump reads millions of fields. */
    private static final ClassValue<List<Component>> COMPONENTS = new ClassValue<>() {
        @Override
        protected List<Component> computeValue(Class<?> type) {
            List<Component> out = new ArrayList<>();
            for (RecordComponent rc : type.getRecordComponents()) {
                try {
                    out.add(new Component(rc.getName(), MethodHandles.publicLookup().unreflect(rc.getAccessor())));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException("cannot read " + rc + " of " + type, e);
                }
            }
            return List.copyOf(out);
        }
    };
}
