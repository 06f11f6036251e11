package io.berth.daemon.it;

import static io.berth.daemon.it.ExitsAndRestartsIT.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/**
 * With live-restore off, a graceful stop of berthd stops its containers as dockerd does (their stop
 * signal, then SIGKILL after their timeout). That stop is the daemon's, not a user's: an
 * {@code unless-stopped} container comes back when the daemon starts again.
 */
class LiveRestoreOffIT extends DaemonTest {

    private static final String STOPS_ON_TERM = "trap 'exit 0' TERM; while :; do sleep 0.1; done";

    @Override
    String daemonJson() {
        return "{\"live-restore\": false}\n";
    }

    private JsonObject state(String name) throws Exception {
        return inspect(name).getJsonObject("State");
    }

    @Test
    void aGracefulStopStopsContainersAndUnlessStoppedComesBack() throws Exception {
        assertTrue(ok("info", "--format", "{{.LiveRestoreEnabled}}").trimmed().equals("false"));
        ok("run", "-d", "--name", "plain", "busybox", "sh", "-c", STOPS_ON_TERM);
        ok("run", "-d", "--name", "back", "--restart", "unless-stopped", "busybox", "sh", "-c", STOPS_ON_TERM);
        int plainPid = state("plain").getInteger("Pid");
        int backPid = state("back").getInteger("Pid");

        berth.stop();
        assertFalse(ProcessHandle.of(plainPid).map(ProcessHandle::isAlive).orElse(false), "stopped with the daemon");
        assertFalse(ProcessHandle.of(backPid).map(ProcessHandle::isAlive).orElse(false), "stopped with the daemon");
        berth.launch();

        JsonObject plain = state("plain");
        assertEquals("exited", plain.getString("Status"));
        assertEquals(0, plain.getInteger("ExitCode"), "its stop signal ended it");
        await("unless-stopped to come back", 15, () -> "running".equals(state("back").getString("Status")));
        ok("rm", "-f", "plain", "back");
    }
}
