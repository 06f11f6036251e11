package io.berth.scripting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.scripting.PolicyEngine.Hook;
import io.berth.scripting.PolicyEngine.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Closing leaves no thread behind, and a closed engine still answers, with failures. */
class EngineLifecycleTest {

    @Test
    void closingStopsEveryThread(@TempDir Path dir) throws Exception {
        Set<Thread> before = policyThreads();
        PolicyEngine engine = PolicyEngine.create(PolicyLimits.DEFAULT.withStatementLimit(Long.MAX_VALUE));
        Files.writeString(dir.resolve("loop.js"), "function onExit(ctx) { if (ctx.exitCode) for (;;) {} }\n");
        PolicyDirectory directory = new PolicyDirectory(dir, engine, change -> {});
        directory.start();
        // The watchdog's cut starts a thread that closes the context: it must be gone too.
        Outcome cut = engine.evaluate("loop", Hook.ON_EXIT, Inputs.exit(1, 0, 10));
        assertTrue(cut.failure().startsWith("onExit timed out"), cut::toString);
        assertTrue(policyThreads().size() > before.size());
        directory.close();
        engine.close();

        long deadline = System.nanoTime() + 5_000_000_000L;
        Set<Thread> left = policyThreads();
        left.removeAll(before);
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
            left = policyThreads();
            left.removeAll(before);
        }
        assertEquals(Set.of(), left.stream().map(Thread::getName).collect(Collectors.toSet()));

        Outcome o = engine.evaluate("loop", Hook.ON_EXIT, Inputs.exit(0, 0, 10));
        assertTrue(o.failed(), o::toString);
        assertInstanceOf(PolicyChange.Rejected.class, engine.load("late", "late.js", "function onExit() {}"));
    }

    private static Set<Thread> policyThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("berth-policy"))
                .collect(Collectors.toSet());
    }
}
