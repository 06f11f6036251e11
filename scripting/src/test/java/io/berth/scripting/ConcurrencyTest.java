package io.berth.scripting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.scripting.PolicyEngine.Decision;
import io.berth.scripting.PolicyEngine.Hook;
import io.berth.scripting.PolicyEngine.Input;
import io.berth.scripting.PolicyEngine.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Several threads evaluating at once, with misbehaving policies among them and reloads under way. */
class ConcurrencyTest {

    private static final String COUNTER = """
            function onExit(ctx) {
              const dies = ctx.history.filter(t => t.action === 'die').length;
              return {action: 'restart', delayMs: dies * 1000 + ctx.exitCode};
            }
            """;
    private static final String THROWER = """
            function onExit(ctx) {
              if (ctx.exitCode % 2 === 1) throw new Error('odd ' + ctx.exitCode);
              return {action: 'stop'};
            }
            """;
    private static final String LOOPER = """
            function onExit(ctx) {
              if (ctx.exitCode === 7) for (;;) {}
              return {action: 'default'};
            }
            """;

    private PolicyEngine engine;
    private ExecutorService callers;

    @BeforeEach
    void create() {
        engine = PolicyEngine.create(PolicyLimits.DEFAULT.withThreads(2));
        for (String[] p : new String[][] {{"counter", COUNTER}, {"thrower", THROWER}, {"looper", LOOPER}}) {
            assertInstanceOf(PolicyChange.Loaded.class, engine.load(p[0], p[0] + ".js", p[1]));
        }
        callers = Executors.newFixedThreadPool(6);
    }

    @AfterEach
    void close() throws InterruptedException {
        callers.shutdownNow();
        assertTrue(callers.awaitTermination(10, TimeUnit.SECONDS));
        engine.close();
    }

    @Test
    void callersGetTheirOwnAnswersWhileOtherPoliciesFail() throws Exception {
        List<Future<Integer>> done = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            int caller = t;
            done.add(callers.submit(() -> {
                for (int i = 0; i < 300; i++) {
                    int code = caller * 1000 + i;
                    Input in = Inputs.exit(code, 0, 10);
                    Outcome c = engine.evaluate("counter", Hook.ON_EXIT, in);
                    assertNull(c.failure(), c::toString);
                    assertEquals(new Decision.Restart(1000 + code, 0), c.decision());

                    Outcome th = engine.evaluate("thrower", Hook.ON_EXIT, in);
                    if (code % 2 == 1) {
                        assertTrue(th.failure().startsWith("onExit threw Error: odd " + code + " at thrower.js:2:"), th::toString);
                    } else {
                        assertNull(th.failure(), th::toString);
                        assertInstanceOf(Decision.Stop.class, th.decision());
                    }
                    if (i % 60 == 0) {
                        Outcome loop = engine.evaluate("looper", Hook.ON_EXIT, Inputs.exit(7, 0, 10));
                        assertTrue(loop.failed(), loop::toString);
                        assertInstanceOf(Decision.Default.class, loop.decision());
                    }
                }
                return caller;
            }));
        }
        for (Future<Integer> f : done) {
            f.get(120, TimeUnit.SECONDS);
        }
        // Every policy still answers after all that.
        assertNull(engine.evaluate("looper", Hook.ON_EXIT, Inputs.exit(0, 0, 10)).failure());
        assertNull(engine.evaluate("thrower", Hook.ON_EXIT, Inputs.exit(0, 0, 10)).failure());
    }

    @Test
    void eachOutcomeComesFromTheVersionItNames() throws Exception {
        String stop = "function onExit(ctx) { return {action: 'stop'}; }\n";
        String restart = "function onExit(ctx) { return {action: 'restart', delayMs: 1}; }\n";
        Map<String, Class<? extends Decision>> byHash = Map.of(
                PolicyEngine.versionHash(stop), Decision.Stop.class,
                PolicyEngine.versionHash(restart), Decision.Restart.class);
        engine.load("flip", "flip.js", stop);
        AtomicBoolean running = new AtomicBoolean(true);
        Future<Integer> reloader = callers.submit(() -> {
            int n = 0;
            while (running.get() && n < 200) {
                assertInstanceOf(PolicyChange.Loaded.class, engine.load("flip", "flip.js", n++ % 2 == 0 ? restart : stop));
            }
            return n;
        });
        List<Future<?>> evaluators = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            evaluators.add(callers.submit(() -> {
                for (int i = 0; i < 500; i++) {
                    Outcome o = engine.evaluate("flip", Hook.ON_EXIT, Inputs.exit(1, 0, 10));
                    assertNull(o.failure(), o::toString);
                    assertInstanceOf(byHash.get(o.versionHash()), o.decision());
                }
                return null;
            }));
        }
        for (Future<?> f : evaluators) {
            f.get(120, TimeUnit.SECONDS);
        }
        running.set(false);
        assertTrue(reloader.get(60, TimeUnit.SECONDS) > 0);
    }
}
