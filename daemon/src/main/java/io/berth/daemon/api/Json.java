package io.berth.daemon.api;

import io.berth.errors.EngineException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** Small helpers for Docker's JSON conventions: RFC 3339 nano times, null for empty collections. */
public final class Json {

    /** Docker's zero time, shown for "never". */
    public static final String ZERO_TIME = "0001-01-01T00:00:00Z";

    private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'")
            .withZone(ZoneOffset.UTC);

    private Json() {}

    /** Nanoseconds since the epoch as Docker writes times; 0 is Docker's zero time. */
    public static String time(long nanos) {
        if (nanos == 0) {
            return ZERO_TIME;
        }
        return RFC3339.format(Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L)));
    }

    /** A string array, or null when empty (Docker omits empty slices as null). */
    public static JsonArray arrayOrNull(Collection<String> items) {
        return items == null || items.isEmpty() ? null : new JsonArray(List.copyOf(items));
    }

    public static JsonArray array(Collection<?> items) {
        return new JsonArray(items == null ? List.of() : List.copyOf(items));
    }

    public static JsonObject object(Map<String, String> map) {
        JsonObject o = new JsonObject();
        if (map != null) {
            map.forEach(o::put);
        }
        return o;
    }

    /** A string field, where absent and null both mean empty. */
    public static String str(JsonObject o, String key) {
        return field(o, key, String.class, "a string", "");
    }

    /** A number field, where absent and null both mean 0. */
    public static long num(JsonObject o, String key) {
        return field(o, key, Number.class, "a number", 0).longValue();
    }

    /** A boolean field, where absent and null both mean false. */
    public static boolean flag(JsonObject o, String key) {
        return field(o, key, Boolean.class, "a boolean", false);
    }

    /** An object field, where absent and null both mean an empty object. */
    public static JsonObject obj(JsonObject o, String key) {
        JsonObject v = field(o, key, JsonObject.class, "an object", null);
        return v == null ? new JsonObject() : v;
    }

    /**
     * A field of the given type; clients send absent and null alike for "not set", which is
     * {@code dflt}. Any other type is the client's error.
     */
    private static <T> T field(JsonObject o, String key, Class<T> type, String typeName, T dflt) {
        Object v = o.getValue(key);
        if (v == null) {
            return dflt;
        }
        if (type.isInstance(v)) {
            return type.cast(v);
        }
        throw EngineException.invalid("invalid JSON: " + key + " must be " + typeName + ", not " + v);
    }

    /** A string list from a JSON value that may be absent, null, a string, or an array. */
    public static List<String> strings(Object value) {
        if (value == null) {
            return List.of();
        }
        if (value instanceof String s) {
            return List.of(s);
        }
        if (value instanceof JsonArray a) {
            List<String> out = new ArrayList<>();
            for (Object o : a) {
                if (!(o instanceof String s)) {
                    throw EngineException.invalid("invalid JSON: expected a string, got " + o);
                }
                out.add(s);
            }
            return out;
        }
        throw EngineException.invalid("invalid JSON: expected a string array, got " + value);
    }
}
