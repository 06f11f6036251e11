package io.berth.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/berthd journal verify|dump|explain} run as an operator would, against the data root of a
 * running daemon after a few docker commands, then of the same daemon stopped; the tools must not
 * change the journal's files.
 */
class JournalToolIT extends DaemonTest {

    private Docker.Result journal(String... args) throws Exception {
        return berth.journal(args);
    }

    /** Names, sizes and content hashes of the journal directory's files. */
    private Map<String, String> journalFiles() throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.list(berth.dataRoot().resolve("journal"))) {
            for (Path p : s.toList()) {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                md.update(Files.readAllBytes(p));
                out.put(p.getFileName().toString(), Files.size(p) + " " + HexFormat.of().formatHex(md.digest()));
            }
        }
        return out;
    }

    private static List<String> sentences(Docker.Result explain) {
        return explain.out().lines().filter(l -> l.matches(" *\\d+  \\S+Z  .*"))
                .map(l -> l.replaceFirst(" *\\d+  \\S+Z  ", "")).toList();
    }

    private static void assertInOrder(List<String> lines, String... prefixes) {
        int at = 0;
        for (String p : prefixes) {
            while (at < lines.size() && !lines.get(at).startsWith(p)) {
                at++;
            }
            assertTrue(at < lines.size(), "\"" + p + "\" (in this order) in:\n" + String.join("\n", lines));
            at++;
        }
    }

    @Test
    void verifyDumpAndExplainARunningAndAStoppedDaemonsJournal() throws Exception {
        ok("run", "-d", "--name", "jt1", "busybox", "sleep", "600");
        assertEquals(3, docker.run("run", "--name", "jt2", "busybox", "sh", "-c", "exit 3").exit());
        ok("rename", "jt1", "jt1b");
        ok("stop", "-t", "1", "jt1b");
        ok("rm", "jt2");
        String id1 = ok("inspect", "--format", "{{.Id}}", "jt1b").trimmed();
        Map<String, String> before = journalFiles();

        Docker.Result verify = journal("verify");
        assertEquals(0, verify.exit(), verify + "\n" + berth.logText());
        assertTrue(verify.out().contains("result     ok: no problems found"), verify.out());
        assertTrue(verify.out().lines().anyMatch(l -> l.matches("entries    \\d+, sequences 1 to \\d+")), verify.out());

        Docker.Result dump = journal("dump", "--container", "jt1b");
        assertEquals(0, dump.exit(), dump.toString());
        List<String> names = dump.out().lines().map(l -> l.split(" ")[2]).toList();
        assertInOrder(names, "container.created.v3", "container.started.v2", "container.renamed.v1",
                "container.stop-requested.v2", "container.killed.v1", "container.exited.v2", "container.stopped.v1");
        assertTrue(dump.out().lines().allMatch(l -> l.contains(" id=" + id1)), dump.out());

        Docker.Result exits = journal("dump", "--json", "--type", "container.exited");
        assertEquals(0, exits.exit(), exits.toString());
        List<JsonObject> exited = exits.out().lines().map(JsonObject::new).toList();
        assertEquals(2, exited.size(), exits.out());
        for (JsonObject e : exited) {
            assertEquals("container.exited.v2", e.getString("type"));
            assertTrue(e.getLong("seq") > 0 && e.getString("time").endsWith("Z"), e.encode());
        }
        assertEquals(List.of(3, 137), exited.stream().map(e -> e.getJsonObject("event").getInteger("exitCode")).toList());

        Docker.Result story = journal("explain", "jt1b");
        assertEquals(0, story.exit(), story.toString());
        assertInOrder(sentences(story), "created from image busybox as /jt1 ", "started (pid ",
                "renamed from /jt1 to /jt1b", "stopped by the user (SIGTERM, 1s timeout)", "sent SIGTERM to stop it",
                "sent SIGKILL: still running 1s after the stop signal", "exited with code 137 after ", "stop finished");
        assertTrue(story.out().startsWith("container  " + id1 + "\nname       /jt1b (before: /jt1)\n"), story.out());

        Docker.Result removed = journal("explain", "jt2");
        assertEquals(0, removed.exit(), removed.toString());
        assertInOrder(sentences(removed), "created from image busybox as /jt2 ", "started (pid ",
                "exited with code 3 after ", "removal started", "removed");
        assertTrue(removed.out().endsWith("state      removed (as of the end of the journal)\n"), removed.out());

        assertEquals(before, journalFiles(), "the tools wrote nothing beside the running daemon");
        assertTrue(berth.ping(), "the daemon still serves");

        ok("rm", "jt1b");
        berth.stop();
        Docker.Result stopped = journal("verify");
        assertEquals(0, stopped.exit(), stopped.toString());
        assertTrue(stopped.out().contains("result     ok: no problems found"), stopped.out());
        Docker.Result gone = journal("explain", id1.substring(0, 12));
        assertEquals(0, gone.exit(), gone.toString());
        assertInOrder(sentences(gone), "created from image busybox as /jt1 ", "removed");
        Docker.Result missing = journal("explain", "nosuch");
        assertEquals(1, missing.exit());
        assertEquals("berthd journal explain: No such container: nosuch\n", missing.err());
    }
}
