package io.berth.daemon.tools;

import static io.berth.daemon.tools.ToolJournal.at;
import static io.berth.events.Fixtures.id;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import io.berth.events.ContainerEvent;
import io.berth.events.EventEnvelope;
import io.berth.events.Fixtures;
import io.berth.events.NoLeaks;
import io.berth.events.journal.JournalConfig;
import io.berth.events.journal.TornWriter;
import io.berth.events.journal.internal.ChronicleFileReader;
import io.berth.events.snapshot.SnapshotStore;
import io.berth.events.snapshot.StateDigest;
import io.berth.events.state.EngineState;
import io.berth.events.state.StateReducer;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code journal verify} on a clean journal, a corrupted entry, a torn tail and a file cut short. */
@ExtendWith(NoLeaks.class)
class JournalVerifyTest {

    @TempDir
    Path root;

    private ToolJournal journal;

    @BeforeEach
    void sixCreates() throws Exception {
        // Now, not a fixed time: the torn writer appends on the system clock, to the same file.
        journal = new ToolJournal(root, JournalConfig.SYSTEM_CLOCK.getAsLong());
        ToolJournal.At[] events = new ToolJournal.At[6];
        for (int i = 1; i <= 6; i++) {
            events[i - 1] = at(i, new ContainerEvent.Created(id(i), "c" + i, Fixtures.spec("busybox")));
        }
        journal.write(events);
    }

    @Test
    void aCleanJournalPassesWithASummary() throws Exception {
        Path file = journal.onlyCycleFile();
        byte[] before = Files.readAllBytes(file);

        ToolJournal.Result r = journal.run("verify");

        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("journal    " + journal.journalDir()), r.out());
        assertTrue(r.out().contains("entries    6, sequences 1 to 6\n"), r.out());
        assertTrue(r.out().contains("files      1 (cycle "), r.out());
        assertTrue(r.out().contains("  " + file.getFileName() + "  cycle "), r.out());
        assertTrue(r.out().contains("6 entries, sequences 1 to 6  open (written up to byte "), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("times      \\S+Z to \\S+Z")), r.out());
        assertTrue(r.out().endsWith("result     ok: no problems found\n"), r.out());
        assertEquals("", r.err());
        assertTrue(Arrays.equals(before, Files.readAllBytes(file)), "the file is unchanged");
    }

    @Test
    void theReplayFromASnapshotIsCheckedAgainstTheReplayFromEmpty() throws Exception {
        List<EventEnvelope> entries = new ArrayList<>();
        ChronicleFileReader.scan(journal.journalDir(), entries::add);
        EngineState at3 = StateReducer.applyAll(
                EngineState.EMPTY, entries.subList(0, 3));
        EngineState all = StateReducer.applyAll(
                EngineState.EMPTY, entries);
        var snapshots = new SnapshotStore(journal.dataRoot().resolve("snapshots"), 2);
        snapshots.write(at3);

        ToolJournal.Result r = journal.run("verify");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("state      sequence 6: 6 containers, 0 images, 0 execs; "
                + StateDigest.of(all) + "\n"), r.out());
        assertTrue(r.out().contains("snapshot   sequence 3: replay from it matches replay from empty\n"), r.out());

        // A snapshot that does not fold the journal's first three entries: what a bug would leave.
        EngineState wrong = StateReducer.applyAll(
                EngineState.EMPTY, List.of(entries.get(0), entries.get(2)));
        snapshots.write(new EngineState(3, wrong.containers(), wrong.names(), wrong.images(),
                wrong.tags(), wrong.execs(), wrong.execIndex(), wrong.networks(), wrong.volumes()));
        ToolJournal.Result bad = journal.run("verify");
        assertEquals(1, bad.exit(), bad.toString());
        assertTrue(bad.out().contains("replay from the snapshot at sequence 3 differs from replay from empty"),
                bad.out());
    }

    @Test
    void anEntryTheStateRefusesIsAProblem() throws Exception {
        journal.write(at(7, new ContainerEvent.Paused(id(2))));
        ToolJournal.Result r = journal.run("verify");
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.out().contains("entry 7 (container.paused.v1) is refused by the state: cannot pause: container"
                + " is created"), r.out());
    }

    @Test
    void aCorruptedEntryIsAProblemAndExplainsTheGap() throws Exception {
        Path file = journal.onlyCycleFile();
        int at = ToolJournal.indexOf(file, id(3));
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(at + 5);
            int b = raf.read();
            raf.seek(at + 5);
            raf.write(b ^ 0x21);
        }

        ToolJournal.Result r = journal.run("verify");

        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.out().contains("entries    5, sequences 1 to 6"), r.out());
        assertTrue(r.out().contains("problems   2\n"), r.out());
        List<String> problems = r.lines().stream().filter(l -> l.startsWith("  ") && !l.contains(".cq4  cycle")).toList();
        assertEquals(2, problems.size(), r.out());
        assertTrue(problems.get(0).matches("  damaged entry at index 0x[0-9a-f]+ \\(cycle \\d+, after sequence 2\\) in "
                + file.getFileName() + " at byte \\d+: checksum mismatch \\(torn or corrupted write\\)"), problems.get(0));
        assertEquals("  sequence gap: 2 is followed by 4 (1 missing, 1 damaged entry in between)", problems.get(1));
        assertTrue(r.out().endsWith("result     2 problems found\n"), r.out());
    }

    @Test
    void anEntryTornByADyingWriterIsATornTail() throws Exception {
        String out = TornWriter.runOn(journal.journalDir());
        assertTrue(out.contains("torn"), out);

        ToolJournal.Result r = journal.run("verify");

        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.out().contains("entries    6, sequences 1 to 6"), "every entry is intact: " + r.out());
        assertTrue(r.out().contains("problems   1\n"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("  torn tail in \\S+\\.cq4: an entry begun at byte \\d+"
                + " was never finished \\(a write cut short by a crash\\)")), r.out());
        assertTrue(r.out().contains("unfinished (an entry begun at byte"), r.out());
    }

    @Test
    void aFileCutShortOnDiskIsAProblem() throws Exception {
        Path file = journal.onlyCycleFile();
        int at = ToolJournal.indexOf(file, id(6));
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(at + 4);
        }

        ToolJournal.Result r = journal.run("verify");

        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.out().contains("entries    5, sequences 1 to 5"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("  file cut short: \\S+\\.cq4: the excerpt at byte \\d+ needs"
                + " \\d+ bytes but the file ends at byte " + (at + 4) + " \\(cut short on disk\\)")), r.out());
        assertEquals(at + 4, Files.size(file), "left as it was");
    }

    @Test
    void aDataRootWithoutAJournalFailsAndIsLeftAlone() {
        Path elsewhere = root.resolve("nothing-here");
        ToolJournal.Result r = ToolJournal.runExactly("verify", "--data-root", elsewhere.toString());
        assertEquals(1, r.exit(), r.toString());
        assertEquals("berthd journal verify: no journal at " + elsewhere.resolve("journal") + ": not a directory\n",
                r.err());
        assertFalse(Files.exists(elsewhere));
    }
}
