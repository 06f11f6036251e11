package io.berth.daemon.tools;

import static io.berth.daemon.tools.ToolJournal.at;
import static io.berth.events.Fixtures.id;
import static io.berth.events.Fixtures.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.events.ContainerEvent;
import io.berth.events.DaemonEvent;
import io.berth.events.ExecEvent;
import io.berth.events.NoLeaks;
import io.berth.events.PolicyEvent;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code journal explain}: a container's life in sentences, in journal order, and references that
 * resolve as Docker's do, removed containers included.
 */
@ExtendWith(NoLeaks.class)
class JournalExplainTest {

    private static final long S = 1_000_000_000L;
    private static final long T0 = ToolJournal.T0;

    @TempDir
    Path root;

    private ToolJournal journal;

    @BeforeEach
    void history() throws Exception {
        String c = id(1);
        journal = new ToolJournal(root);
        journal.write(
                at(0, new ContainerEvent.Created(c, "web", spec("busybox"))),
                at(100, new ContainerEvent.Created(id(2), "other", spec("alpine"))),
                at(1000, new ContainerEvent.Started(c, 123, T0 + S)),
                at(3300, new ContainerEvent.OomKilled(c)),
                at(3301, new ContainerEvent.Exited(c, 137, T0 + 3_300_000_000L, 123)),
                at(3302, new PolicyEvent.Decided("backoff", "h1", c, "onExit", "exitCode=137", "restart", 200, 0)),
                at(3303, new ContainerEvent.Restarting(c, 1, 200, "exit code 137")),
                at(3600, new ContainerEvent.Started(c, 124, T0 + 3_600_000_000L)),
                at(4000, new ContainerEvent.Started(id(2), 300, T0 + 4 * S)),
                at(5000, new ContainerEvent.Exited(c, 1, T0 + 5 * S, 124)),
                at(5001, new PolicyEvent.Failed("backoff", "h1", c, "onExit", "timed out after 50 ms")),
                at(5002, new ContainerEvent.Restarting(c, 2, 200, "exit code 1")),
                at(5200, new ContainerEvent.Started(c, 125, T0 + 5_200_000_000L)),
                at(6000, new ContainerEvent.Renamed(c, "web", "front")),
                at(6500, new ExecEvent.Created(id(5), c, List.of("sh", "-c", "echo hi"), List.of(), "", "/", false,
                        false, false)),
                at(6501, new ExecEvent.Started(id(5), c, 777)),
                at(6502, new ExecEvent.Exited(id(5), c, 0)),
                at(7000, new DaemonEvent.Stopping("d1", "signal")),
                at(7500, new DaemonEvent.Started("d1", "0.1.0", 99)),
                at(10_000, new ContainerEvent.StopRequested(c, 15, 10, false)),
                at(10_001, new ContainerEvent.Killed(c, 15)),
                at(20_001, new ContainerEvent.Killed(c, 9)),
                at(20_002, new ContainerEvent.Exited(c, 137, T0 + 20_002_000_000L, 125)),
                at(20_003, new ContainerEvent.Stopped(c)),
                at(21_000, new ContainerEvent.Removing(c)),
                at(21_001, new ContainerEvent.Removed(c)),
                at(22_000, new DaemonEvent.Stopping("d1", "signal")),
                at(23_000, new ContainerEvent.Created(id(3), "web", spec("nginx"))),
                at(30_000, new ContainerEvent.Created(id(4), "x", spec("busybox"))),
                at(30_001, new ContainerEvent.Removed(id(4))),
                at(30_002, new ContainerEvent.Created(id(6), "x", spec("busybox"))),
                at(30_003, new ContainerEvent.Removed(id(6))),
                at(40_000, new ContainerEvent.Created(id(7), "late", spec("busybox"))),
                at(40_001, new ContainerEvent.Started(id(7), 400, T0 + 40 * S)),
                at(50_000, new ContainerEvent.Exited(id(7), 7, T0 + 42 * S, 400)),
                at(60_000, new ContainerEvent.Created(id(8), "backoff", spec("busybox"))),
                at(60_001, new ContainerEvent.Started(id(8), 500, T0 + 60 * S)),
                at(60_002, new ContainerEvent.Exited(id(8), 1, T0 + 60 * S + 1_000_000, 500)),
                at(60_003, new ContainerEvent.Restarting(id(8), 1, 5000, "always after exit code 1")),
                at(60_004, new ContainerEvent.StopRequested(id(8), 15, 10, false)),
                at(60_005, new ContainerEvent.RestartCancelled(id(8), "stopped by the user")),
                at(60_006, new ContainerEvent.Started(id(8), 501, T0 + 61 * S)),
                at(60_007, new ContainerEvent.StopRequested(id(8), 15, 10, true)),
                at(60_008, new ContainerEvent.Killed(id(8), 15)),
                at(60_009, new ContainerEvent.Exited(id(8), 143, T0 + 62 * S, 501)));
    }

    /** The story lines, without the sequence and time columns. */
    private static List<String> sentences(ToolJournal.Result r) {
        return r.lines().stream().filter(l -> l.matches(" *\\d+  \\S+Z  .*"))
                .map(l -> l.replaceFirst(" *\\d+  \\S+Z  ", "")).toList();
    }

    @Test
    void aWholeLifeInOrder() {
        ToolJournal.Result r = journal.run("explain", "front");
        assertEquals(0, r.exit(), r.toString());
        assertEquals(List.of(
                "created from image busybox as /web (command sleep 600; restart policy on-failure:3)",
                "started (pid 123)",
                "OOM-killed (memory limit 64MiB)",
                "exited with code 137 after 2.3s (SIGKILL)",
                "policy backoff decided restart after 200ms at onExit (given exitCode=137)",
                "restarting by policy backoff (attempt 1, delay 200ms): exit code 137",
                "started (pid 124)",
                "exited with code 1 after 1.4s",
                "policy backoff failed at onExit: timed out after 50 ms; the restart policy applied instead",
                "restarting by policy on-failure (attempt 2, delay 200ms): exit code 1",
                "started (pid 125)",
                "renamed from /web to /front",
                "exec 00000005aaaa created: sh -c 'echo hi'",
                "exec 00000005aaaa started (pid 777)",
                "exec 00000005aaaa exited with code 0",
                "[daemon] berthd stopping (signal)",
                "[daemon] berthd 0.1.0 started (pid 99)",
                "stopped by the user (SIGTERM, 10s timeout)",
                "sent SIGTERM to stop it",
                "sent SIGKILL: still running 10s after the stop signal",
                "exited with code 137 after 14.8s (SIGKILL; as the user asked)",
                "stop finished",
                "removal started",
                "removed"), sentences(r));
        List<String> lines = r.lines();
        assertEquals("container  " + id(1), lines.get(0));
        assertEquals("name       /front (before: /web)", lines.get(1));
        assertEquals("image      busybox", lines.get(2));
        assertEquals("entries    22, sequences 1 to 26", lines.get(3));
        assertEquals(" 1  2027-01-15T08:00:00.000000000Z  created from image busybox as /web (command sleep 600;"
                + " restart policy on-failure:3)", lines.get(4));
        assertEquals("state      removed (as of the end of the journal)", lines.get(lines.size() - 1));
    }

    @Test
    void anExitFoundLateSaysWhenItHappened() {
        ToolJournal.Result r = journal.run("explain", "late");
        assertEquals(List.of("created from image busybox as /late (command sleep 600; restart policy on-failure:3)",
                "started (pid 400)",
                "exited with code 7 after 2s (at 2027-01-15T08:00:42.000000000Z, noticed 8s later)"), sentences(r));
        assertTrue(r.out().endsWith("state      exited with code 7 (as of the end of the journal)\n"), r.out());
    }

    @Test
    void aCancelledRestartAndADaemonsStopAreToldApart() {
        ToolJournal.Result r = journal.run("explain", "backoff");
        assertEquals(List.of("created from image busybox as /backoff (command sleep 600; restart policy on-failure:3)",
                "started (pid 500)",
                "exited with code 1 after 1ms",
                "restarting by policy on-failure (attempt 1, delay 5s): always after exit code 1",
                "stopped by the user (SIGTERM, 10s timeout)",
                "pending restart cancelled: stopped by the user",
                "started (pid 501)",
                "stopped by the daemon's shutdown (SIGTERM, 10s timeout)",
                "sent SIGTERM to stop it",
                "exited with code 143 after 1s (SIGTERM; as the daemon's shutdown asked)"), sentences(r));
        assertTrue(r.out().endsWith("state      exited with code 143 (as of the end of the journal)\n"), r.out());
    }

    @Test
    void aNameIsTheLiveContainersOnceItIsReused() {
        ToolJournal.Result r = journal.run("explain", "web");
        assertEquals(0, r.exit(), r.toString());
        assertEquals("container  " + id(3), r.lines().get(0));
        assertEquals(List.of("created from image nginx as /web (command sleep 600; restart policy on-failure:3)"),
                sentences(r));
        assertTrue(r.out().endsWith("state      created, never started (as of the end of the journal)\n"), r.out());
    }

    @Test
    void aPrefixOrAFullIdFindsARemovedContainer() {
        ToolJournal.Result byPrefix = journal.run("explain", "00000001");
        assertEquals(0, byPrefix.exit(), byPrefix.toString());
        assertEquals("container  " + id(1), byPrefix.lines().get(0));
        assertEquals(byPrefix.out(), journal.run("explain", id(1)).out());
        assertEquals(byPrefix.out(), journal.run("explain", "/front").out());
    }

    @Test
    void anAmbiguousOrUnknownReferenceFails() {
        ToolJournal.Result ambiguous = journal.run("explain", "0000000");
        assertEquals(1, ambiguous.exit());
        assertEquals("", ambiguous.out());
        assertTrue(ambiguous.err().startsWith("berthd journal explain: Multiple IDs found with provided prefix: 0000000 ("
                + "00000001aaaa (/front, removed), 00000002aaaa (/other), 00000003aaaa (/web), "), ambiguous.err());

        ToolJournal.Result twice = journal.run("explain", "x");
        assertEquals(1, twice.exit());
        assertEquals("berthd journal explain: the name x was the last name of 2 removed containers: 00000004aaaa (/x,"
                + " removed), 00000006aaaa (/x, removed); use an id\n", twice.err());

        ToolJournal.Result unknown = journal.run("explain", "nope");
        assertEquals(1, unknown.exit());
        assertEquals("berthd journal explain: No such container: nope\n", unknown.err());

        ToolJournal.Result none = journal.run("explain");
        assertEquals(2, none.exit());
        assertTrue(none.err().startsWith("berthd journal explain: explain takes exactly one container, got none\n"),
                none.err());
    }
}
