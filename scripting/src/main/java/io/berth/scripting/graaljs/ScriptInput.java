package io.berth.scripting.graaljs;

import io.berth.scripting.PolicyEngine.Input;
import io.berth.scripting.PolicyEngine.Transition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.graalvm.polyglot.proxy.ProxyArray;
import org.graalvm.polyglot.proxy.ProxyObject;

/**
 * An {@link Input} as the script's {@code ctx}: fresh proxies over plain maps and lists of strings,
 * numbers and booleans, so the script sees ordinary objects and arrays and reaches no host object.
 * A script may change its copy; the change is dropped with it.
 */
final class ScriptInput {

    private ScriptInput() {}

    static ProxyObject of(Input in) {
        Map<String, Object> ctx = new LinkedHashMap<>();
        ctx.put("id", in.id());
        ctx.put("name", in.name());
        ctx.put("image", in.image());
        ctx.put("labels", ProxyObject.fromMap(new LinkedHashMap<>(in.labels())));
        ctx.put("exitCode", in.exitCode());
        ctx.put("oomKilled", in.oomKilled());
        ctx.put("restartCount", in.restartCount());
        ctx.put("startedAt", in.startedAt());
        ctx.put("finishedAt", in.finishedAt());
        ctx.put("memoryLimit", in.memoryLimit());
        List<Object> history = new ArrayList<>(in.history().size());
        for (Transition t : in.history()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("action", t.action());
            entry.put("time", t.time());
            if (t.exitCode() != null) {
                entry.put("exitCode", t.exitCode());
            }
            history.add(ProxyObject.fromMap(entry));
        }
        ctx.put("history", ProxyArray.fromList(history));
        return ProxyObject.fromMap(ctx);
    }
}
