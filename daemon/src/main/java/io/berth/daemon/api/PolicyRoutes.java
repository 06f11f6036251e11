package io.berth.daemon.api;

import io.berth.daemon.policy.PolicyService;
import io.berth.errors.EngineException;
import io.berth.scripting.PolicyEngine;
import io.berth.scripting.PolicyEngine.Hook;
import io.berth.scripting.PolicyEngine.Outcome;
import io.berth.scripting.PolicyEngine.PolicyInfo;
import io.berth.scripting.PolicyEngine.Transition;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Berth's own API for transition policies (no Docker equivalent): {@code GET /berth/policies} lists
 * the loaded ones with their state and errors, {@code POST /berth/policies/{name}/evaluate} runs one
 * on a context the client gives and returns its decision, acting on nothing and journaling nothing.
 */
public final class PolicyRoutes {

    private final PolicyService policies;

    public PolicyRoutes(PolicyService policies) {
        this.policies = policies;
    }

    public void register(Routes r) {
        r.get("/berth/policies", this::list);
        r.post("/berth/policies/{name}/evaluate", this::evaluate);
    }

    private void list(ApiRequest r) {
        r.reply(policies.list().map(all -> {
            JsonArray out = new JsonArray();
            for (PolicyInfo p : all) {
                JsonObject o = new JsonObject().put("Name", p.name()).put("File", p.file())
                        .put("VersionHash", p.versionHash()).put("State", p.state())
                        .put("Hooks", new JsonArray(p.hooks().stream().map(Hook::function).sorted().toList()));
                if (p.rejection() != null) {
                    o.put("Error", new JsonObject().put("File", p.rejection().file()).put("Line", p.rejection().line())
                            .put("Column", p.rejection().column()).put("Message", p.rejection().reason()));
                }
                out.add(o);
            }
            return out;
        }), 200);
    }

    /**
     * The body is the context a hook gets ({@code id}, {@code name}, {@code image}, {@code labels},
     * {@code exitCode}, {@code oomKilled}, {@code restartCount}, {@code startedAt}, {@code finishedAt},
     * {@code memoryLimit}, {@code history}), all optional; {@code ?hook=onExit} (the default),
     * {@code onOom} or {@code onStartFailure}.
     */
    private void evaluate(ApiRequest r) {
        String hookName = r.query("hook", "onExit");
        Hook hook = Hook.byFunction(hookName).orElse(null);
        if (hook == null) {
            r.fail(EngineException.invalid("invalid hook \"" + hookName + "\": use onExit, onOom or onStartFailure"));
            return;
        }
        r.reply(r.jsonBody().compose(body -> policies.dryRun(r.param("name"), hook, input(body))).map(PolicyRoutes::json),
                200);
    }

    private static PolicyEngine.Input input(JsonObject b) {
        try {
            Map<String, String> labels = new HashMap<>();
            JsonObject l = b.getJsonObject("labels", new JsonObject());
            l.forEach(e -> labels.put(e.getKey(), String.valueOf(e.getValue())));
            List<Transition> history = new ArrayList<>();
            for (Object o : b.getJsonArray("history", new JsonArray())) {
                JsonObject t = (JsonObject) o;
                history.add(new Transition(t.getString("action", ""), t.getLong("time", 0L), t.getInteger("exitCode")));
            }
            return new PolicyEngine.Input(b.getString("id", ""), b.getString("name", ""), b.getString("image", ""),
                    labels, b.getInteger("exitCode", 0), b.getBoolean("oomKilled", false), b.getInteger("restartCount", 0),
                    b.getLong("startedAt", 0L), b.getLong("finishedAt", 0L), b.getLong("memoryLimit", 0L), history);
        } catch (ClassCastException e) {
            throw EngineException.invalid("invalid policy context: " + e.getMessage());
        }
    }

    private static JsonObject json(Outcome o) {
        JsonObject d = new JsonObject().put("Action", o.decision().action());
        if (o.decision() instanceof PolicyEngine.Decision.Restart rs) {
            d.put("DelayMs", rs.delayMs());
            if (rs.memoryBytes() > 0) {
                d.put("MemoryBytes", rs.memoryBytes());
            }
        }
        return new JsonObject().put("Policy", o.policy()).put("VersionHash", o.versionHash())
                .put("Hook", o.hook().function()).put("Inputs", o.inputsSummary()).put("Decision", d)
                .put("Failure", o.failure());
    }
}
