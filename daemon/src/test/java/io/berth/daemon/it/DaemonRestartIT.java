package io.berth.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
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
}
