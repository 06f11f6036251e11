package io.berth.daemon.it;

import static io.berth.daemon.it.DockerEvents.actions;
import static io.berth.daemon.it.DockerEvents.attr;
import static io.berth.daemon.it.DockerEvents.now;
import static io.berth.daemon.it.ExitsAndRestartsIT.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A restart backoff set in daemon.json, and what a user's stop or forced removal does to a restart
 * that is waiting out its backoff: it is cancelled.
 */
class RestartBackoffIT extends DaemonTest {

    @Override
    String daemonJson() {
        return "{\"restart-backoff\": {\"initial\": \"3s\", \"max\": \"20s\", \"reset-after\": \"30s\"}}\n";
    }

    private JsonObject state(String name) throws Exception {
        return inspect(name).getJsonObject("State");
    }

    @Test
    void aStopOrForcedRemovalDuringTheBackoffCancelsThePendingRestart() throws Exception {
        long t0 = now();
        ok("run", "-d", "--name", "bo", "--restart", "always", "busybox", "sh", "-c", "exit 1");
        ok("run", "-d", "--name", "gone", "--restart", "always", "busybox", "sh", "-c", "exit 1");
        await("both to wait out their backoff", 10, () -> "restarting".equals(state("bo").getString("Status"))
                && "restarting".equals(state("gone").getString("Status")));
        String ps = ok("ps", "--filter", "name=bo", "--format", "{{.Status}}").trimmed();
        assertTrue(ps.startsWith("Restarting (1)"), ps);

        long stopAt = System.nanoTime();
        ok("stop", "bo");
        assertTrue(System.nanoTime() - stopAt < 2_000_000_000L, "a stop during backoff does not wait for a run");
        ok("rm", "-f", "gone");
        assertEquals("exited", state("bo").getString("Status"));
        assertEquals(1, state("bo").getInteger("ExitCode"), "the last run's exit code stays");

        Thread.sleep(3500); // past the 3 s backoff
        assertEquals("exited", state("bo").getString("Status"));
        List<JsonObject> ev = new DockerEvents(docker).window(t0, now(), "container=bo");
        assertEquals(List.of("create", "start", "die", "restarting", "stop"), actions(ev));
        assertEquals("3000ms", attr(ev.get(3), "delay"), "the daemon.json backoff");
        List<String> gone = actions(new DockerEvents(docker).window(t0, now(), "container=gone"));
        assertEquals(List.of("create", "start", "die", "restarting", "destroy"), gone);
        assertNotEquals(0, docker.run("inspect", "gone").exit());
        ok("rm", "bo");
    }
}
