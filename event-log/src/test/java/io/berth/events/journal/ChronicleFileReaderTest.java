package io.berth.events.journal;

import static io.berth.events.Fixtures.id;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.errors.EngineException;
import io.berth.errors.ErrorKind;
import io.berth.events.ContainerEvent;
import io.berth.events.Event;
import io.berth.events.EventEnvelope;
import io.berth.events.ExecEvent;
import io.berth.events.NoLeaks;
import io.berth.events.RandomHistory;
import io.berth.events.journal.JournalScan.End;
import io.berth.events.journal.JournalScan.FileScan;
import io.berth.events.journal.internal.ChronicleFileReader;
import io.berth.events.journal.internal.ChronicleJournal;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The read-only file reader sees what the journal's own readers see, reports how each file ends,
 * and leaves the files exactly as they were, also while a journal appends to them.
 */
@ExtendWith(NoLeaks.class)
class ChronicleFileReaderTest {

    private static final long SECOND = 1_000_000_000L;

    @TempDir
    Path dir;

    private static List<EventEnvelope> replay(Path dir) {
        try (Journal j = ChronicleJournal.open(JournalConfig.defaults(dir))) {
            List<EventEnvelope> out = new ArrayList<>();
            j.replay(1, out::add);
            return out;
        }
    }

    private static List<EventEnvelope> scanned(Path dir, List<JournalScan> result) {
        List<EventEnvelope> out = new ArrayList<>();
        result.add(ChronicleFileReader.scan(dir, out::add));
        return out;
    }

    /** Every file's name, size, times and content: what "untouched" means here. */
    private static Map<String, String> fingerprint(Path dir) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                md.update(Files.readAllBytes(p));
                out.put(p.getFileName().toString(), a.size() + " " + a.lastModifiedTime() + " "
                        + HexFormat.of().formatHex(md.digest()));
            }
        }
        return out;
    }

    private void write(List<? extends Event> events) throws Exception {
        try (Journal j = ChronicleJournal.open(JournalConfig.defaults(dir))) {
            for (Event e : events) {
                j.append(e).get(10, TimeUnit.SECONDS);
            }
        }
    }

    private Path onlyCycleFile() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> files = s.filter(p -> p.toString().endsWith(".cq4")).toList();
            assertEquals(1, files.size());
            return files.get(0);
        }
    }

    @Test
    void readsWhatReplayReadsAcrossFilesWithoutTouchingThem() throws Exception {
        AtomicLong clock = new AtomicLong(1_800_000_000L * SECOND);
        RandomHistory history = new RandomHistory(7, 20);
        JournalConfig config = JournalConfig.defaults(dir).withRoll(JournalConfig.Roll.SECONDLY).withClock(clock::get);
        try (Journal j = ChronicleJournal.open(config)) {
            for (int s = 0; s < 4; s++) {
                j.appendAll(history.events(2_000)).get(30, TimeUnit.SECONDS);
                clock.addAndGet(SECOND);
            }
            // Larger than the reader's buffer: read in one piece all the same.
            String big = "x".repeat(1_500_000);
            j.append(new ExecEvent.Created(id(999), id(998), List.of("sh", "-c", big), List.of(), "", "/", false,
                    false, false)).get(10, TimeUnit.SECONDS);
            j.appendAll(history.events(100)).get(10, TimeUnit.SECONDS);
        }
        List<EventEnvelope> expected = replay(dir);
        Map<String, String> before = fingerprint(dir);

        List<JournalScan> result = new ArrayList<>();
        List<EventEnvelope> got = scanned(dir, result);

        assertEquals(fingerprint(dir), before, "no file written, created or deleted");
        assertEquals(8_101, expected.size());
        assertEquals(expected, got);
        JournalScan scan = result.get(0);
        assertEquals(List.of(), scan.damage());
        assertEquals(5, scan.files().size(), "one file per second");
        assertEquals(List.of(End.ROLLED, End.ROLLED, End.ROLLED, End.ROLLED, End.OPEN),
                scan.files().stream().map(FileScan::end).toList());
        assertEquals(List.of(1L, 2_001L, 4_001L, 6_001L, 8_001L),
                scan.files().stream().map(FileScan::firstSeq).toList());
        assertEquals(8_101, scan.files().get(4).lastSeq());
        assertEquals(8_101, scan.entries());
        for (int i = 1; i < 5; i++) {
            assertEquals(scan.files().get(i - 1).cycle() + 1, scan.files().get(i).cycle());
        }
    }

    @Test
    void aCorruptEntryIsReportedWithTheIndexTheJournalReports() throws Exception {
        List<Event> events = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            events.add(new ContainerEvent.Killed(id(i), i));
        }
        write(events);
        Path file = onlyCycleFile();
        byte[] data = Files.readAllBytes(file);
        byte[] needle = id(3).getBytes(StandardCharsets.UTF_8);
        int at = FileBytes.indexOf(data, needle);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(at + 3);
            raf.write(data[at + 3] ^ 0x5a);
        }

        List<JournalScan> result = new ArrayList<>();
        List<Long> seqs = scanned(dir, result).stream().map(EventEnvelope::seq).toList();

        assertEquals(List.of(1L, 2L, 4L, 5L, 6L), seqs);
        JournalScan scan = result.get(0);
        assertEquals(1, scan.damage().size());
        JournalScan.DamagedEntry d = scan.damage().get(0);
        assertEquals(2, d.damage().afterSeq());
        assertTrue(d.damage().reason().contains("checksum"), d.damage().reason());
        assertTrue(d.offset() < at && at - d.offset() < 64, "the offset of the damaged excerpt: " + d.offset());
        assertEquals(file, d.file());
        assertEquals(End.OPEN, scan.files().get(0).end());
        try (Journal j = ChronicleJournal.open(JournalConfig.defaults(dir))) {
            j.replay(1, e -> { });
            assertEquals(j.damage(), List.of(d.damage()), "the same index, cycle, sequence and reason");
        }
    }

    @Test
    void anEntryTornByADyingWriterIsAnUnfinishedEnd() throws Exception {
        List<Event> events = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            events.add(new ContainerEvent.Killed(id(i), i));
        }
        write(events);
        String out = TornWriter.runOn(dir);
        assertTrue(out.contains("torn"), out);

        List<JournalScan> result = new ArrayList<>();
        assertEquals(5, scanned(dir, result).size());
        FileScan f = result.get(0).files().get(0);
        assertEquals(End.UNFINISHED, f.end());
        assertTrue(f.endDetail().contains("byte " + f.usedBytes()), f.endDetail());
        assertEquals(5, f.lastSeq());
    }

    @Test
    void aFileCutShortMidEntryKeepsTheEntriesBeforeTheCut() throws Exception {
        List<Event> events = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            events.add(new ContainerEvent.Killed(id(i), i));
        }
        write(events);
        Path file = onlyCycleFile();
        byte[] data = Files.readAllBytes(file);
        int at = FileBytes.indexOf(data, id(5).getBytes(StandardCharsets.UTF_8));
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(at + 10);
        }

        List<JournalScan> result = new ArrayList<>();
        assertEquals(List.of(1L, 2L, 3L, 4L), scanned(dir, result).stream().map(EventEnvelope::seq).toList());
        FileScan f = result.get(0).files().get(0);
        assertEquals(End.TRUNCATED, f.end());
        assertEquals(at + 10, f.sizeBytes());
        assertTrue(f.endDetail().contains("cut short"), f.endDetail());
        assertEquals(at + 10, Files.size(file), "not re-extended");
    }

    @Test
    void aMissingDirectoryIsNotFoundAndNotCreated() {
        Path missing = dir.resolve("journal");
        EngineException e = assertThrows(EngineException.class, () -> ChronicleFileReader.scan(missing, x -> { }));
        assertEquals(ErrorKind.NOT_FOUND, e.kind());
        assertFalse(Files.exists(missing));
    }

    @Test
    void readsCleanlyWhileAJournalAppends() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        try (Journal j = ChronicleJournal.open(JournalConfig.defaults(dir))) {
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                int n = 0;
                while (!stop.get()) {
                    List<Event> batch = new ArrayList<>();
                    for (int i = 0; i < 1 + n % 7; i++) {
                        batch.add(new ContainerEvent.Killed(id(++n), n % 64));
                    }
                    j.appendAll(batch).join();
                }
            });
            while (j.lastSeq() < 1_000) {
                Thread.sleep(1);
            }
            long previous = 0;
            int rounds = 0;
            while (rounds++ < 10 || j.lastSeq() < 50_000) {
                List<JournalScan> result = new ArrayList<>();
                List<EventEnvelope> got = scanned(dir, result);
                JournalScan scan = result.get(0);
                assertEquals(List.of(), scan.damage());
                assertTrue(scan.files().stream().allMatch(FileScan::clean), scan.files().toString());
                for (int i = 0; i < got.size(); i++) {
                    assertEquals(i + 1, got.get(i).seq(), "a gapless prefix of the journal");
                }
                assertTrue(got.size() >= previous);
                previous = got.size();
            }
            stop.set(true);
            writer.get(30, TimeUnit.SECONDS);
            List<JournalScan> result = new ArrayList<>();
            assertEquals(j.lastSeq(), scanned(dir, result).size(), "everything once the writer is done");
        }
    }

}
