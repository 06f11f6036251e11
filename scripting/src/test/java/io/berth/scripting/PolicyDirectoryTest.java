package io.berth.scripting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import io.berth.scripting.PolicyEngine.Decision;
import io.berth.scripting.PolicyEngine.Hook;
import io.berth.scripting.PolicyEngine.Outcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading a directory of policies and following its changes. */
class PolicyDirectoryTest {

    private static final String V1 = "function onExit(ctx) {\n  return {action: 'stop'};\n}\n";
    private static final String V2 = "function onExit(ctx) {\n  return {action: 'restart', delayMs: 250};\n}\n";
    private static final String BROKEN = "function onExit(ctx) {\n  return {action: 'restart', delayMs: 1};\n}\n  }\n";
    private static final String THROWS = "function onExit(ctx) {}\nconst limit =\n    settings.limit;\n";

    @TempDir
    Path dir;

    private final BlockingQueue<PolicyChange> changes = new LinkedBlockingQueue<>();
    private PolicyEngine engine;
    private PolicyDirectory policies;

    @BeforeEach
    void create() {
        engine = PolicyEngine.create(PolicyLimits.DEFAULT.withCallTimeout(Duration.ofSeconds(2)));
        policies = new PolicyDirectory(dir, engine, changes::add, Duration.ofMillis(100));
    }

    @AfterEach
    void close() {
        policies.close();
        engine.close();
    }

    @Test
    void hotReloadOfAGoodThenABrokenFileThenDelete() throws Exception {
        Path file = write("restarts.js", V1);
        policies.start();
        PolicyChange.Loaded v1 = next(PolicyChange.Loaded.class);
        assertEquals("restarts", v1.name());
        assertEquals(file.toString(), v1.file());
        assertEquals(PolicyEngine.versionHash(V1), v1.versionHash());
        assertInstanceOf(Decision.Stop.class, decide("restarts"));

        write("restarts.js", V2);
        PolicyChange.Loaded v2 = next(PolicyChange.Loaded.class);
        assertEquals(PolicyEngine.versionHash(V2), v2.versionHash());
        assertEquals(new Decision.Restart(250, 0), decide("restarts"));

        write("restarts.js", BROKEN);
        PolicyChange.Rejected broken = next(PolicyChange.Rejected.class);
        assertEquals("restarts", broken.name());
        assertEquals(file.toString(), broken.file());
        assertEquals(4, broken.line());
        assertEquals(3, broken.column());
        assertTrue(broken.reason().startsWith("SyntaxError: "), broken::toString);
        assertEquals(v2.versionHash(), broken.keptVersionHash());
        // The previous version stays active, and the listing says so.
        assertEquals(new Decision.Restart(250, 0), decide("restarts"));
        PolicyEngine.PolicyInfo info = engine.policy("restarts").orElseThrow();
        assertEquals("active (update rejected)", info.state());
        assertEquals(v2.versionHash(), info.versionHash());
        assertEquals(4, info.rejection().line());

        write("restarts.js", THROWS);
        PolicyChange.Rejected throwing = next(PolicyChange.Rejected.class);
        assertEquals(3, throwing.line());
        assertEquals(5, throwing.column());
        assertEquals("top level threw ReferenceError: settings is not defined", throwing.reason());
        assertEquals(new Decision.Restart(250, 0), decide("restarts"));

        write("restarts.js", V1);
        next(PolicyChange.Loaded.class);
        assertInstanceOf(Decision.Stop.class, decide("restarts"));
        assertEquals("active", engine.policy("restarts").orElseThrow().state());

        Files.delete(file);
        assertEquals(new PolicyChange.Removed("restarts", file.toString()), next(PolicyChange.Removed.class));
        Outcome gone = engine.evaluate("restarts", Hook.ON_EXIT, Inputs.exit(1, 0, 100));
        assertEquals("no policy named restarts is loaded", gone.failure());
        assertTrue(engine.policies().isEmpty());
        assertNoMoreChanges();
    }

    @Test
    void startLoadsEveryFileAndRejectsTheBrokenOnes() throws Exception {
        write("a.js", V1);
        write("b.js", BROKEN);
        write("c.js", V2);
        write("notes.txt", "not a policy");
        write(".hidden.js", V1);
        Files.createDirectory(dir.resolve("sub.js"));
        policies.start();
        assertEquals("a", next(PolicyChange.Loaded.class).name());
        PolicyChange.Rejected b = next(PolicyChange.Rejected.class);
        assertEquals("b", b.name());
        assertNull(b.keptVersionHash());
        assertEquals("c", next(PolicyChange.Loaded.class).name());
        assertNoMoreChanges();
        assertEquals("rejected", engine.policy("b").orElseThrow().state());
        assertTrue(engine.evaluate("b", Hook.ON_EXIT, Inputs.exit(1, 0, 100)).failure()
                .startsWith("policy b has no active version: " + dir.resolve("b.js") + ":4:3: SyntaxError"));
    }

    @Test
    void anEditorsSaveByTemporaryFileAndRenameGivesOneReload() throws Exception {
        write("p.js", V1);
        policies.start();
        next(PolicyChange.Loaded.class);
        // As vim does: a backup, a swap file, a new file renamed over the old one.
        write(".p.js.swp", "swap");
        write("p.js~", V1);
        Path tmp = write("4913", "");
        Files.delete(tmp);
        Path fresh = write(".p.js.tmp", V2);
        Files.move(fresh, dir.resolve("p.js"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        PolicyChange.Loaded v2 = next(PolicyChange.Loaded.class);
        assertEquals(PolicyEngine.versionHash(V2), v2.versionHash());
        assertNoMoreChanges();
        assertEquals(new Decision.Restart(250, 0), decide("p"));
    }

    @Test
    void aRewriteWithTheSameContentChangesNothing() throws Exception {
        write("same.js", V1);
        policies.start();
        next(PolicyChange.Loaded.class);
        write("same.js", V1);
        Files.setLastModifiedTime(dir.resolve("same.js"), FileTime.fromMillis(0));
        assertNoMoreChanges();
    }

    @Test
    void aFileThatIsNotUtf8IsRejected() throws Exception {
        Files.write(dir.resolve("latin.js"), new byte[] {'/', '/', ' ', (byte) 0xE9, '\n'});
        policies.start();
        PolicyChange.Rejected r = next(PolicyChange.Rejected.class);
        assertEquals("cannot read the file: not UTF-8", r.reason());
    }

    @Test
    void aMissingDirectoryIsAnError() {
        PolicyDirectory missing = new PolicyDirectory(dir.resolve("nope"), engine, changes::add);
        assertThrows(NoSuchFileException.class, missing::start);
        missing.close();
    }

    @Test
    void theListenerFailingDoesNotStopTheWatcher() throws Exception {
        policies.close();
        policies = new PolicyDirectory(dir, engine, change -> {
            changes.add(change);
            throw new IllegalStateException("listener bug");
        }, Duration.ofMillis(100));
        policies.start();
        write("late.js", V1);
        assertEquals("late", next(PolicyChange.Loaded.class).name());
        write("late.js", V2);
        assertEquals(PolicyEngine.versionHash(V2), next(PolicyChange.Loaded.class).versionHash());
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    private <T extends PolicyChange> T next(Class<T> type) throws InterruptedException {
        PolicyChange c = changes.poll(10, TimeUnit.SECONDS);
        assertNotNull(c, "no " + type.getSimpleName() + " within 10 s");
        return assertInstanceOf(type, c, c::toString);
    }

    private void assertNoMoreChanges() throws InterruptedException {
        PolicyChange c = changes.poll(600, TimeUnit.MILLISECONDS);
        assertNull(c, () -> "unexpected " + c);
    }

    private Decision decide(String policy) {
        Outcome o = engine.evaluate(policy, Hook.ON_EXIT, Inputs.exit(1, 0, 100));
        assertNull(o.failure(), o::toString);
        return o.decision();
    }
}
