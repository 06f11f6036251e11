package io.berth.daemon.runtime.runc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import io.berth.daemon.runtime.ExitMonitor.ExitNotice;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExitFileMonitorTest {
    @TempDir
    Path tmp;
    private Path exits;
    private Path shims;
    private ExitFileMonitor monitor;
    private final BlockingQueue<ExitNotice> notices = new LinkedBlockingQueue<>();

    @BeforeEach
    void setUp() throws Exception {
        exits = Files.createDirectories(tmp.resolve("exits"));
        shims = Files.createDirectories(tmp.resolve("shims"));
        monitor = new ExitFileMonitor(exits, shims::resolve);
    }

    @AfterEach
    void tearDown() throws Exception {
        monitor.close();
        for (int i = 0; i < 50 && monitorThreadAlive(); i++) {
            Thread.sleep(20);
        }
        assertFalse(monitorThreadAlive(), "monitor thread outlived close()");
    }

    private static boolean monitorThreadAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("berth-exit-monitor") && t.isAlive());
    }

    /** Like glib's g_file_set_contents: a temp file next to the target, then a rename. */
    private void conmonWrites(String id, String content) throws Exception {
        Path temp = exits.resolve(id + ".AbC123");
        Files.writeString(temp, content);
        Files.move(temp, exits.resolve(id), StandardCopyOption.ATOMIC_MOVE);
    }

    private ExitNotice next() throws InterruptedException {
        return notices.poll(5, TimeUnit.SECONDS);
    }

    @Test
    void reportsFilesPresentAtStartThenNewOnes() throws Exception {
        conmonWrites("old", "3");
        FileTime at = Files.getLastModifiedTime(exits.resolve("old"));
        monitor.start(notices::add);
        ExitNotice old = next();
        assertEquals(new ExitNotice("old", 3, at.to(TimeUnit.NANOSECONDS), false), old);

        Files.createDirectories(shims.resolve("new"));
        Files.createFile(shims.resolve("new").resolve("oom"));
        conmonWrites("new", "137");
        ExitNotice fresh = next();
        assertEquals("new", fresh.id());
        assertEquals(137, fresh.exitCode());
        assertTrue(fresh.oomKilled());
        assertNull(notices.poll(300, TimeUnit.MILLISECONDS), "each exit once, temp files never");
    }

    @Test
    void junkIsSkippedUntilTheFileIsComplete() throws Exception {
        monitor.start(notices::add);
        Files.writeString(exits.resolve("c"), "");
        Files.writeString(exits.resolve("d"), "not a number");
        Files.writeString(exits.resolve(".hidden"), "1");
        assertNull(notices.poll(300, TimeUnit.MILLISECONDS));
        Files.writeString(exits.resolve("c"), "-1");
        ExitNotice c = next();
        assertEquals("c", c.id());
        assertEquals(-1, c.exitCode());
        assertFalse(c.oomKilled());
    }

    @Test
    void aRewrittenFileIsReportedAgainAndAcknowledgeDeletesIt() throws Exception {
        monitor.start(notices::add);
        conmonWrites("r", "0");
        assertEquals(0, next().exitCode());
        Files.setLastModifiedTime(exits.resolve("r"), FileTime.fromMillis(0)); // same content, new mtime: a new exit
        ExitNotice again = next();
        assertEquals(0, again.exitedAtNanos());
        monitor.acknowledge("r");
        assertFalse(Files.exists(exits.resolve("r")));
        monitor.acknowledge("r"); // twice is fine
        conmonWrites("r", "2");
        assertEquals(2, next().exitCode());
    }

    @Test
    void aFailingListenerDoesNotStopTheMonitor() throws Exception {
        monitor.start(n -> {
            notices.add(n);
            throw new IllegalStateException("listener bug");
        });
        conmonWrites("a", "1");
        conmonWrites("b", "2");
        assertEquals(Set.of("a", "b"), Set.of(next().id(), next().id())); // a scan may list b first
    }
}
