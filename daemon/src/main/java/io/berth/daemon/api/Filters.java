package io.berth.daemon.api;

import io.berth.errors.EngineException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Docker's {@code filters} query parameter: a JSON map from filter name to values, in either the
 * current form ({@code {"status":{"exited":true}}}) or the old one ({@code {"status":["exited"]}}).
 * Values of one name are alternatives (OR); different names must all match (AND).
 */
public final class Filters {

    private final Map<String, Set<String>> values;

    private Filters(Map<String, Set<String>> values) {
        this.values = values;
    }

    /**
     * Parses the parameter and checks the names against {@code allowed}.
     *
     * @throws EngineException INVALID_ARGUMENT "invalid filter 'x'" or, for malformed JSON, "invalid filter",
     *                         as dockerd says it
     */
    public static Filters parse(String json, Set<String> allowed) {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        if (json != null && !json.isBlank()) {
            JsonObject o;
            try {
                o = new JsonObject(json);
            } catch (DecodeException | ClassCastException e) {
                throw EngineException.invalid("invalid filter");
            }
            for (String name : o.fieldNames()) {
                if (!allowed.contains(name)) {
                    throw EngineException.invalid("invalid filter '" + name + "'");
                }
                Set<String> vs = new LinkedHashSet<>();
                Object v = o.getValue(name);
                if (v instanceof JsonObject m) {
                    for (String k : m.fieldNames()) {
                        if (Boolean.TRUE.equals(m.getValue(k))) {
                            vs.add(k);
                        }
                    }
                } else if (v instanceof JsonArray a) {
                    a.forEach(x -> vs.add(String.valueOf(x)));
                } else {
                    throw EngineException.invalid("invalid filter");
                }
                out.put(name, vs);
            }
        }
        return new Filters(out);
    }

    public boolean has(String name) {
        return values.containsKey(name) && !values.get(name).isEmpty();
    }

    public Set<String> get(String name) {
        return values.getOrDefault(name, Set.of());
    }

    /** True if the filter is absent, or any of its values satisfies {@code test}. */
    public boolean any(String name, Predicate<String> test) {
        return !has(name) || get(name).stream().anyMatch(test);
    }

    /** Label filters: {@code key} or {@code key=value}; all must match. */
    public boolean labels(Map<String, String> labels) {
        for (String f : get("label")) {
            int eq = f.indexOf('=');
            if (eq < 0 ? !labels.containsKey(f) : !f.substring(eq + 1).equals(labels.get(f.substring(0, eq)))) {
                return false;
            }
        }
        return true;
    }

    public List<String> names() {
        return List.copyOf(values.keySet());
    }
}
