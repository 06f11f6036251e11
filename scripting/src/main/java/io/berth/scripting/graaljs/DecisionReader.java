package io.berth.scripting.graaljs;

import io.berth.scripting.PolicyEngine.Decision;
import io.berth.scripting.PolicyEngine.Hook;
import java.util.Set;
import org.graalvm.polyglot.Value;

/**
 * Turns a hook's return value into a {@link Decision}, strictly: {@code undefined}, {@code null} and
 * {@code {action: "default"}} defer; {@code {action: "stop"}}; {@code {action: "restart", delayMs: N}}
 * with an integer N >= 0 (capped); from onOom also {@code memory: BYTES}, a positive integer. Any
 * other value, action or key (one holding {@code undefined} or {@code null} counts as absent) is garbage, so a typo such as
 * {@code delay} fails loudly instead of restarting at once.
 *
 * <p>Reading may run script code (getters, proxies): call it while the run is still watched.
 */
final class DecisionReader {

    static final Decision DEFAULT = new Decision.Default();
    static final Decision STOP = new Decision.Stop();

    private static final double MAX_SAFE_INTEGER = 9007199254740991d;

    private DecisionReader() {}

    static Decision read(Value result, Hook hook, long maxDelayMs) throws ScriptFailure {
        if (result == null || result.isNull()) {
            return DEFAULT;
        }
        if (!result.hasMembers() || result.hasArrayElements() || result.canExecute() || result.isString()) {
            throw garbage("returned " + show(result) + " instead of a decision object");
        }
        Value action = member(result, "action");
        if (action == null) {
            Value meta = result.getMetaObject();
            if (meta != null && "Promise".equals(meta.getMetaSimpleName())) {
                throw garbage("returned a Promise: a hook must return its decision, not be async");
            }
            throw garbage("returned an object without an action");
        }
        if (!action.isString()) {
            throw garbage("returned an action that is not a string: " + show(action));
        }
        return switch (action.asString()) {
            case "default" -> {
                onlyKeys(result, "default", Set.of("action"));
                yield DEFAULT;
            }
            case "stop" -> {
                onlyKeys(result, "stop", Set.of("action"));
                yield STOP;
            }
            case "restart" -> {
                onlyKeys(result, "restart", hook == Hook.ON_OOM ? Set.of("action", "delayMs", "memory")
                        : Set.of("action", "delayMs"));
                Value delay = member(result, "delayMs");
                if (delay == null) {
                    throw garbage("returned restart without delayMs");
                }
                double d = integer(delay, "delayMs");
                if (d < 0) {
                    throw garbage("returned a negative delayMs: " + show(delay));
                }
                long memory = 0;
                Value mem = member(result, "memory");
                if (mem != null) {
                    double m = integer(mem, "memory");
                    if (m <= 0 || m > MAX_SAFE_INTEGER) {
                        throw garbage("returned memory that is not a positive safe integer: " + show(mem));
                    }
                    memory = (long) m;
                }
                yield new Decision.Restart((long) Math.min(d, maxDelayMs), memory);
            }
            default -> throw garbage("returned an unknown action \"" + clip(action.asString())
                    + "\" (expected restart, stop or default)");
        };
    }

    private static Value member(Value object, String key) {
        Value v = object.getMember(key);
        return v == null || v.isNull() ? null : v;
    }

    private static void onlyKeys(Value result, String action, Set<String> allowed) throws ScriptFailure {
        for (String key : result.getMemberKeys()) {
            if (!allowed.contains(key) && member(result, key) != null) {
                String hint = key.equals("memory") ? " (memory is only allowed from onOom with restart)" : "";
                throw garbage("returned an unexpected key \"" + clip(key) + "\" with " + action + hint);
            }
        }
    }

    private static double integer(Value v, String key) throws ScriptFailure {
        if (!v.isNumber() || !v.fitsInDouble()) {
            throw garbage("returned a " + key + " that is not a number: " + show(v));
        }
        double d = v.asDouble();
        if (!Double.isFinite(d) || d != Math.rint(d)) {
            throw garbage("returned a " + key + " that is not an integer: " + show(v));
        }
        return d;
    }

    private static ScriptFailure garbage(String what) {
        return new ScriptFailure(what);
    }

    private static String show(Value v) {
        return clip(v.isString() ? "\"" + v.asString() + "\"" : v.toString());
    }

    private static String clip(String s) {
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }
}
