package io.berth.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rest of what the README promises: more run flags, exec options, attach, update, filters, history. */
class MoreCommandsIT extends DaemonTest {

    @Test
    void runFlags() throws Exception {
        Docker.Result r = ok("run", "--rm", "--entrypoint", "sh", "--ulimit", "nofile=512:1024", "--label", "team=a",
                "busybox", "-c", "ulimit -n; ulimit -Hn");
        assertEquals("512\n1024\n", r.out());
        ok("create", "--name", "labelled", "--label", "team=a", "--stop-signal", "SIGUSR1", "--stop-timeout", "3",
                "busybox", "sleep", "1");
        JsonObject cfg = inspect("labelled").getJsonObject("Config");
        assertEquals("a", cfg.getJsonObject("Labels").getString("team"));
        assertEquals("SIGUSR1", cfg.getString("StopSignal"));
        assertEquals(3, cfg.getInteger("StopTimeout"));
        ok("rm", "labelled");
    }

    @Test
    void execOptionsAndDetach() throws Exception {
        ok("run", "-d", "--name", "host", "busybox", "sleep", "600");
        try {
            assertEquals("65534\n/home\nv\n", ok("exec", "-u", "nobody", "-w", "/home", "-e", "X=v", "host", "sh", "-c",
                    "id -u; pwd; echo $X").out());
            ok("exec", "-d", "host", "sh", "-c", "echo detached > /tmp/d");
            Thread.sleep(300);
            assertEquals("detached\n", ok("exec", "host", "cat", "/tmp/d").out());
        } finally {
            docker.run("rm", "-f", "host");
        }
    }

    @Test
    void attachToARunningContainer() throws Exception {
        ok("run", "-d", "--name", "chatty", "busybox", "sh", "-c", "sleep 1; echo late; sleep 1");
        try {
            Docker.Result a = docker.runWithInput(null, 30, "attach", "--no-stdin", "chatty");
            assertEquals("late\n", a.out(), a.toString());
        } finally {
            docker.run("rm", "-f", "chatty");
        }
    }

    @Test
    void updateRestartPolicy() throws Exception {
        ok("create", "--name", "upd", "busybox", "true");
        ok("update", "--restart", "on-failure:3", "upd");
        JsonObject policy = inspect("upd").getJsonObject("HostConfig").getJsonObject("RestartPolicy");
        assertEquals("on-failure", policy.getString("Name"));
        assertEquals(3, policy.getInteger("MaximumRetryCount"));
        ok("rm", "upd");
    }

    @Test
    void listFiltersAndSizes() throws Exception {
        ok("create", "--name", "fa", "--label", "tier=web", "busybox", "true");
        ok("create", "--name", "fb", "--label", "tier=db", "busybox", "true");
        try {
            assertEquals(List.of("fa"), names("--filter", "label=tier=web"));
            assertEquals(List.of("fb"), names("--filter", "name=fb"));
            assertTrue(names("--filter", "ancestor=busybox").containsAll(List.of("fa", "fb")));
            assertTrue(names("--filter", "status=created").containsAll(List.of("fa", "fb")));
            assertEquals(List.of(), names("--filter", "status=created", "--filter", "label=tier=none"));
            Docker.Result sized = ok("ps", "-a", "-s", "--format", "{{.Names}} {{.Size}}");
            assertTrue(sized.out().contains("fa 0B"), sized.out());
            Docker.Result bad = docker.run("ps", "--filter", "colour=red");
            assertTrue(bad.exit() != 0 && bad.err().contains("invalid filter 'colour'"), bad.toString());
        } finally {
            docker.run("rm", "fa", "fb");
        }
    }

    private List<String> names(String... filter) throws Exception {
        String[] args = new String[filter.length + 4];
        args[0] = "ps";
        args[1] = "-a";
        System.arraycopy(filter, 0, args, 2, filter.length);
        args[filter.length + 2] = "--format";
        args[filter.length + 3] = "{{.Names}}";
        String out = ok(args).trimmed();
        return out.isEmpty() ? List.of() : List.of(out.split("\n"));
    }

    @Test
    void imageHistory() throws Exception {
        Docker.Result h = ok("history", "busybox");
        assertTrue(h.out().startsWith("IMAGE"), h.out());
        assertEquals(2, h.trimmed().split("\n").length, "one layer: " + h.out());
    }
}
