package io.berth.scripting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import io.berth.scripting.PolicyEngine.Decision;
import io.berth.scripting.PolicyEngine.Hook;
import io.berth.scripting.PolicyEngine.Input;
import io.berth.scripting.PolicyEngine.Outcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The policies shipped in scripting/policies, through the real engine. */
class ExamplePoliciesTest {

    private static final long MIB = 1 << 20;
    private static PolicyEngine engine;

    @BeforeAll
    static void load() throws IOException {
        // A generous time limit: these tests are about decisions, not limits, on a shared machine.
        engine = PolicyEngine.create(PolicyLimits.DEFAULT.withCallTimeout(Duration.ofSeconds(2)));
        for (String name : new String[] {"backoff-jitter", "flapping", "oom-grow", "maintenance-window"}) {
            Path file = Path.of("policies", name + ".js");
            PolicyChange change = engine.load(name, file.toString(), Files.readString(file));
            assertInstanceOf(PolicyChange.Loaded.class, change, change.toString());
        }
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    @Test
    void everyPolicyDeclaresItsHooks() {
        assertEquals(EnumSet.of(Hook.ON_EXIT, Hook.ON_START_FAILURE), hooks("backoff-jitter"));
        assertEquals(EnumSet.of(Hook.ON_EXIT), hooks("flapping"));
        assertEquals(EnumSet.of(Hook.ON_OOM), hooks("oom-grow"));
        assertEquals(EnumSet.of(Hook.ON_EXIT, Hook.ON_START_FAILURE), hooks("maintenance-window"));
        for (PolicyEngine.PolicyInfo p : engine.policies()) {
            assertEquals("active", p.state());
            assertEquals(64, p.versionHash().length());
        }
    }

    @Test
    void backoffGrowsWithJitterWithinBoundsUpToTheCap() {
        for (int restarts = 0; restarts <= 12; restarts++) {
            long ceiling = Math.min(200L << restarts, 60_000);
            for (int i = 0; i < 20; i++) {
                long delay = restartDelay(decide("backoff-jitter", Hook.ON_EXIT, Inputs.exit(1, restarts, 500)));
                assertTrue(delay >= ceiling / 2 && delay <= ceiling,
                        "restart " + restarts + ": " + delay + " not in [" + ceiling / 2 + ", " + ceiling + "]");
            }
        }
        // A huge count neither overflows nor exceeds the cap.
        long delay = restartDelay(decide("backoff-jitter", Hook.ON_EXIT, Inputs.exit(1, 1_000_000, 500)));
        assertTrue(delay >= 30_000 && delay <= 60_000, "delay " + delay);
    }

    @Test
    void backoffJittersAndResetsAfterALongRun() {
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            seen.add(restartDelay(decide("backoff-jitter", Hook.ON_EXIT, Inputs.exit(1, 8, 500))));
        }
        assertTrue(seen.size() > 5, "30 draws gave only " + seen);
        long afterLongRun = restartDelay(decide("backoff-jitter", Hook.ON_EXIT, Inputs.exit(1, 8, 60_000)));
        assertTrue(afterLongRun >= 100 && afterLongRun <= 200, "delay " + afterLongRun);
    }

    @Test
    void backoffLeavesCleanExitsToDockerAndReadsLabels() {
        assertInstanceOf(Decision.Default.class, decide("backoff-jitter", Hook.ON_EXIT, Inputs.exit(0, 3, 500)));
        Input tuned = Inputs.withLabels(Inputs.exit(1, 10, 500),
                Map.of("berth.backoff.base-ms", "1000", "berth.backoff.max-ms", "4000"));
        long delay = restartDelay(decide("backoff-jitter", Hook.ON_EXIT, tuned));
        assertTrue(delay >= 2_000 && delay <= 4_000, "delay " + delay);
        Input startFailure = Inputs.exit(-1, 0, 0);
        long first = restartDelay(decide("backoff-jitter", Hook.ON_START_FAILURE, startFailure));
        assertTrue(first >= 100 && first <= 200, "delay " + first);
    }

    @Test
    void flappingStopsAfterFiveExitsInAMinute() {
        // This exit and 3 before it, 10 s apart: 4 in the window.
        assertInstanceOf(Decision.Default.class, decide("flapping", Hook.ON_EXIT, Inputs.flapping(3, 10_000)));
        // This exit and 4 before it: 5.
        assertInstanceOf(Decision.Stop.class, decide("flapping", Hook.ON_EXIT, Inputs.flapping(4, 10_000)));
        // 20 exits, but 30 s apart: only this one and the one 30 s before are within 60 s.
        assertInstanceOf(Decision.Default.class, decide("flapping", Hook.ON_EXIT, Inputs.flapping(20, 30_000)));
        // Labels: 2 exits in 40 s.
        Input tuned = Inputs.withLabels(Inputs.flapping(20, 30_000),
                Map.of("berth.flapping.max-exits", "2", "berth.flapping.window-s", "40"));
        assertInstanceOf(Decision.Stop.class, decide("flapping", Hook.ON_EXIT, tuned));
        // A first exit never stops.
        assertInstanceOf(Decision.Default.class, decide("flapping", Hook.ON_EXIT, Inputs.exit(1, 0, 100)));
    }

    @Test
    void oomGrowsByHalfUpToTheCap() {
        assertEquals(new Decision.Restart(1000, 384 * MIB), decide("oom-grow", Hook.ON_OOM, Inputs.oom(256 * MIB)));
        // Rounded up to a whole MiB.
        assertEquals(new Decision.Restart(1000, 2 * MIB), decide("oom-grow", Hook.ON_OOM, Inputs.oom(MIB + 1)));
        // Capped at 4 GiB, then left to Docker.
        assertEquals(new Decision.Restart(1000, 4096 * MIB), decide("oom-grow", Hook.ON_OOM, Inputs.oom(3000 * MIB)));
        assertInstanceOf(Decision.Default.class, decide("oom-grow", Hook.ON_OOM, Inputs.oom(4096 * MIB)));
        // No limit: nothing to grow.
        assertInstanceOf(Decision.Default.class, decide("oom-grow", Hook.ON_OOM, Inputs.oom(0)));
        // The cap from a label.
        Input capped = Inputs.withLabels(Inputs.oom(256 * MIB), Map.of("berth.oom-grow.max-bytes", String.valueOf(300 * MIB)));
        assertEquals(new Decision.Restart(1000, 300 * MIB), decide("oom-grow", Hook.ON_OOM, capped));
        // onExit is not defined: the engine defers without running anything.
        Outcome o = engine.evaluate("oom-grow", Hook.ON_EXIT, Inputs.oom(256 * MIB));
        assertNull(o.failure());
        assertInstanceOf(Decision.Default.class, o.decision());
    }

    @Test
    void maintenanceWindowRestartsOnlyInsideIt() {
        Input exit = Inputs.exit(1, 0, 1000);
        assertEquals(new Decision.Restart(1000, 0), decide("maintenance-window", Hook.ON_EXIT, at(exit, "02:00:00")));
        assertEquals(new Decision.Restart(1000, 0), decide("maintenance-window", Hook.ON_EXIT, at(exit, "03:59:59")));
        assertInstanceOf(Decision.Stop.class, decide("maintenance-window", Hook.ON_EXIT, at(exit, "04:00:00")));
        assertInstanceOf(Decision.Stop.class, decide("maintenance-window", Hook.ON_EXIT, at(exit, "01:59:59")));
        // A window across midnight from a label.
        Input night = Inputs.withLabels(exit, Map.of("berth.window", "22-02"));
        assertEquals(new Decision.Restart(1000, 0), decide("maintenance-window", Hook.ON_START_FAILURE, at(night, "23:30:00")));
        assertEquals(new Decision.Restart(1000, 0), decide("maintenance-window", Hook.ON_EXIT, at(night, "01:00:00")));
        assertInstanceOf(Decision.Stop.class, decide("maintenance-window", Hook.ON_EXIT, at(night, "12:00:00")));
    }

    @Test
    void maintenanceWindowWithABadLabelFailsToDocker() {
        Input bad = Inputs.withLabels(Inputs.exit(1, 0, 1000), Map.of("berth.window", "9am-5pm"));
        Outcome o = engine.evaluate("maintenance-window", Hook.ON_EXIT, bad);
        assertTrue(o.failed());
        assertInstanceOf(Decision.Default.class, o.decision());
        assertTrue(o.failure().startsWith("onExit threw Error: label berth.window must be"), o.failure());
        assertTrue(o.failure().contains("maintenance-window.js:"), o.failure());
    }

    private static Input at(Input in, String utcTime) {
        return Inputs.at(in, Instant.parse("2026-11-23T" + utcTime + "Z").toEpochMilli());
    }

    private static Set<Hook> hooks(String policy) {
        Set<Hook> hooks = EnumSet.noneOf(Hook.class);
        for (Hook h : Hook.values()) {
            if (engine.hasHook(policy, h)) {
                hooks.add(h);
            }
        }
        assertEquals(hooks, engine.policy(policy).orElseThrow().hooks());
        return hooks;
    }

    private static Decision decide(String policy, Hook hook, Input input) {
        Outcome o = engine.evaluate(policy, hook, input);
        assertNull(o.failure(), () -> policy + ": " + o.failure());
        assertEquals(policy, o.policy());
        assertEquals(input.summary(), o.inputsSummary());
        return o.decision();
    }

    private static long restartDelay(Decision d) {
        Decision.Restart r = assertInstanceOf(Decision.Restart.class, d);
        assertEquals(0, r.memoryBytes());
        return r.delayMs();
    }
}
