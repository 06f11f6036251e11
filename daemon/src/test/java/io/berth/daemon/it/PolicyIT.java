package io.berth.daemon.it;

import static io.berth.daemon.it.DockerEvents.actions;
import static io.berth.daemon.it.DockerEvents.attr;
import static io.berth.daemon.it.DockerEvents.now;
import static io.berth.daemon.it.ExitsAndRestartsIT.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Scripted transition policies with real containers: a policy's backoff seen on a container that
 * keeps failing, the shipped flapping policy stopping a container Docker's policy would restart
 * forever, hot reload of a broken file, the dry-run endpoint, and a daemon restart that re-runs no
 * script (decisions are replayed from the journal).
 */
class PolicyIT extends DaemonTest {

    private static final String FIXED = """
            // Restart failures after 300 ms, at most twice, then stop.
            function onExit(ctx) {
              if (ctx.exitCode === 0) return {action: "default"};
              if (ctx.restartCount >= 2) return {action: "stop"};
              return {action: "restart", delayMs: 300};
            }
            """;

    private final Path policies = newPolicyDir();

    private static Path newPolicyDir() {
        try {
            Path dir = Files.createTempDirectory(Path.of("/tmp"), "btpol");
            Files.writeString(dir.resolve("fixed.js"), FIXED);
            Files.copy(BerthProcess.repoRoot().resolve("scripting/policies/flapping.js"), dir.resolve("flapping.js"));
            Files.copy(BerthProcess.repoRoot().resolve("scripting/policies/oom-grow.js"), dir.resolve("oom-grow.js"));
            Files.writeString(dir.resolve("broken.js"), "function onExit(ctx) { throw new Error('boom'); }\n");
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    void removePolicies() throws IOException {
        try (var files = Files.list(policies)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(policies);
    }

    @Override
    String daemonJson() {
        return "{\"policy-dir\": \"" + policies + "\"}\n";
    }

    private JsonObject state(String name) throws Exception {
        return inspect(name).getJsonObject("State");
    }

    private JsonArray loaded() throws Exception {
        return new JsonArray(new Api(berth).get("/berth/policies").body());
    }

    private JsonObject policy(String name) throws Exception {
        for (Object o : loaded()) {
            if (name.equals(((JsonObject) o).getString("Name"))) {
                return (JsonObject) o;
            }
        }
        return null;
    }

    /** {@code journal dump --type TYPE [--container NAME]}. */
    private String dump(String type, String... container) throws Exception {
        List<String> args = new ArrayList<>(List.of("dump", "--type", type));
        for (String c : container) {
            args.addAll(List.of("--container", c));
        }
        Docker.Result r = berth.journal(args.toArray(String[]::new));
        assertEquals(0, r.exit(), r.toString());
        return r.out();
    }

    @Test
    void aPolicysBackoffAndStopAreSeenOnARealContainerAndNotReRunAfterARestart() throws Exception {
        await("the policies to load", 20, () -> policy("fixed") != null && policy("flapping") != null);
        long t0 = now();
        ok("run", "-d", "--name", "pol", "--label", "berth.policy=fixed", "busybox", "sh", "-c", "exit 5");
        await("the policy to stop it", 15, () -> "exited".equals(state("pol").getString("Status"))
                && inspect("pol").getInteger("RestartCount") == 2 && dump("policy.decided", "pol").lines().count() == 3);
        List<JsonObject> ev = new DockerEvents(docker).window(t0, now(), "container=pol");
        assertEquals(List.of("create", "start", "die", "restarting", "start", "die", "restarting", "start", "die"),
                actions(ev));
        assertEquals("300ms", attr(ev.get(3), "delay"));
        assertEquals("policy fixed (onExit) after exit code 5", attr(ev.get(3), "reason"));
        long gap = Long.parseLong(ev.get(4).getString("timeNano")) - Long.parseLong(ev.get(3).getString("timeNano"));
        assertTrue(gap >= 300_000_000L, "the policy's delay, not Docker's 100 ms: " + gap);
        String decided = dump("policy.decided", "pol");
        assertTrue(decided.contains("action=restart") && decided.contains("action=stop"), decided);
        Thread.sleep(600);
        assertEquals("exited", state("pol").getString("Status"), "a stop decision leaves it exited");

        berth.stop();
        berth.launch();
        await("the policies to load again", 20, () -> policy("fixed") != null);
        assertEquals(3, dump("policy.decided", "pol").lines().count(), "replay re-applies decisions, it runs no script");
        assertEquals("exited", state("pol").getString("Status"));
        ok("start", "pol");
        await("one more decision after a start by hand", 15, () -> dump("policy.decided", "pol").lines().count() >= 4);
        ok("rm", "-f", "pol");
    }

    @Test
    void theFlappingPolicyStopsWhatDockersAlwaysWouldRestartForever() throws Exception {
        await("the policies to load", 20, () -> policy("flapping") != null);
        ok("run", "-d", "--name", "flap", "--restart", "always", "--label", "berth.policy=flapping",
                "--label", "berth.flapping.max-exits=3", "busybox", "sh", "-c", "exit 1");
        await("flapping to stop it", 15, () -> "exited".equals(state("flap").getString("Status"))
                && inspect("flap").getInteger("RestartCount") == 2);
        Thread.sleep(1000);
        assertEquals("exited", state("flap").getString("Status"), "stopped by the policy after 3 exits");
        assertEquals(2, inspect("flap").getInteger("RestartCount"), "the first two went to Docker's always");
        ok("rm", "flap");
    }

    @Test
    void aPolicyThatThrowsFallsBackToDockersPolicyAndIsJournaledAsFailed() throws Exception {
        await("the policies to load", 20, () -> policy("broken") != null);
        ok("run", "-d", "--name", "thrower", "--restart", "on-failure:1", "--label", "berth.policy=broken", "busybox",
                "sh", "-c", "exit 4");
        await("Docker's on-failure:1 to have restarted it once", 15,
                () -> "exited".equals(state("thrower").getString("Status"))
                        && inspect("thrower").getInteger("RestartCount") == 1
                        && dump("policy.failed", "thrower").lines().count() == 2);
        assertTrue(dump("policy.failed", "thrower").contains("boom"), dump("policy.failed", "thrower"));
        ok("rm", "thrower");
    }

    @Test
    void anOomGrowDecisionRaisesTheMemoryLimitBeforeTheRestart() throws Exception {
        await("the policies to load", 20, () -> policy("oom-grow") != null);
        ok("run", "-d", "--name", "grow", "-m", "8m", "--memory-swap", "8m", "--label", "berth.policy=oom-grow",
                "busybox", "sh", "-c", "a=aaaaaaaa; while :; do a=$a$a; done");
        await("the restart with more memory", 15, () -> inspect("grow").getInteger("RestartCount") >= 1);
        long memory = inspect("grow").getJsonObject("HostConfig").getLong("Memory");
        assertTrue(memory >= 12L << 20, "8 MiB grown by half: " + memory);
        assertTrue(dump("policy.decided", "grow").contains("hook=onOom"), dump("policy.decided", "grow"));
        ok("rm", "-f", "grow");
    }

    @Test
    void aBrokenReloadIsRejectedWithItsPositionAndThePreviousVersionStays() throws Exception {
        await("the policies to load", 20, () -> policy("fixed") != null);
        Files.writeString(policies.resolve("second.js"), "function onExit(ctx) { return {action: 'stop'}; }\n");
        await("a new file to load", 10, () -> policy("second") != null);
        String hash = policy("second").getString("VersionHash");
        Files.writeString(policies.resolve("second.js"), "function onExit(ctx) {\n  return {action: 'stop';\n}\n");
        await("the broken version to be rejected", 10, () -> policy("second").containsKey("Error"));
        JsonObject p = policy("second");
        assertEquals("active (update rejected)", p.getString("State"));
        assertEquals(hash, p.getString("VersionHash"), "the previous version stays");
        assertEquals(2, p.getJsonObject("Error").getInteger("Line"), p.encode());
        assertTrue(dump("policy.rejected").contains("second"), "journaled");

        Api.Response dry = new Api(berth).post("/berth/policies/second/evaluate?hook=onExit", "{\"exitCode\": 1}");
        assertEquals(200, dry.status(), dry.body());
        assertEquals("stop", new JsonObject(dry.body()).getJsonObject("Decision").getString("Action"));
        Api.Response none = new Api(berth).post("/berth/policies/nope/evaluate", "{}");
        assertEquals(404, none.status(), none.body());
        Files.delete(policies.resolve("second.js"));
        await("the deleted file's policy to go", 10, () -> policy("second") == null);
    }
}
