package io.berth.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import io.berth.events.journal.FileBytes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;

/** A stopped and started daemon rebuilds its state from the journal; running containers keep running. */
class DaemonRestartIT extends DaemonTest {

    private JsonObject state(String name) throws Exception {
        return new JsonArray(ok("inspect", name).out()).getJsonObject(0).getJsonObject("State");
    }

    @Test
    void stateSurvivesARestart() throws Exception {
        ok("run", "-d", "--name", "keeper", "busybox", "sh", "-c", "echo before; sleep 600");
        assertEquals(4, docker.run("run", "--name", "done4", "busybox", "sh", "-c", "exit 4").exit());
        ok("create", "--name", "fresh", "busybox", "true");
        ok("tag", "busybox", "kept:1");
        int pid = state("keeper").getInteger("Pid");
        String psBefore = ok("ps", "-a", "--format", "{{.Names}} {{.State}}").out();

        berth.stop();
        berth.launch();

        assertEquals(psBefore.lines().sorted().toList(),
                ok("ps", "-a", "--format", "{{.Names}} {{.State}}").out().lines().sorted().toList());
        JsonObject keeper = state("keeper");
        assertEquals("running", keeper.getString("Status"));
        assertEquals(pid, keeper.getInteger("Pid"), "the same process: it kept running while the daemon was down");
        assertEquals(4, state("done4").getInteger("ExitCode"));
        assertEquals("created", state("fresh").getString("Status"));
        assertTrue(ok("images", "--format", "{{.Repository}}:{{.Tag}}").out().contains("kept:1"));
        assertEquals("before\n", ok("logs", "keeper").out());
        assertEquals("still here\n", ok("exec", "keeper", "echo", "still here").out());
        ok("stop", "-t", "1", "keeper");
        assertEquals(137, state("keeper").getInteger("ExitCode"), "the exit after the restart is seen");
        ok("rm", "keeper", "done4", "fresh");
    }

    @Test
    void aJournalCutShortInItsLastEntryStartsReportsAndKeepsTheRest() throws Exception {
        ok("create", "--name", "kept1", "busybox", "true");
        ok("create", "--name", "kept2", "busybox", "true");
        ok("create", "--name", "cut", "--label", "filler=" + "x".repeat(400), "busybox", "true");
        berth.stop();
        Path cycle;
        try (var files = Files.list(berth.dataRoot().resolve("journal"))) {
            cycle = files.filter(f -> f.toString().endsWith(".cq4")).sorted().reduce((a, b) -> b).orElseThrow();
        }
        // The daemon's stop entry follows the create: cut through the create, as a disk losing the
        // end of the file would, and drop what follows it.
        int at = FileBytes.indexOf(cycle, "x".repeat(400));
        assertTrue(at > 0, "the last create is in " + cycle);
        try (var ch = FileChannel.open(cycle, StandardOpenOption.WRITE)) {
            ch.truncate(at + 200);
        }

        berth.launch();
        JsonObject journal = new JsonObject(new Api(berth).get("/info").body()).getJsonObject("BerthJournal");
        // The entry the cut went through, and the daemon's stop entry lost after it.
        assertEquals(2, journal.getInteger("DamagedEntries"), journal.encode());
        assertTrue(berth.logText().contains("damaged journal entry"), "reported in the log");
        String names = ok("ps", "-a", "--format", "{{.Names}}").out();
        assertTrue(names.contains("kept1") && names.contains("kept2"), names);
        assertTrue(!names.contains("cut"), "the entry cut short is not half-applied: " + names);
        ok("create", "--name", "after", "busybox", "true");
        berth.stop();
        berth.launch();
        assertTrue(ok("ps", "-a", "--format", "{{.Names}}").out().contains("after"), "the journal goes on after it");
        ok("rm", "kept1", "kept2", "after");
    }
}
