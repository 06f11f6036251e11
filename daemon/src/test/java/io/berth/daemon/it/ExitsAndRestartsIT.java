package io.berth.daemon.it;

import static io.berth.daemon.it.DockerEvents.actions;
import static io.berth.daemon.it.DockerEvents.attr;
import static io.berth.daemon.it.DockerEvents.now;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/**
 * Exit codes, OOM kills and Docker's restart policies with real containers: what {@code docker
 * inspect} and {@code docker events} show, and who comes back when the daemon starts again.
 */
class ExitsAndRestartsIT extends DaemonTest {

    private JsonObject state(String name) throws Exception {
        return inspect(name).getJsonObject("State");
    }

    private int restartCount(String name) throws Exception {
        return inspect(name).getInteger("RestartCount");
    }

    /** Polls {@code condition} every 50 ms for up to {@code seconds}. */
    static void await(String what, int seconds, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (!condition.call()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + seconds + " s waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    private List<JsonObject> history(String name, long since) throws Exception {
        return new DockerEvents(docker).window(since, now(), "container=" + name);
    }

    @Test
    void aSignalExitIs128PlusTheSignalAndAnOomKillIs137WithOomKilled() throws Exception {
        ok("run", "-d", "--name", "sig", "busybox", "sleep", "600");
        ok("kill", "-s", "KILL", "sig");
        await("sig to exit", 10, () -> "exited".equals(state("sig").getString("Status")));
        assertEquals(137, state("sig").getInteger("ExitCode"));
        assertFalse(state("sig").getBoolean("OOMKilled"));

        Docker.Result r = docker.run("run", "--name", "hog", "-m", "8m", "--memory-swap", "8m", "busybox", "sh", "-c",
                "a=aaaaaaaa; while :; do a=$a$a; done");
        assertEquals(137, r.exit(), r.toString());
        JsonObject hog = state("hog");
        assertTrue(hog.getBoolean("OOMKilled"), hog.encode());
        assertEquals(137, hog.getInteger("ExitCode"));
        ok("rm", "sig", "hog");
    }

    @Test
    void anOomKillOfAnotherProcessIsReportedWhileTheContainerRuns() throws Exception {
        long t0 = now();
        ok("run", "-d", "--name", "oomchild", "-m", "8m", "--memory-swap", "8m", "busybox", "sh", "-c",
                "dd if=/dev/zero bs=16M count=1 | cat >/dev/null; echo survived; sleep 600");
        await("the OOM kill to be reported", 10, () -> state("oomchild").getBoolean("OOMKilled"));
        await("the shell to go on", 10, () -> ok("logs", "oomchild").out().contains("survived"));
        assertEquals("running", state("oomchild").getString("Status"), "only dd was killed");
        assertEquals(List.of("create", "start", "oom"), actions(history("oomchild", t0)));
        ok("rm", "-f", "oomchild");
        assertEquals(List.of("create", "start", "oom", "kill", "die", "destroy"), actions(history("oomchild", t0)),
                "one oom for one kill: the exit does not report it again");
    }

    @Test
    void aRepeatedExitNotificationIsDropped() throws Exception {
        long t0 = now();
        assertEquals(3, docker.run("run", "--name", "twice", "busybox", "sh", "-c", "exit 3").exit());
        String id = inspect("twice").getString("Id");
        // What a shim that reported the same exit again would leave (moby#46212): a second exit file.
        Path exitFile = berth.execRoot().resolve("exits").resolve(id);
        Files.writeString(exitFile, "9");
        await("the repeated notice to be taken and dropped", 10, () -> Files.notExists(exitFile));
        assertEquals(3, state("twice").getInteger("ExitCode"));
        assertEquals(List.of("create", "attach", "start", "die"), actions(history("twice", t0)), "one die");
        ok("rm", "twice");
    }

    @Test
    void memoryFlagsReachTheCgroupAsDockerSetsThem() throws Exception {
        ok("run", "-d", "--name", "mem", "-m", "16m", "--memory-swap", "32m", "--memory-reservation", "8m",
                "busybox", "sleep", "600");
        ok("run", "-d", "--name", "mem2", "-m", "16m", "busybox", "sleep", "600");
        String id = inspect("mem").getString("Id");
        String id2 = inspect("mem2").getString("Id");
        JsonObject host = inspect("mem").getJsonObject("HostConfig");
        assertEquals(16L << 20, host.getLong("Memory"));
        assertEquals(32L << 20, host.getLong("MemorySwap"));
        assertEquals(8L << 20, host.getLong("MemoryReservation"));
        assertEquals(String.valueOf(16L << 20), ContainerLifecycleIT.cgroupValue(id, "memory", "memory.limit_in_bytes"));
        assertEquals(String.valueOf(8L << 20), ContainerLifecycleIT.cgroupValue(id, "memory", "memory.soft_limit_in_bytes"));
        if (Files.exists(Path.of("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes"))) {
            assertEquals(String.valueOf(32L << 20),
                    ContainerLifecycleIT.cgroupValue(id, "memory", "memory.memsw.limit_in_bytes"));
            assertEquals(String.valueOf(32L << 20),
                    ContainerLifecycleIT.cgroupValue(id2, "memory", "memory.memsw.limit_in_bytes"),
                    "without --memory-swap, swap may equal the memory limit: twice it in all, as Docker");
        }
        ok("rm", "-f", "mem", "mem2");
    }

    @Test
    void withTheOomKillerDisabledAHogHangsAtTheLimitAndInspectStillAnswers() throws Exception {
        ok("run", "-d", "--name", "stuck", "-m", "8m", "--memory-swap", "8m", "--oom-kill-disable", "busybox", "sh",
                "-c", "a=aaaaaaaa; while :; do a=$a$a; done");
        String id = inspect("stuck").getString("Id");
        Path control = Path.of("/sys/fs/cgroup/memory/berth", id, "memory.oom_control");
        if (!Files.exists(control)) {
            // cgroup v2 has no switch for the OOM killer: Docker ignores the flag there, and so does Berth.
            await("the hog to be OOM-killed", 10, () -> state("stuck").getBoolean("OOMKilled"));
            ok("rm", "-f", "stuck");
            return;
        }
        assertTrue(Files.readString(control).contains("oom_kill_disable 1"), Files.readString(control));
        await("the hog to reach its limit", 10, () -> Files.readString(control).contains("under_oom 1"));
        JsonObject st = state("stuck");
        assertEquals("running", st.getString("Status"), "not killed: it hangs");
        assertFalse(st.getBoolean("OOMKilled"));
        ok("rm", "-f", "stuck");
    }

    @Test
    void onFailureRestartsNonZeroExitsAtMostNTimesWithDoublingDelays() throws Exception {
        long t0 = now();
        ok("run", "-d", "--name", "of2", "--restart", "on-failure:2", "busybox", "sh", "-c", "exit 3");
        await("of2 to give up", 15, () -> "exited".equals(state("of2").getString("Status")) && restartCount("of2") == 2);
        Thread.sleep(800); // a third restart would have come after 400 ms
        assertEquals(2, restartCount("of2"));
        assertEquals(3, state("of2").getInteger("ExitCode"));

        List<JsonObject> ev = history("of2", t0);
        assertEquals(List.of("create", "start", "die", "restarting", "start", "die", "restarting", "start", "die"),
                actions(ev));
        JsonObject first = ev.get(3);
        assertEquals("1", attr(first, "attempt"));
        assertEquals("100ms", attr(first, "delay"));
        assertEquals("on-failure:2 after exit code 3", attr(first, "reason"));
        assertEquals("2", attr(ev.get(6), "attempt"));
        assertEquals("200ms", attr(ev.get(6), "delay"));

        ok("run", "-d", "--name", "of0", "--restart", "on-failure", "busybox", "true");
        await("of0 to exit", 10, () -> "exited".equals(state("of0").getString("Status")));
        Thread.sleep(500);
        assertEquals(0, restartCount("of0"), "on-failure leaves a clean exit alone");
        assertEquals("exited", state("of0").getString("Status"));
        ok("rm", "of2", "of0");
    }

    @Test
    void alwaysRestartsAfterAnyExitUntilAUserStopsIt() throws Exception {
        ok("run", "-d", "--name", "alw", "--restart", "always", "busybox", "sh", "-c", "sleep 0.2");
        await("alw to restart twice", 15, () -> restartCount("alw") >= 2);
        ok("stop", "-t", "1", "alw");
        assertEquals("exited", state("alw").getString("Status"));
        int count = restartCount("alw");
        Thread.sleep(1200);
        assertEquals("exited", state("alw").getString("Status"), "a stop is never undone by the policy");
        assertEquals(count, restartCount("alw"));

        ok("start", "alw");
        assertEquals(0, restartCount("alw"), "a start by hand begins the count again");
        ok("kill", "alw");
        await("alw to die", 10, () -> "exited".equals(state("alw").getString("Status")));
        Thread.sleep(500);
        assertEquals("exited", state("alw").getString("Status"), "docker kill is a stop too");
        ok("rm", "alw");
    }

    @Test
    void updateChangesThePolicyOfALiveContainer() throws Exception {
        ok("run", "-d", "--name", "upd", "busybox", "sh", "-c", "sleep 1; exit 2");
        ok("update", "--restart", "on-failure:1", "upd");
        JsonObject policy = inspect("upd").getJsonObject("HostConfig").getJsonObject("RestartPolicy");
        assertEquals("on-failure", policy.getString("Name"));
        assertEquals(1, policy.getInteger("MaximumRetryCount"));
        await("upd to be restarted once and give up", 15,
                () -> restartCount("upd") == 1 && "exited".equals(state("upd").getString("Status")));
        assertEquals(2, state("upd").getInteger("ExitCode"));
        ok("rm", "upd");
    }

    @Test
    void unlessStoppedStaysStoppedAcrossADaemonRestartWhileAlwaysComesBack() throws Exception {
        ok("run", "-d", "--name", "us", "--restart", "unless-stopped", "busybox", "sleep", "600");
        ok("run", "-d", "--name", "al", "--restart", "always", "busybox", "sleep", "600");
        ok("run", "-d", "--name", "uslive", "--restart", "unless-stopped", "busybox", "sleep", "600");
        ok("stop", "-t", "0", "us", "al");
        int livePid = state("uslive").getInteger("Pid");
        Thread.sleep(300);
        assertEquals("exited", state("us").getString("Status"));
        assertEquals("exited", state("al").getString("Status"));

        long t0 = now();
        berth.stop();
        berth.launch();

        await("al to come back with the daemon", 15, () -> "running".equals(state("al").getString("Status")));
        assertEquals("exited", state("us").getString("Status"), "a user's stop keeps unless-stopped down");
        assertEquals(livePid, state("uslive").getInteger("Pid"), "live-restore: it kept running");
        assertEquals(List.of("start"), actions(history("al", t0)));
        assertEquals(List.of(), actions(history("us", t0)));
        ok("rm", "-f", "us", "al", "uslive");
    }
}
