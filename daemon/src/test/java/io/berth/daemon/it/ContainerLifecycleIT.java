package io.berth.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The container lines of the engine issue, each through the stock docker CLI against a real berthd. */
class ContainerLifecycleIT extends DaemonTest {

    @Test
    void runRemovePrintsAndExitsZero() throws Exception {
        Docker.Result r = ok("run", "--rm", "--name", "gone", "busybox", "echo", "hello");
        assertEquals("hello\n", r.out());
        Docker.Result after = docker.run("inspect", "gone");
        assertNotEquals(0, after.exit(), "--rm removed the container");
        assertTrue(after.err().contains("No such object: gone") || after.err().contains("No such container"), after.err());
    }

    @Test
    void exitCodesPropagate() throws Exception {
        Docker.Result r = docker.run("run", "--name", "exit3", "busybox", "sh", "-c", "echo out; echo err >&2; exit 3");
        assertEquals(3, r.exit(), r.toString());
        assertEquals("out\n", r.out());
        assertTrue(r.err().contains("err"), r.err());
        JsonObject st = inspect("exit3").getJsonObject("State");
        assertEquals("exited", st.getString("Status"));
        assertEquals(3, st.getInteger("ExitCode"));
        assertFalse(st.getBoolean("Running"));
        assertTrue(st.getString("FinishedAt").compareTo(st.getString("StartedAt")) >= 0, st.encode());
        ok("rm", "exit3");
    }

    @Test
    void aCommandThatCannotRunLeavesNothingBehind() throws Exception {
        Docker.Result r = docker.run("run", "--name", "broken", "busybox", "/no/such/program");
        assertEquals(127, r.exit(), r.toString());
        assertTrue(r.err().contains("no such file or directory") || r.err().contains("executable file not found"), r.err());
        JsonObject st = inspect("broken").getJsonObject("State");
        assertEquals("created", st.getString("Status"), "as with Docker, the container stays created");
        Process runc = new ProcessBuilder("runc", "--root", berth.execRoot().resolve("runc").toString(), "list", "-q")
                .redirectErrorStream(true).start();
        assertEquals("", new String(runc.getInputStream().readAllBytes()).trim(), "no runtime state left");
        runc.waitFor();
        boolean shim = ProcessHandle.allProcesses().anyMatch(p -> p.info().commandLine()
                .map(c -> c.contains("conmon") && c.contains(berth.execRoot().toString())).orElse(false));
        assertFalse(shim, "no shim left");
        ok("rm", "broken");
        assertEquals(0, docker.run("run", "--rm", "busybox", "true").exit(), "the engine is fine afterwards");
    }

    @Test
    void idsAreFoundByUniquePrefix() throws Exception {
        String id = ok("create", "busybox", "true").trimmed();
        assertTrue(id.matches("[0-9a-f]{64}"), id);
        assertEquals(id, ok("inspect", "--format", "{{.Id}}", id.substring(0, 6)).trimmed());
        ok("rm", id.substring(0, 12));
    }

    @Test
    void stdinIsPipedAndClosedAtItsEnd() throws Exception {
        Docker.Result r = docker.runWithInput("line one\nline two\n".getBytes(), 60, "run", "-i", "--rm", "busybox",
                "sh", "-c", "wc -l; echo done");
        assertEquals(0, r.exit(), r.toString());
        assertEquals("2\ndone\n", r.out());
    }

    @Test
    void detachedContainerWithLimitsAndSettings() throws Exception {
        ok("run", "-d", "--name", "web", "-e", "A=1", "-w", "/tmp", "-u", "0", "-h", "box", "-m", "64m", "--cpus", "0.5",
                "--pids-limit", "50", "busybox", "sleep", "600");
        try {
            JsonObject c = inspect("web");
            assertEquals("/web", c.getString("Name"));
            assertTrue(c.getString("Image").startsWith("sha256:"));
            JsonObject st = c.getJsonObject("State");
            assertEquals("running", st.getString("Status"));
            assertTrue(st.getBoolean("Running"));
            assertFalse(st.getBoolean("Paused"));
            assertFalse(st.getBoolean("OOMKilled"));
            int pid = st.getInteger("Pid");
            assertTrue(pid > 1);
            assertEquals(0, c.getInteger("RestartCount"));
            JsonObject cfg = c.getJsonObject("Config");
            assertEquals("box", cfg.getString("Hostname"));
            assertEquals("/tmp", cfg.getString("WorkingDir"));
            assertTrue(cfg.getJsonArray("Env").contains("A=1"));
            assertEquals(new JsonArray().add("sleep").add("600"), cfg.getJsonArray("Cmd"));
            JsonObject host = c.getJsonObject("HostConfig");
            assertEquals(64L << 20, host.getLong("Memory"));
            assertEquals(500_000_000L, host.getLong("NanoCpus"));
            assertEquals(50L, host.getLong("PidsLimit"));

            // The limits are in the container's cgroups.
            String cgroup = Files.readString(Path.of("/proc/" + pid + "/cgroup"));
            assertTrue(cgroup.contains("/berth/" + c.getString("Id")), cgroup);
            assertEquals(String.valueOf(64L << 20), cgroupValue(c.getString("Id"), "memory", "memory.limit_in_bytes"));
            assertEquals("50", cgroupValue(c.getString("Id"), "pids", "pids.max"));
            assertEquals("50000", cgroupValue(c.getString("Id"), "cpu", "cpu.cfs_quota_us"));

            Docker.Result ps = ok("ps", "--format", "{{.Names}} {{.Status}}");
            assertTrue(ps.out().startsWith("web Up"), ps.out());
            Docker.Result exec = ok("exec", "web", "sh", "-c", "echo $A; hostname; pwd; cat /proc/1/cmdline | tr '\\0' ' '");
            assertEquals("1\nbox\n/tmp\nsleep 600 ", exec.out());
            assertEquals(7, docker.run("exec", "web", "sh", "-c", "exit 7").exit(), "the exec's exit code propagates");

            Docker.Result top = ok("top", "web");
            assertTrue(top.out().contains("PID") && top.out().contains("sleep 600"), top.out());
        } finally {
            docker.run("rm", "-f", "web");
        }
    }

    static String cgroupValue(String id, String controller, String file) throws Exception {
        Path v1 = Path.of("/sys/fs/cgroup", controller, "berth", id, file);
        if (Files.exists(v1)) {
            return Files.readString(v1).trim();
        }
        Path v2 = Path.of("/sys/fs/cgroup/berth", id, file.replace("memory.limit_in_bytes", "memory.max")
                .replace("cpu.cfs_quota_us", "cpu.max"));
        String s = Files.readString(v2).trim();
        return file.equals("cpu.cfs_quota_us") ? s.split(" ")[0] : s;
    }

    @Test
    void pauseRenameStopStartRestartKill() throws Exception {
        ok("run", "-d", "--name", "life", "busybox", "sh", "-c",
                "trap 'echo usr1' USR1; trap 'echo term; exit 0' TERM; while true; do sleep 0.1; done");
        try {
            ok("pause", "life");
            assertEquals("paused", inspect("life").getJsonObject("State").getString("Status"));
            assertTrue(inspect("life").getJsonObject("State").getBoolean("Paused"));
            assertTrue(ok("ps", "--format", "{{.Status}}").out().contains("(Paused)"));
            Docker.Result twice = docker.run("pause", "life");
            assertNotEquals(0, twice.exit());
            assertTrue(twice.err().contains("is already paused"), twice.err());
            ok("unpause", "life");
            assertEquals("running", inspect("life").getJsonObject("State").getString("Status"));
            Docker.Result again = docker.run("unpause", "life");
            assertNotEquals(0, again.exit());
            assertTrue(again.err().contains("is not paused"), again.err());

            ok("rename", "life", "life2");
            assertEquals("/life2", inspect("life2").getString("Name"));
            assertNotEquals(0, docker.run("inspect", "life").exit());

            long t0 = System.nanoTime();
            ok("stop", "-t", "5", "life2");
            assertTrue((System.nanoTime() - t0) / 1_000_000 < 4_000, "the stop signal came first, not the kill");
            JsonObject st = inspect("life2").getJsonObject("State");
            assertEquals("exited", st.getString("Status"));
            assertEquals(0, st.getInteger("ExitCode"), "the TERM trap exited cleanly");
            assertTrue(ok("logs", "life2").out().contains("term"));

            ok("start", "life2");
            int pid1 = inspect("life2").getJsonObject("State").getInteger("Pid");
            ok("restart", "-t", "1", "life2");
            int pid2 = inspect("life2").getJsonObject("State").getInteger("Pid");
            assertNotEquals(pid1, pid2, "restart made a new process");
            assertEquals("running", inspect("life2").getJsonObject("State").getString("Status"));

            ok("kill", "-s", "USR1", "life2");
            Thread.sleep(500);
            assertTrue(ok("logs", "life2").out().contains("usr1"), "the trap saw the signal");
            assertEquals("running", inspect("life2").getJsonObject("State").getString("Status"));
            ok("kill", "life2");
            Docker.Result w = ok("wait", "life2");
            assertEquals("137", w.trimmed(), "SIGKILL: 128+9");
        } finally {
            docker.run("rm", "-f", "life2");
            docker.run("rm", "-f", "life");
        }
    }

    @Test
    void logsWithFollowTailAndTimestamps() throws Exception {
        ok("run", "-d", "--name", "talker", "busybox", "sh", "-c", "for i in 1 2 3 4 5; do echo line$i; done; echo oops >&2; sleep 600");
        try {
            Thread.sleep(500);
            Docker.Result all = ok("logs", "talker");
            assertEquals("line1\nline2\nline3\nline4\nline5\n", all.out());
            assertEquals("oops\n", all.err());
            Docker.Result tail = ok("logs", "--tail", "2", "talker");
            assertEquals("line5\n", tail.out());
            assertEquals("oops\n", tail.err());
            Docker.Result ts = ok("logs", "-t", "--tail", "1", "talker");
            assertTrue(ts.err().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z oops\n"), ts.err());
        } finally {
            docker.run("rm", "-f", "talker");
        }
        ok("run", "-d", "--name", "ticker", "busybox", "sh", "-c", "for i in 1 2 3; do echo t$i; sleep 0.3; done");
        try {
            Docker.Result follow = docker.runWithInput(null, 30, "logs", "-f", "--tail", "10", "ticker");
            assertEquals(0, follow.exit(), follow.toString());
            assertEquals("t1\nt2\nt3\n", follow.out(), "follow ends when the container stops");
        } finally {
            docker.run("rm", "-f", "ticker");
        }
    }

    @Test
    void copyInAndOut() throws Exception {
        ok("run", "-d", "--name", "files", "-h", "filebox", "busybox", "sleep", "600");
        Path dir = Files.createTempDirectory("cp");
        try {
            Files.writeString(dir.resolve("f"), "copied in\n");
            ok("cp", dir.resolve("f").toString(), "files:/tmp/f");
            assertEquals("copied in\n", ok("exec", "files", "cat", "/tmp/f").out());
            ok("cp", "files:/etc/hostname", dir.toString());
            assertEquals("filebox\n", Files.readString(dir.resolve("hostname")));
            Docker.Result missing = docker.run("cp", "files:/nope", dir.toString());
            assertNotEquals(0, missing.exit());
            assertTrue(missing.err().contains("Could not find the file /nope"), missing.err());
        } finally {
            docker.run("rm", "-f", "files");
            HostFiles.deleteTree(dir);
        }
    }

    @Test
    void waitRemoveForcePruneAndDf() throws Exception {
        ok("run", "-d", "--name", "doomed", "busybox", "sleep", "600");
        Docker.Result refused = docker.run("rm", "doomed");
        assertNotEquals(0, refused.exit());
        assertTrue(refused.err().contains("container is running"), refused.err());
        ok("rm", "-f", "doomed");
        assertNotEquals(0, docker.run("inspect", "doomed").exit());

        ok("create", "--name", "c1", "busybox", "true");
        assertEquals("created", inspect("c1").getJsonObject("State").getString("Status"));
        Docker.Result a = ok("start", "-a", "c1");
        assertEquals("", a.out());
        assertEquals("exited", inspect("c1").getJsonObject("State").getString("Status"));
        assertEquals(2, docker.run("run", "--name", "c2", "busybox", "sh", "-c", "exit 2").exit());
        Docker.Result exited = ok("ps", "-a", "--filter", "status=exited", "--format", "{{.Names}} {{.Status}}");
        assertTrue(exited.out().contains("c1 Exited (0)"), exited.out());
        assertTrue(exited.out().contains("c2 Exited (2)"), exited.out());
        ok("system", "df");
        Docker.Result prune = ok("container", "prune", "-f");
        assertTrue(prune.out().contains("Deleted Containers"), prune.out());
        assertEquals("", ok("ps", "-aq", "--filter", "status=exited").trimmed());
    }

    @Test
    void aProcessThatIgnoresTheStopSignalIsKilledAfterTheTimeout() throws Exception {
        ok("run", "-d", "--name", "stubborn", "busybox", "sleep", "600");
        try {
            long t0 = System.nanoTime();
            ok("stop", "-t", "1", "stubborn");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= 900 && ms < 8_000, "took " + ms + " ms");
            assertEquals(137, inspect("stubborn").getJsonObject("State").getInteger("ExitCode"),
                    "PID 1 ignores SIGTERM without a handler, so SIGKILL: 128+9");
        } finally {
            docker.run("rm", "-f", "stubborn");
        }
    }

    @Test
    void createThenStartAttachedGetsTheOutput() throws Exception {
        ok("create", "--name", "later", "busybox", "echo", "from start -a");
        try {
            assertEquals("from start -a\n", ok("start", "-a", "later").out());
        } finally {
            docker.run("rm", "-f", "later");
        }
    }

}
