package io.berth.daemon.tools;

import static io.berth.daemon.tools.ToolJournal.at;
import static io.berth.events.Fixtures.id;
import static io.berth.events.Fixtures.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.events.ContainerEvent;
import io.berth.events.ExecEvent;
import io.berth.events.ImageEvent;
import io.berth.events.NoLeaks;
import io.berth.events.PolicyEvent;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code journal dump}: the line format, JSON lines, and each filter alone and together. */
@ExtendWith(NoLeaks.class)
class JournalDumpTest {

    /** T0 as RFC 3339, up to its seconds. */
    private static final String T0 = "2027-01-15T08:00:";

    @TempDir
    Path root;

    private ToolJournal journal;

    @BeforeEach
    void history() throws Exception {
        journal = new ToolJournal(root);
        journal.write(
                at(0, new ContainerEvent.Created(id(1), "web", spec("busybox"))),
                at(1000, new ContainerEvent.Started(id(1), 4242, ToolJournal.T0 + 1_000_000_000L)),
                at(2000, new ContainerEvent.Created(id(2), "db", spec("postgres"))),
                at(3000, new ContainerEvent.Exited(id(1), 137, ToolJournal.T0 + 2_900_000_000L, 4242)),
                at(4000, new ImageEvent.Tagged("sha256:" + id(9), "x:1")),
                at(5000, new ExecEvent.Created(id(5), id(2), List.of("sh", "-c", "echo hi"), List.of(), "", "/", false,
                        false, false)),
                at(6000, new PolicyEvent.Decided("backoff", "abc", id(1), "onExit", "exitCode=137", "default", 0, 0)),
                at(7000, new ContainerEvent.Renamed(id(1), "web", "front")));
    }

    private static List<Long> seqs(ToolJournal.Result r) {
        return r.lines().stream().map(l -> Long.parseLong(l.substring(0, l.indexOf(' ')))).toList();
    }

    @Test
    void linesCarrySequenceTimeNameAndFields() {
        ToolJournal.Result r = journal.run("dump");
        assertEquals(0, r.exit(), r.toString());
        List<String> lines = r.lines();
        assertEquals(8, lines.size(), r.out());
        assertEquals("4 " + T0 + "03.000000000Z container.exited.v2 id=" + id(1) + " exitCode=137 finishedAt=" + T0
                + "02.900000000Z pid=4242", lines.get(3));
        assertEquals("6 " + T0 + "05.000000000Z exec.created.v1 execId=" + id(5) + " containerId=" + id(2)
                + " cmd=[sh -c \"echo hi\"] env=[] user=\"\" workingDir=/ tty=false attachStdin=false privileged=false",
                lines.get(5));
        assertTrue(lines.get(0).startsWith("1 " + T0 + "00.000000000Z container.created.v3 id=" + id(1)
                + " name=web spec={image=busybox imageId=sha256:" + id(7) + " cmd=[sleep 600] env=[A=1 PATH=/bin]"),
                lines.get(0));
        assertTrue(lines.get(0).contains(" restartPolicy={name=on-failure maximumRetryCount=3}"), lines.get(0));
        for (String l : lines) {
            assertTrue(l.matches("\\d+ \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z [a-z]+\\.[a-z-]+\\.v\\d+ .*"), l);
        }
    }

    @Test
    void jsonLinesParseWithSequenceTimeAndType() {
        ToolJournal.Result r = journal.run("dump", "--json");
        assertEquals(0, r.exit(), r.toString());
        List<JsonObject> objects = r.lines().stream().map(JsonObject::new).toList();
        assertEquals(8, objects.size());
        JsonObject exited = objects.get(3);
        assertEquals(4, exited.getLong("seq"));
        assertEquals(T0 + "03.000000000Z", exited.getString("time"));
        assertEquals(ToolJournal.T0 + 3_000_000_000L, exited.getLong("timeNano"));
        assertEquals("container.exited.v2", exited.getString("type"));
        assertEquals("container.exited", exited.getString("name"));
        assertEquals(id(1), exited.getString("actor"));
        assertEquals(137, exited.getJsonObject("event").getInteger("exitCode"));
        assertEquals(ToolJournal.T0 + 2_900_000_000L, exited.getJsonObject("event").getLong("finishedAtNanos"));
        JsonObject spec = objects.get(0).getJsonObject("event").getJsonObject("spec");
        assertEquals("busybox", spec.getString("image"));
        assertEquals(64L << 20, spec.getJsonObject("resources").getLong("memory"));
        assertEquals("web", spec.getJsonObject("labels").getString("app"));
        for (int i = 0; i < objects.size(); i++) {
            assertEquals(i + 1, objects.get(i).getLong("seq"));
        }
    }

    @Test
    void containerFilterTakesTheCurrentNameAPrefixOrAnId() {
        ToolJournal.Result byName = journal.run("dump", "--container", "front");
        assertEquals(List.of(1L, 2L, 4L, 7L, 8L), seqs(byName), "its container events and its policy decision");
        assertEquals(List.of(3L, 6L), seqs(journal.run("dump", "--container", "00000002")), "its exec too");
        assertEquals(List.of(1L, 2L, 3L, 4L, 6L, 7L, 8L),
                seqs(journal.run("dump", "--container", id(1), "--container", "/db")));

        ToolJournal.Result gone = journal.run("dump", "--container", "web");
        assertEquals(1, gone.exit(), "renamed: web is nobody's name now");
        assertEquals("berthd journal dump: No such container: web\n", gone.err());
        ToolJournal.Result ambiguous = journal.run("dump", "--container", "0000000");
        assertEquals(1, ambiguous.exit());
        assertTrue(ambiguous.err().startsWith("berthd journal dump: Multiple IDs found with provided prefix: 0000000 ("),
                ambiguous.err());
    }

    @Test
    void sinceIsExclusiveUntilInclusiveInDockersForms() {
        // Unix seconds with a fraction, and RFC 3339 with a zone.
        ToolJournal.Result r = journal.run("dump", "--since", "1800000001.5", "--until", T0 + "05Z");
        assertEquals(List.of(3L, 4L, 5L, 6L), seqs(r));
        assertEquals(List.of(3L, 4L), seqs(journal.run("dump", "--since", "1800000001", "--until", "1800000003")));
        ToolJournal.Result bad = journal.run("dump", "--since", "yesterday");
        assertEquals(2, bad.exit());
        assertTrue(bad.err().startsWith("berthd journal dump: invalid since timestamp"), bad.err());
    }

    @Test
    void typeFilterTakesANameAVersionedNameOrAFamily() {
        assertEquals(List.of(4L), seqs(journal.run("dump", "--type", "container.exited")));
        assertEquals(List.of(4L), seqs(journal.run("dump", "--type", "container.exited.v2")));
        assertEquals(List.of(1L, 2L, 3L, 4L, 8L), seqs(journal.run("dump", "--type", "container")));
        assertEquals(List.of(5L, 6L, 7L), seqs(journal.run("dump", "--type", "exec", "--type", "policy.decided.v1",
                "--type", "image")));
        List<Long> json = journal.run("dump", "--type", "container.started", "--type", "container.exited",
                "--container", "front", "--json").lines().stream().map(l -> new JsonObject(l).getLong("seq")).toList();
        assertEquals(List.of(2L, 4L), json, "filters combine");
        ToolJournal.Result bad = journal.run("dump", "--type", "container.exploded");
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("unknown event type \"container.exploded\""), bad.err());
        assertTrue(bad.err().contains("container, daemon, exec, image, network, policy, volume"), bad.err());
    }
}
