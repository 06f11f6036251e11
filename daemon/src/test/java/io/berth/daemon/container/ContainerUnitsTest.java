package io.berth.daemon.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import io.berth.daemon.image.ImageConfig;
import io.berth.errors.EngineException;
import io.berth.events.ContainerSpec;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Names and ids, create validation and merging, signals, log lines and ps output. */
class ContainerUnitsTest {

    private static final ImageConfig IMAGE = new ImageConfig(List.of("PATH=/bin", "A=image"), List.of(), List.of("sh"),
            "/srv", "app", Map.of("from", "image"), "", List.of(), "amd64", "linux");
    private static final String ID = "abcdef012345" + "0".repeat(52);

    @Test
    void idsAndNames() {
        String id = Names.newId();
        assertTrue(id.matches("[0-9a-f]{64}"), id);
        assertEquals("web", Names.validate("/web"));
        assertEquals("a.b-c_d", Names.validate("a.b-c_d"));
        for (String bad : List.of("", "x", "-web", "we b", "web!", "../x")) {
            EngineException e = assertThrows(EngineException.class, () -> Names.validate(bad), bad);
            assertTrue(e.getMessage().startsWith("Invalid container name (" + bad + ")"));
        }
        String generated = Names.generate(n -> false);
        assertTrue(generated.matches("[a-z]+_[a-z]+"), generated);
    }

    @Test
    void createMergesTheImageConfigAsDocker() {
        ContainerSpec s = CreateParser.parse(new JsonObject().put("Image", "busybox").put("Env", List.of("A=own", "B=2"))
                .put("Labels", new JsonObject().put("mine", "x")), "sha256:i", IMAGE, ID, 2);
        assertEquals(List.of("sh"), s.cmd(), "the image's command");
        assertEquals(List.of("PATH=/bin", "A=own", "B=2"), s.env());
        assertEquals("/srv", s.workingDir());
        assertEquals("app", s.user());
        assertEquals("abcdef012345", s.hostname(), "the short id");
        assertEquals(Map.of("from", "image", "mine", "x"), s.labels());
        assertEquals("SIGTERM", s.stopSignal());
        assertEquals("bridge", s.networkMode(), "the default network is bridge");

        ContainerSpec withEntrypoint = CreateParser.parse(new JsonObject().put("Image", "busybox")
                .put("Entrypoint", List.of("echo")), "sha256:i", IMAGE, ID, 2);
        assertEquals(List.of("echo"), withEntrypoint.entrypoint());
        assertEquals(List.of(), withEntrypoint.cmd(), "a new entrypoint drops the image's command");
    }

    @Test
    void createRefusesBadValuesWithDockersWords() {
        Map<String, String> cases = Map.of(
                "{\"Image\":\"b\",\"Cmd\":[\"x\"],\"HostConfig\":{\"Memory\":1024}}", "Minimum memory limit allowed is 6MB",
                "{\"Image\":\"b\",\"Cmd\":[\"x\"],\"HostConfig\":{\"Memory\":8388608,\"MemorySwap\":4194304}}", "Minimum memoryswap limit",
                "{\"Image\":\"b\",\"Cmd\":[\"x\"],\"HostConfig\":{\"NanoCpus\":5000000000}}", "Range of CPUs is from 0.01 to 2.00",
                "{\"Image\":\"b\",\"Cmd\":[\"x\"],\"HostConfig\":{\"RestartPolicy\":{\"Name\":\"sometimes\"}}}", "invalid restart policy",
                "{\"Image\":\"b\",\"Cmd\":[\"x\"],\"HostConfig\":{\"RestartPolicy\":{\"Name\":\"always\",\"MaximumRetryCount\":3}}}", "maximum retry count",
                "{\"Image\":\"b\",\"Cmd\":[\"x\"],\"HostConfig\":{\"AutoRemove\":true,\"RestartPolicy\":{\"Name\":\"always\"}}}", "AutoRemove",
                "{\"Image\":\"b\",\"Cmd\":[\"x\"],\"WorkingDir\":\"rel\"}", "needs to be an absolute path");
        cases.forEach((json, message) -> {
            EngineException e = assertThrows(EngineException.class,
                    () -> CreateParser.parse(new JsonObject(json), "sha256:i", IMAGE, ID, 2), json);
            assertTrue(e.getMessage().contains(message), e.getMessage());
        });
        ImageConfig noCmd = new ImageConfig(List.of(), List.of(), List.of(), "", "", Map.of(), "", List.of(), "amd64", "linux");
        assertEquals("no command specified", assertThrows(EngineException.class,
                () -> CreateParser.parse(new JsonObject().put("Image", "b"), "i", noCmd, ID, 2)).getMessage());
        assertThrows(EngineException.class, () -> CreateParser.image(new JsonObject()));
    }

    @Test
    void nullsFromClientsMeanUnset() {
        ContainerSpec s = CreateParser.parse(new JsonObject("{\"Image\":\"b\",\"Hostname\":null,\"User\":null,"
                + "\"HostConfig\":{\"Memory\":null,\"OomKillDisable\":null,\"NetworkMode\":null,\"PidsLimit\":null,"
                + "\"RestartPolicy\":null,\"AutoRemove\":null}}"), "sha256:i", IMAGE, ID, 2);
        assertEquals(0, s.resources().memory());
        assertFalse(s.resources().oomKillDisable());
        assertEquals("bridge", s.networkMode());
        assertEquals("abcdef012345", s.hostname());
        assertEquals(ContainerSpec.RestartPolicy.NO, s.restartPolicy());
        EngineException wrong = assertThrows(EngineException.class, () -> CreateParser.parse(
                new JsonObject("{\"Image\":\"b\",\"HostConfig\":{\"Memory\":\"lots\"}}"), "i", IMAGE, ID, 2));
        assertTrue(wrong.getMessage().contains("Memory must be a number"), wrong.getMessage());
    }

    @Test
    void signals() {
        assertEquals(15, Signals.parse("SIGTERM"));
        assertEquals(15, Signals.parse("term"));
        assertEquals(9, Signals.parse("9"));
        assertEquals(10, Signals.parse("USR1"));
        assertThrows(EngineException.class, () -> Signals.parse("SIGNOPE"));
        assertThrows(EngineException.class, () -> Signals.parse("99"));
    }

    @Test
    void logLinesAndTails() {
        LogReader.Entry e = LogReader.parse("2026-11-23T06:53:00.056228638+00:00 stderr P half a line");
        assertTrue(e.stderr());
        assertTrue(e.partial());
        assertEquals("half a line", e.text());
        assertEquals(Instant.parse("2026-11-23T06:53:00Z").getEpochSecond() * 1_000_000_000L + 56_228_638L,
                e.timeNanos());
        assertEquals(null, LogReader.parse("garbage"));
        List<LogReader.Entry> entries = List.of(
                new LogReader.Entry(1, false, false, "a"), new LogReader.Entry(2, false, true, "b1"),
                new LogReader.Entry(3, false, false, "b2"), new LogReader.Entry(4, false, false, "c"));
        assertEquals(entries.subList(1, 4), LogReader.tail(entries, 2), "a partial belongs to the line it ends with");
        assertEquals(List.of(), LogReader.tail(entries, 0));
        assertEquals(1_700_000_000_500_000_000L, LogReader.parseTime("1700000000.5"));
        assertEquals(0, LogReader.parseTime(""));
        assertThrows(EngineException.class, () -> LogReader.parseTime("yesterday"));
    }

    @Test
    void topKeepsOnlyTheContainersProcesses() {
        String ps = "UID          PID    PPID  C STIME TTY          TIME CMD\n"
                + "root           1       0  0 07:47 ?        00:00:01 /sbin/init\n"
                + "root        4242       1  0 07:48 ?        00:00:00 sleep 600 now\n";
        JsonObject out = Top.parse(ps, Set.of(4242));
        assertEquals(8, out.getJsonArray("Titles").size());
        assertEquals(1, out.getJsonArray("Processes").size());
        assertEquals("sleep 600 now", out.getJsonArray("Processes").getJsonArray(0).getString(7));
        assertFalse(out.encode().contains("/sbin/init"));
        assertThrows(EngineException.class, () -> Top.parse("USER COMMAND\nroot x\n", Set.of(1)));
    }
}
