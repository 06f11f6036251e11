package io.berth.daemon.it;

import static io.berth.daemon.it.DockerEvents.actions;
import static io.berth.daemon.it.DockerEvents.attr;
import static io.berth.daemon.it.DockerEvents.now;
import static io.berth.daemon.it.ExitsAndRestartsIT.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code kill -9} of berthd with containers running: they keep running; those that exit while the
 * daemon is down are found with their real exit code and time when it comes back, get their
 * {@code die} then, and their restart policy applies as if the daemon had been up.
 */
class CrashRestoreIT extends DaemonTest {

    private static final String WAIT_FOR_USR1 = "trap 'exit %d' USR1; while :; do sleep 0.1; done";

    private JsonObject state(String name) throws Exception {
        return inspect(name).getJsonObject("State");
    }

    private static void signal(int pid, String sig) throws Exception {
        Process p = new ProcessBuilder("kill", "-" + sig, String.valueOf(pid)).inheritIO().start();
        assertEquals(0, p.waitFor());
    }

    @Test
    void containersOutliveACrashAndExitsDuringTheDowntimeAreFoundWithTheirCodes() throws Exception {
        ok("run", "-d", "--name", "keeper", "busybox", "sh", "-c", "echo up; sleep 600");
        ok("run", "-d", "--name", "seven", "busybox", "sh", "-c", String.format(WAIT_FOR_USR1, 7));
        ok("run", "-d", "--name", "phoenix", "--restart", "always", "busybox", "sh", "-c",
                String.format(WAIT_FOR_USR1, 3));
        ok("run", "-d", "--name", "talker", "busybox", "sh", "-c",
                "trap 'echo bye; exit 0' USR1; while :; do sleep 0.1; done");
        int talkerPid = state("talker").getInteger("Pid");
        int keeperPid = state("keeper").getInteger("Pid");
        String keeperFullId = inspect("keeper").getString("Id");
        int sevenPid = state("seven").getInteger("Pid");
        int phoenixPid = state("phoenix").getInteger("Pid");

        berth.kill();
        long down = now();
        signal(sevenPid, "USR1");
        signal(phoenixPid, "USR1");
        // Both exit while no daemon runs: only their shims see it.
        await("the signalled containers to exit", 10, () -> !ProcessHandle.of(sevenPid).map(ProcessHandle::isAlive)
                .orElse(false) && !ProcessHandle.of(phoenixPid).map(ProcessHandle::isAlive).orElse(false));
        long exitedBefore = now();
        // What a crash between the runtime's create and its journal entry leaves: a runc container
        // the journal does not know (made here from keeper's bundle, with its own id and cgroup).
        String orphanId = "cd".repeat(32);
        Path orphanBundle = berth.root().resolve("orphan-bundle");
        runOrphan(keeperFullId, orphanId, orphanBundle);
        // What a crash between making a container's directory and journaling its create leaves.
        Path orphan = berth.dataRoot().resolve("containers").resolve("ab".repeat(32));
        Files.createDirectories(orphan.resolve("upper"));
        Thread.sleep(300);
        berth.launch();
        assertTrue(Files.notExists(orphan), "an unacknowledged create leaves nothing behind");
        assertTrue(!runc("list", "-q").contains(orphanId), "a runtime container the journal does not know is deleted");

        JsonObject keeper = state("keeper");
        assertEquals("running", keeper.getString("Status"));
        assertEquals(keeperPid, keeper.getInteger("Pid"));
        assertEquals("up\n", ok("logs", "keeper").out());
        assertEquals("still here\n", ok("exec", "keeper", "echo", "still here").out());
        var attached = new CompletableFuture<Docker.Result>();
        Thread.ofVirtual().start(() -> {
            try {
                attached.complete(docker.runWithInput(null, 30, "attach", "--no-stdin", "talker"));
            } catch (Exception | AssertionError e) {
                attached.completeExceptionally(e);
            }
        });
        long t1 = now();
        await("the attach to be in place", 10, () -> {
            if (attached.isDone()) {
                throw new AssertionError("docker attach ended early: " + attached.join());
            }
            return actions(new DockerEvents(docker).window(t1 - 5_000_000_000L, now(), "container=talker"))
                    .contains("attach");
        });
        signal(talkerPid, "USR1");
        Docker.Result talk = attached.get(30, TimeUnit.SECONDS);
        assertEquals("bye\n", talk.out(), "attached after the crash: " + talk);

        await("seven's exit to be journaled", 10, () -> "exited".equals(state("seven").getString("Status")));
        JsonObject seven = state("seven");
        assertEquals(7, seven.getInteger("ExitCode"));
        long finished = nanos(seven.getString("FinishedAt"));
        assertTrue(finished >= down - 50_000_000L && finished <= exitedBefore + 50_000_000L,
                "FinishedAt is when it exited, not when the daemon found out: " + seven.getString("FinishedAt"));

        await("phoenix to be restarted by its policy", 10, () -> "running".equals(state("phoenix").getString("Status"))
                && inspect("phoenix").getInteger("RestartCount") == 1);

        DockerEvents events = new DockerEvents(docker);
        List<JsonObject> sevenEvents = events.window(down, now(), "container=seven");
        assertEquals(List.of("die"), actions(sevenEvents));
        assertEquals("7", attr(sevenEvents.get(0), "exitCode"));
        List<JsonObject> phoenixEvents = events.window(down, now(), "container=phoenix");
        assertEquals(List.of("die", "restarting", "start"), actions(phoenixEvents));
        assertEquals("3", attr(phoenixEvents.get(0), "exitCode"));
        assertEquals("always after exit code 3", attr(phoenixEvents.get(1), "reason"));
        ok("rm", "-f", "keeper", "seven", "phoenix", "talker");
    }

    private String runc(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("runc", "--root",
                berth.execRoot().resolve("runc").toString()));
        cmd.addAll(List.of(args));
        // To a file, not a pipe: the container's process inherits runc's stdio and would hold a pipe open.
        Path out = Files.createTempFile(berth.root(), "runc", ".out");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        int rc = p.waitFor();
        String text = Files.readString(out);
        assertEquals(0, rc, String.join(" ", cmd) + ": " + text);
        return text;
    }

    /** Creates and starts a runc container behind the daemon's back, on the daemon's runc root. */
    private void runOrphan(String keeperFullId, String orphanId, Path bundle) throws Exception {
        Files.createDirectories(bundle);
        JsonObject spec = new JsonObject(Files.readString(
                berth.dataRoot().resolve("containers").resolve(keeperFullId).resolve("config.json")));
        spec.getJsonObject("process").put("args", new JsonArray().add("sleep").add("600"));
        spec.getJsonObject("linux").put("cgroupsPath", "/berth/" + orphanId);
        Files.writeString(bundle.resolve("config.json"), spec.encode());
        runc("create", "--bundle", bundle.toString(), orphanId);
        runc("start", orphanId);
        assertTrue(runc("list", "-q").contains(orphanId));
    }

    private static long nanos(String rfc3339) {
        Instant t = Instant.parse(rfc3339);
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }
}
