package io.berth.events.journal;

import static io.berth.events.Fixtures.id;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.errors.EngineException;
import io.berth.errors.ErrorKind;
import io.berth.events.ContainerEvent;
import io.berth.events.Event;
import io.berth.events.EventEnvelope;
import io.berth.events.NoLeaks;
import io.berth.events.RandomHistory;
import io.berth.events.journal.internal.ChronicleJournal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@ExtendWith(NoLeaks.class)
class ChronicleJournalTest {

    @TempDir
    Path dir;

    private static List<EventEnvelope> readAll(Journal j, long from) {
        List<EventEnvelope> out = new ArrayList<>();
        j.replay(from, out::add);
        return out;
    }

    private static EventEnvelope await(CompletableFuture<EventEnvelope> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @EnumSource(SyncMode.class)
    void appendsRoundTripWithGaplessSequencesAndIncreasingTimes(SyncMode mode) throws Exception {
        List<Event> events = new RandomHistory(1, 5).events(500);
        try (Journal j = ChronicleJournal.open(JournalConfig.defaults(dir).withSyncMode(mode))) {
            List<EventEnvelope> acked = new ArrayList<>();
            for (Event e : events) {
                acked.add(await(j.append(e)));
            }
            List<EventEnvelope> read = readAll(j, 1);
            assertEquals(acked, read);
            for (int i = 0; i < read.size(); i++) {
                assertEquals(i + 1, read.get(i).seq());
                assertEquals(events.get(i), read.get(i).event());
                assertEquals(events.get(i).actorId(), read.get(i).actorId());
                if (i > 0) {
                    assertTrue(read.get(i).timeNanos() > read.get(i - 1).timeNanos());
                }
            }
            assertEquals(500, j.lastSeq());
            assertEquals(1, j.firstSeq());
        }
    }

    @Test
    void reopeningContinuesTheSequenceAndKeepsEverything() throws Exception {
        List<Event> events = new RandomHistory(2, 5).events(100);
        try (Journal j = ChronicleJournal.open(JournalConfig.defaults(dir))) {
            j.appendAll(events.subList(0, 60)).get(10, TimeUnit.SECONDS);
        }
        try (Journal j = ChronicleJournal.open(JournalConfig.defaults(dir))) {
            assertEquals(60, j.lastSeq());
            List<EventEnvelope> batch = j.appendAll(events.subList(60, 100)).get(10, TimeUnit.SECONDS);
            assertEquals(61, batch.get(0).seq());
            assertEquals(100, batch.get(39).seq());
            assertEquals(events, readAll(j, 1).stream().map(EventEnvelope::event).toList());
            assertEquals(events.subList(89, 100), readAll(j, 90).stream().map(EventEnvelope::event).toList());
        }
    }

    @Test
    void timesStayStrictlyIncreasingWhenTheClockStepsBack() throws Exception {
        AtomicLong clock = new AtomicLong(5_000_000_000L);
        try (Journal j = ChronicleJournal.open(JournalConfig.defaults(dir).withClock(clock::get))) {
            long t1 = await(j.append(new ContainerEvent.Paused(id(1)))).timeNanos();
            clock.set(1_000_000_000L);
            long t2 = await(j.append(new ContainerEvent.Paused(id(1)))).timeNanos();
            assertEquals(5_000_000_000L, t1);
            assertEquals(t1 + 1, t2);
        }
    }

    @Test
    void concurrentAppendersGetDistinctGaplessSequencesAckedInOrder() throws Exception {
        try (Journal j = ChronicleJournal.open(JournalConfig.defaults(dir).withSyncMode(SyncMode.FSYNC))) {
            ConcurrentLinkedQueue<Long> acks = new ConcurrentLinkedQueue<>();
            AtomicLong listenerSeq = new AtomicLong();
            try (AutoCloseable l = j.onAppend(listenerSeq::set)) {
                List<Thread> threads = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    int n = t;
                    threads.add(Thread.ofPlatform().start(() -> {
                        List<CompletableFuture<EventEnvelope>> fs = new ArrayList<>();
                        for (int i = 0; i < 250; i++) {
                            fs.add(j.append(new ContainerEvent.Killed(id(n), i)));
                        }
                        fs.forEach(f -> acks.add(f.join().seq()));
                    }));
                }
                for (Thread t : threads) {
                    t.join();
                }
            }
            assertEquals(1000, acks.size());
            assertEquals(1000, acks.stream().distinct().count());
            assertEquals(1000L, acks.stream().mapToLong(Long::longValue).max().orElse(0));
            assertEquals(1000L, listenerSeq.get(), "the listener saw the last durable sequence");
            List<EventEnvelope> all = readAll(j, 1);
            for (int i = 0; i < all.size(); i++) {
                assertEquals(i + 1, all.get(i).seq());
            }
        }
    }

    @Test
    void anErrorOnTheWriterFailsTheAppendsInsteadOfLeavingThemUnanswered() throws Exception {
        try (Journal j = ChronicleJournal.open(JournalConfig.defaults(dir))) {
            j.onAppend(seq -> {
                throw new AssertionError("a broken listener");
            });
            ExecutionException first = assertThrows(ExecutionException.class,
                    () -> await(j.append(new ContainerEvent.Paused(id(1)))));
            assertEquals(ErrorKind.INTERNAL, ((EngineException) first.getCause()).kind());
            ExecutionException later = assertThrows(ExecutionException.class,
                    () -> await(j.append(new ContainerEvent.Paused(id(2)))));
            assertEquals(ErrorKind.INTERNAL, ((EngineException) later.getCause()).kind(), "refused at once");
        }
    }

    @Test
    void aNamedTailerResumesAfterARestart() throws Exception {
        List<Event> events = new RandomHistory(3, 5).events(30);
        try (Journal j = ChronicleJournal.open(JournalConfig.defaults(dir))) {
            j.appendAll(events.subList(0, 20)).get(10, TimeUnit.SECONDS);
            try (JournalTailer t = j.tailer("metrics")) {
                for (int i = 1; i <= 12; i++) {
                    assertEquals(i, t.next().seq());
                }
                assertEquals(12, t.lastSeq());
            }
        }
        try (Journal j = ChronicleJournal.open(JournalConfig.defaults(dir))) {
            j.appendAll(events.subList(20, 30)).get(10, TimeUnit.SECONDS);
            try (JournalTailer t = j.tailer("metrics"); JournalTailer other = j.tailer("events")) {
                assertEquals(12, t.lastSeq());
                List<Long> seqs = new ArrayList<>();
                EventEnvelope e;
                while ((e = t.next()) != null) {
                    seqs.add(e.seq());
                }
                assertEquals(13L, seqs.get(0));
                assertEquals(30L, seqs.get(seqs.size() - 1));
                assertEquals(18, seqs.size());
                assertEquals(1, other.next().seq(), "another name starts from the beginning");
            }
        }
    }

    @Test
    void aTailerFollowsNewAppends() throws Exception {
        try (Journal j = ChronicleJournal.open(JournalConfig.defaults(dir));
             JournalTailer t = j.tailerFrom(1)) {
            assertNull(t.next());
            await(j.append(new ContainerEvent.Paused(id(1))));
            assertEquals(1, t.next().seq());
            assertNull(t.next());
            await(j.append(new ContainerEvent.Unpaused(id(1))));
            assertEquals(2, t.next().seq());
        }
    }
}
