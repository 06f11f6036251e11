package io.berth.events.journal;

import static io.berth.events.Fixtures.id;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.events.ContainerEvent;
import io.berth.events.Event;
import io.berth.events.EventEnvelope;
import io.berth.events.NoLeaks;
import io.berth.events.journal.internal.ChronicleJournal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A journal whose tail is damaged still opens, keeps every intact entry, and says where the damage is. */
@ExtendWith(NoLeaks.class)
class DamagedJournalTest {

    @TempDir
    Path dir;

    private static List<EventEnvelope> readAll(Journal j) {
        List<EventEnvelope> out = new ArrayList<>();
        j.replay(1, out::add);
        return out;
    }

    private void write(int n) throws Exception {
        try (Journal j = ChronicleJournal.open(JournalConfig.defaults(dir))) {
            for (int i = 1; i <= n; i++) {
                j.append(new ContainerEvent.Killed(id(i), i)).get(10, TimeUnit.SECONDS);
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

    /** Flips a byte inside the entry whose actor id is {@code id(n)}. */
    private void corruptEntry(int n) throws IOException {
        Path file = onlyCycleFile();
        byte[] data = Files.readAllBytes(file);
        byte[] needle = id(n).getBytes(StandardCharsets.UTF_8);
        int at = FileBytes.indexOf(data, needle);
        assertTrue(at > 0, "entry found in the file");
        data[at + 3] ^= 0x5a;
        Files.write(file, data);
    }


    @Test
    void aCorruptLastEntryIsReportedAndSkipped() throws Exception {
        write(5);
        corruptEntry(5);
        try (Journal j = ChronicleJournal.open(JournalConfig.defaults(dir))) {
            assertEquals(4, j.lastSeq(), "the last intact entry");
            assertEquals(1, j.damage().size());
            JournalDamage d = j.damage().get(0);
            assertEquals(4, d.afterSeq());
            assertTrue(d.reason().contains("checksum"), d.reason());
            assertTrue(d.index() > 0);

            EventEnvelope next = j.append(new ContainerEvent.Paused(id(9))).get(10, TimeUnit.SECONDS);
            assertEquals(5, next.seq(), "the sequence goes on from the last intact entry, without a gap");
            List<EventEnvelope> all = readAll(j);
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L), all.stream().map(EventEnvelope::seq).toList());
            assertEquals(new ContainerEvent.Paused(id(9)), all.get(4).event());
            ReplayResult r = j.replay(1, e -> { });
            assertEquals(1, r.damage().size(), "every reader reports what it skipped");
            assertEquals(d.index(), r.damage().get(0).index());
            try (JournalTailer t = j.tailerFrom(5)) {
                assertEquals(5, t.next().seq(), "seeking steps over the damaged entry");
            }
        }
    }

    @Test
    void aCorruptEntryInTheMiddleLosesOnlyThatEntry() throws Exception {
        write(6);
        corruptEntry(3);
        try (Journal j = ChronicleJournal.open(JournalConfig.defaults(dir))) {
            assertEquals(6, j.lastSeq());
            List<Long> seqs = readAll(j).stream().map(EventEnvelope::seq).toList();
            assertEquals(List.of(1L, 2L, 4L, 5L, 6L), seqs);
            assertEquals(2, j.damage().get(0).afterSeq());
        }
    }

    @Test
    void anEntryTornByADyingWriterDoesNotStopTheJournal() throws Exception {
        write(5);
        String out = TornWriter.runOn(dir);
        assertTrue(out.contains("torn"), out);

        long start = System.nanoTime();
        try (Journal j = ChronicleJournal.open(JournalConfig.defaults(dir))) {
            assertEquals(5, j.lastSeq());
            Event e = new ContainerEvent.Paused(id(7));
            assertEquals(6, j.append(e).get(30, TimeUnit.SECONDS).seq());
            List<EventEnvelope> all = readAll(j);
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), all.stream().map(EventEnvelope::seq).toList());
            assertEquals(e, all.get(5).event());
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.println("recovered from a torn entry in " + millis + " ms");
    }
}
