package io.berth.events.journal;

import static io.berth.events.Fixtures.id;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.events.ContainerEvent;
import io.berth.events.ContainerSpec;
import io.berth.events.DaemonEvent;
import io.berth.events.Event;
import io.berth.events.EventEnvelope;
import io.berth.events.Fixtures;
import io.berth.events.NoLeaks;
import io.berth.events.journal.JournalScan.End;
import io.berth.events.journal.internal.ChronicleFileReader;
import io.berth.events.journal.internal.ChronicleJournal;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A journal whose last file was cut short on disk (a disk losing the end of a file) opens, reports
 * what was lost, keeps every intact entry, and keeps every entry appended afterwards: replay, tailers
 * and the file reader all read them after another restart, with sequences going on from the last
 * intact entry.
 */
@ExtendWith(NoLeaks.class)
class CutShortJournalTest {

    /** Chronicle's excerpt header, then the entry's sequence and time, then the actor's length. */
    private static final int ACTOR_OFFSET = 4 + 8 + 8 + 1;

    private static final long SECOND = 1_000_000_000L;

    @TempDir
    Path dir;

    private JournalConfig config;

    private JournalConfig config() {
        return config != null ? config : JournalConfig.defaults(dir);
    }

    /** Entry {@code n}: its actor is {@code id(n)}, so it can be found in the file. */
    private static Event small(int n) {
        return new ContainerEvent.Killed(id(n), n);
    }

    /** A large {@code container.created}, as a container with a long label writes. */
    private static Event large(int n) {
        ContainerSpec s = Fixtures.spec("busybox");
        return new ContainerEvent.Created(id(n), "cut", new ContainerSpec(s.image(), s.imageId(), s.entrypoint(),
                s.cmd(), s.env(), s.workingDir(), s.user(), s.hostname(), s.domainname(), s.tty(), s.openStdin(),
                s.stdinOnce(), Map.of("x", "x".repeat(4_000)), s.stopSignal(), s.stopTimeout(), s.resources(),
                s.restartPolicy(), s.autoRemove(), s.networkMode(), s.binds()));
    }

    private void write(List<Event> events) throws Exception {
        try (Journal j = ChronicleJournal.open(config())) {
            j.appendAll(events).get(30, TimeUnit.SECONDS);
        }
    }

    /** 1..3 small, 4 a large create, 5 the daemon stopping: what a daemon that stops writes. */
    private static List<Event> daemonHistory() {
        return List.of(small(1), small(2), small(3), large(4), new DaemonEvent.Stopping(id(5), "signal"));
    }

    private static List<Event> smallOnes(int n) {
        List<Event> out = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            out.add(small(i));
        }
        return out;
    }

    private List<Path> cycleFiles() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".cq4")).sorted().toList();
        }
    }

    private Path lastCycleFile() throws IOException {
        List<Path> files = cycleFiles();
        return files.get(files.size() - 1);
    }

    /** Where the excerpt holding entry {@code n} starts in the last file, checked against its sequence. */
    private long offsetOf(int n) throws IOException {
        byte[] data = Files.readAllBytes(lastCycleFile());
        int at = FileBytes.indexOf(data, id(n).getBytes(StandardCharsets.UTF_8));
        assertTrue(at > ACTOR_OFFSET, "entry " + n + " found in the file");
        long offset = at - ACTOR_OFFSET;
        long seq = ByteBuffer.wrap(data, (int) offset + 4, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(n, seq, "the excerpt at " + offset + " holds entry " + n);
        return offset;
    }

    /** What a disk losing the end of the last file does: everything from {@code length} on is gone. */
    private void cutAt(long length) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(lastCycleFile().toFile(), "rw")) {
            raf.setLength(length);
        }
    }

    private static List<Long> seqs(List<EventEnvelope> entries) {
        return entries.stream().map(EventEnvelope::seq).toList();
    }

    private static List<Long> upTo(long last) {
        return LongStream.rangeClosed(1, last).boxed().toList();
    }

    private static List<EventEnvelope> replay(Journal j) {
        List<EventEnvelope> out = new ArrayList<>();
        j.replay(1, out::add);
        return out;
    }

    private static List<EventEnvelope> tail(Journal j, long fromSeq) {
        List<EventEnvelope> out = new ArrayList<>();
        try (JournalTailer t = j.tailerFrom(fromSeq)) {
            for (EventEnvelope e; (e = t.next()) != null; ) {
                out.add(e);
            }
        }
        return out;
    }

    /**
     * Opens the cut journal, checks that it keeps the entries up to {@code lastIntact} and reports
     * damage, appends {@code appended} events, and checks after another restart that every reader
     * reads all of them, gapless, and that the files read as clean with the damage reported.
     *
     * @return the damage the file reader reports after the restart
     */
    private List<JournalScan.DamagedEntry> reopenAppendAndCheck(long lastIntact, List<Event> appended)
            throws Exception {
        List<EventEnvelope> kept;
        try (Journal j = ChronicleJournal.open(config())) {
            assertEquals(lastIntact, j.lastSeq(), "the last intact entry");
            assertFalse(j.damage().isEmpty(), "the damage is reported on open");
            kept = replay(j);
            assertEquals(upTo(lastIntact), seqs(kept));
            for (int i = 0; i < appended.size(); i++) {
                assertEquals(lastIntact + i + 1, j.append(appended.get(i)).get(10, TimeUnit.SECONDS).seq(),
                        "sequences go on from the last intact entry");
            }
            assertEquals(upTo(lastIntact + appended.size()), seqs(replay(j)), "read back before the restart");
        }
        long last = lastIntact + appended.size();
        List<EventEnvelope> all;
        try (Journal j = ChronicleJournal.open(config())) {
            assertEquals(last, j.lastSeq());
            all = replay(j);
            assertEquals(upTo(last), seqs(all), "every entry appended after the damage survives a restart");
            assertEquals(kept, all.subList(0, kept.size()));
            assertEquals(appended, all.subList(kept.size(), all.size()).stream().map(EventEnvelope::event).toList());
            assertFalse(j.damage().isEmpty(), "the damage is still reported");
            assertEquals(all, tail(j, 1), "a tailer from the start");
            assertEquals(all.subList((int) lastIntact - 1, all.size()), tail(j, lastIntact),
                    "a tailer from before the damage");
            for (long s = lastIntact + 1; s <= last; s++) {
                assertEquals(upTo(last).subList((int) s - 1, (int) last), seqs(tail(j, s)), "a tailer from " + s);
            }
        }
        List<EventEnvelope> scanned = new ArrayList<>();
        JournalScan scan = ChronicleFileReader.scan(dir, scanned::add);
        assertEquals(all, scanned, "the file reader reads what replay reads");
        for (JournalScan.FileScan f : scan.files()) {
            assertTrue(f.clean(), "the repaired file reads as clean: " + f.endDetail());
        }
        assertEquals(End.OPEN, scan.files().get(scan.files().size() - 1).end());
        assertFalse(scan.damage().isEmpty());
        return scan.damage();
    }

    private static List<String> reasons(List<JournalScan.DamagedEntry> damage) {
        return damage.stream().map(d -> d.damage().reason()).toList();
    }

    /** The damage a lost entry leaves: the repair put a placeholder where it was. */
    private static boolean lost(JournalScan.DamagedEntry d) {
        return d.damage().reason().contains("cut short") && d.damage().reason().contains("repaired");
    }

    @Test
    void aCutInsideTheLastButOneEntryKeepsEverythingAppendedAfterIt() throws Exception {
        write(daemonHistory());
        cutAt(offsetOf(4) + 200);

        List<JournalScan.DamagedEntry> damage = reopenAppendAndCheck(3, List.of(small(10), small(11), small(12)));

        assertEquals(2, damage.size(), reasons(damage).toString());
        assertTrue(damage.get(0).damage().reason().contains("checksum"), "the entry the cut went through");
        assertEquals(3, damage.get(0).damage().afterSeq());
        assertTrue(lost(damage.get(1)), "the entry after the cut: " + damage.get(1).damage().reason());
        assertEquals(3, damage.get(1).damage().afterSeq());
        assertEquals(damage.get(0).damage().index() + 1, damage.get(1).damage().index(),
                "the lost entry keeps its index");
    }

    @Test
    void aCutInsideAnEarlierEntryReportsEveryEntryLost() throws Exception {
        write(smallOnes(8));
        cutAt(offsetOf(3) + 50);

        List<JournalScan.DamagedEntry> damage = reopenAppendAndCheck(2, List.of(small(20), small(21), small(22)));

        assertEquals(6, damage.size(), "entry 3 cut through, 4 to 8 lost: " + reasons(damage));
        assertTrue(damage.get(0).damage().reason().contains("checksum"));
        assertTrue(damage.subList(1, 6).stream().allMatch(CutShortJournalTest::lost), reasons(damage).toString());
        assertTrue(damage.stream().allMatch(d -> d.damage().afterSeq() == 2));
    }

    @Test
    void aCutAtAnEntryBoundaryReportsTheLostEntry() throws Exception {
        write(daemonHistory());
        cutAt(offsetOf(5));

        List<JournalScan.DamagedEntry> damage = reopenAppendAndCheck(4, List.of(small(10), small(11)));

        assertEquals(1, damage.size(), reasons(damage).toString());
        assertTrue(lost(damage.get(0)), damage.get(0).damage().reason());
        assertEquals(4, damage.get(0).damage().afterSeq());
    }

    @Test
    void aCutInsideTheLastEntryLosesOnlyThatEntry() throws Exception {
        write(daemonHistory());
        cutAt(offsetOf(5) + 30);

        List<JournalScan.DamagedEntry> damage = reopenAppendAndCheck(4, List.of(small(10), small(11)));

        assertEquals(1, damage.size(), reasons(damage).toString());
        assertTrue(damage.get(0).damage().reason().contains("checksum"), damage.get(0).damage().reason());
    }

    /** A repair cut short by a crash left its scratch copy: the next open discards it and repairs again. */
    @Test
    void aRepairInterruptedByACrashIsRedone() throws Exception {
        write(daemonHistory());
        cutAt(offsetOf(4) + 200);
        Path scratch = Files.createDirectories(dir.resolve("repair-in-progress"));
        Files.copy(lastCycleFile(), scratch.resolve(lastCycleFile().getFileName()));
        Files.writeString(scratch.resolve("metadata.cq4t"), "half written");

        List<JournalScan.DamagedEntry> damage = reopenAppendAndCheck(3, List.of(small(10)));

        assertFalse(Files.exists(scratch));
        assertEquals(2, damage.size(), reasons(damage).toString());
    }

    /**
     * Yesterday's file cut short, the daemon restarting today: Chronicle closes the cut file with its
     * end marker as it moves to a new file, which readers must reach too.
     */
    @Test
    void aCutInTheLastOfSeveralFilesKeepsWhatIsAppendedInALaterFile() throws Exception {
        AtomicLong clock = new AtomicLong(1_800_000_000L * SECOND);
        config = JournalConfig.defaults(dir).withRoll(JournalConfig.Roll.SECONDLY).withClock(clock::get);
        try (Journal j = ChronicleJournal.open(config)) {
            for (int s = 0; s < 3; s++) {
                for (int i = 1; i <= 5; i++) {
                    j.append(small(s * 5 + i)).get(10, TimeUnit.SECONDS);
                }
                clock.addAndGet(SECOND);
            }
        }
        assertEquals(3, cycleFiles().size());
        cutAt(offsetOf(12) + 50);
        clock.addAndGet(5 * SECOND);

        List<JournalScan.DamagedEntry> damage = reopenAppendAndCheck(11, List.of(small(30), small(31), small(32)));

        assertEquals(4, cycleFiles().size(), "the new entries went to a new file");
        assertEquals(4, damage.size(), "entry 12 cut through, 13 to 15 lost: " + reasons(damage));
        assertTrue(damage.subList(1, 4).stream().allMatch(CutShortJournalTest::lost), reasons(damage).toString());
    }

    /**
     * Hundreds of entries lost span several of Chronicle's index points (every 256th entry): entries
     * appended afterwards are still found by index, and named tailers that had read into or past the
     * lost entries resume with the first entry appended after the repair.
     */
    @Test
    void aCutLosingHundredsOfEntriesKeepsIndexesAndNamedTailers() throws Exception {
        write(smallOnes(700));
        try (Journal j = ChronicleJournal.open(config());
             JournalTailer early = j.tailer("early");
             JournalTailer middle = j.tailer("middle");
             JournalTailer late = j.tailer("late")) {
            for (int i = 0; i < 10; i++) {
                early.next();
            }
            for (int i = 0; i < 400; i++) {
                middle.next();
            }
            while (late.next() != null) {
                // reads all 700
            }
        }
        cutAt(offsetOf(20) + 40);

        List<Event> appended = new ArrayList<>();
        for (int i = 1; i <= 300; i++) {
            appended.add(small(1_000 + i));
        }
        List<JournalScan.DamagedEntry> damage = reopenAppendAndCheck(19, appended);

        assertEquals(1 + 680, damage.size(), "entry 20 cut through, 21 to 700 lost");
        try (Journal j = ChronicleJournal.open(config());
             JournalTailer early = j.tailer("early");
             JournalTailer middle = j.tailer("middle");
             JournalTailer late = j.tailer("late")) {
            assertEquals(11, early.next().seq(), "resumes where it stopped, before the cut");
            assertEquals(19, middle.lastSeq(), "stopped among the lost entries: resumes after the last intact");
            for (JournalTailer t : List.of(middle, late)) {
                EventEnvelope first = t.next();
                assertEquals(20, first.seq(), t.name() + " resumes with the first entry appended after the repair");
                assertEquals(small(1_001), first.event());
                long n = 1;
                while (t.next() != null) {
                    n++;
                }
                assertEquals(300, n);
                assertNull(t.next());
            }
        }
    }
}
