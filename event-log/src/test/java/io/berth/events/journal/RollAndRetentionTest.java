package io.berth.events.journal;

import static io.berth.events.Fixtures.id;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.events.ContainerEvent;
import io.berth.events.EventEnvelope;
import io.berth.events.NoLeaks;
import io.berth.events.journal.internal.ChronicleJournal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Rolling to new files and deleting old ones, on a clock the test moves one second at a time. */
@ExtendWith(NoLeaks.class)
class RollAndRetentionTest {

    private static final long SECOND = 1_000_000_000L;
    private static final long T0 = 1_800_000_000L * SECOND;

    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong(T0);

    private JournalConfig config(Retention retention) {
        return JournalConfig.defaults(dir).withRoll(JournalConfig.Roll.SECONDLY).withClock(clock::get)
                .withRetention(retention);
    }

    /** Appends 10 events in each of {@code seconds} consecutive seconds: one file per second. */
    private void fill(Journal j, int seconds) throws Exception {
        for (int s = 0; s < seconds; s++) {
            for (int i = 0; i < 10; i++) {
                j.append(new ContainerEvent.Killed(id(s), i)).get(10, TimeUnit.SECONDS);
            }
            clock.addAndGet(SECOND);
        }
    }

    private List<Path> cycleFiles() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".cq4")).sorted().toList();
        }
    }

    private static long firstReadable(Journal j) {
        List<EventEnvelope> out = new ArrayList<>();
        j.replay(1, out::add);
        return out.isEmpty() ? 0 : out.get(0).seq();
    }

    @Test
    void seeksBySequenceAcrossFiles() throws Exception {
        try (Journal j = ChronicleJournal.open(config(Retention.UNLIMITED))) {
            fill(j, 5);
            assertEquals(5, cycleFiles().size());
            for (long seq : new long[] {1, 10, 11, 25, 41, 50}) {
                try (JournalTailer t = j.tailerFrom(seq)) {
                    assertEquals(seq, t.next().seq(), "seek to " + seq);
                }
            }
        }
    }

    @Test
    void deletesFilesOlderThanMaxAgeButNotWhatAnOpenTailerNeeds() throws Exception {
        try (Journal j = ChronicleJournal.open(config(new Retention(Duration.ofSeconds(2), 0)))) {
            fill(j, 6);
            // Now is T0+6s: the files of seconds 0..3 ended at least 2s ago.
            JournalTailer reader = j.tailerFrom(15); // in the file of second 1
            List<Path> deleted = j.applyRetention(j.lastSeq() + 1).get(10, TimeUnit.SECONDS);
            assertEquals(1, deleted.size(), "only the file before the tailer's: " + deleted);
            assertEquals(11, firstReadable(j));
            assertEquals(15, reader.next().seq(), "the tailer still reads its entries");
            reader.close();

            deleted = j.applyRetention(j.lastSeq() + 1).get(10, TimeUnit.SECONDS);
            assertEquals(3, deleted.size(), "seconds 1, 2 and 3: " + deleted);
            assertEquals(41, firstReadable(j));
            assertEquals(41, j.firstSeq());
            assertEquals(2, cycleFiles().size());
        }
    }

    @Test
    void deletesOldestFilesWhileTooBigButKeepsWhatTheSnapshotDoesNotCover() throws Exception {
        long oneFile;
        try (Journal j = ChronicleJournal.open(config(Retention.UNLIMITED))) {
            fill(j, 1);
            oneFile = j.sizeBytes();
        }
        clock.set(T0);
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Files.delete(p);
            }
        }
        try (Journal j = ChronicleJournal.open(config(new Retention(Duration.ZERO, oneFile * 2)))) {
            fill(j, 6);
            // The latest snapshot covers up to seq 20: entries from 21 (second 2) must stay.
            List<Path> deleted = j.applyRetention(21).get(10, TimeUnit.SECONDS);
            assertEquals(2, deleted.size(), deleted.toString());
            assertEquals(21, firstReadable(j));
            assertTrue(j.sizeBytes() > oneFile * 2, "still over the limit, but the rest is needed");

            deleted = j.applyRetention(j.lastSeq() + 1).get(10, TimeUnit.SECONDS);
            assertEquals(2, deleted.size(), deleted.toString());
            assertTrue(j.sizeBytes() <= oneFile * 2);
            assertEquals(41, firstReadable(j));
            j.append(new ContainerEvent.Paused(id(1))).get(10, TimeUnit.SECONDS);
            assertEquals(61, j.lastSeq());
        }
    }

    @Test
    void unlimitedRetentionDeletesNothing() throws Exception {
        try (Journal j = ChronicleJournal.open(config(Retention.UNLIMITED))) {
            fill(j, 3);
            clock.addAndGet(3600 * SECOND);
            assertEquals(List.of(), j.applyRetention(j.lastSeq() + 1).get(10, TimeUnit.SECONDS));
            assertEquals(1, firstReadable(j));
        }
    }
}
