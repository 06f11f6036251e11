package io.berth.daemon.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import io.berth.events.ContainerEvent;
import io.berth.events.ContainerSpec;
import io.berth.events.Event;
import io.berth.events.EventEnvelope;
import io.berth.events.journal.Journal;
import io.berth.events.journal.JournalConfig;
import io.berth.events.journal.internal.ChronicleJournal;
import io.berth.events.snapshot.SnapshotStore;
import io.berth.events.state.EngineState;
import io.berth.events.state.StateReducer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Subscribers on a real journal: where they start, what they skip, how they wait and let go. */
class EventStreamsTest {

    private static final String C = "c".repeat(64);
    /** Journal times start well in the past, so that an until among them has passed on the wall clock. */
    private static final long T0 = (System.currentTimeMillis() - 86_400_000L) * 1_000_000L;

    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong(T0);
    private Journal journal;
    private SnapshotStore snapshots;
    private volatile EngineState state = EngineState.EMPTY;
    private Vertx vertx;
    private Context context;
    private EventStreams streams;

    @BeforeEach
    void open() {
        journal = ChronicleJournal.open(JournalConfig.defaults(dir.resolve("journal")).withClock(clock::get));
        snapshots = new SnapshotStore(dir.resolve("snapshots"), 2);
        vertx = Vertx.vertx();
        context = vertx.getOrCreateContext();
        streams = new EventStreams(journal, snapshots, () -> state, "host1", 2);
    }

    @AfterEach
    void close() {
        streams.close();
        journal.close();
        vertx.close().await();
    }

    /** Appends each event one second after the previous one and folds it, as the engine does. */
    private List<EventEnvelope> append(Event... events) throws Exception {
        List<EventEnvelope> out = new ArrayList<>();
        for (Event e : events) {
            clock.addAndGet(1_000_000_000L);
            EventEnvelope env = journal.append(e).get(10, TimeUnit.SECONDS);
            state = StateReducer.apply(state, env);
            out.add(env);
        }
        return out;
    }

    private List<EventEnvelope> renames(int from, int to) throws Exception {
        List<EventEnvelope> out = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            out.addAll(append(new ContainerEvent.Renamed(C, "n" + (i - 1), "n" + i)));
        }
        return out;
    }

    private Sink subscribe(long since, long until, long afterSeq, EventFilter filter) throws Exception {
        Sink sink = new Sink();
        CompletableFuture<EventStreams.Subscription> sub = new CompletableFuture<>();
        context.runOnContext(v -> sub.complete(streams.subscribe(new EventStreams.Request(since, until, afterSeq, filter),
                context, sink, e -> e.action() + " " + e.attribute("name"))));
        sink.subscription = sub.get(10, TimeUnit.SECONDS);
        return sink;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    @Test
    void sinceFindsTheFirstEntryAfterItAndTheFoldKnowsWhatCameBefore() throws Exception {
        append(new ContainerEvent.Created(C, "n0", DockerEventProjectionTest.spec("busybox", Map.of("app", "a"))));
        List<EventEnvelope> r = renames(1, 50);
        long since = r.get(19).timeNanos();
        assertEquals(r.get(19).seq(), streams.lastSeqAtOrBefore(since));
        assertEquals(r.get(19).seq(), streams.lastSeqAtOrBefore(since + 999_999_999L));
        assertEquals(r.get(18).seq(), streams.lastSeqAtOrBefore(since - 1));
        assertEquals(0, streams.lastSeqAtOrBefore(T0));
        assertEquals(r.get(49).seq(), streams.lastSeqAtOrBefore(Long.MAX_VALUE));

        Sink sink = subscribe(since, r.get(29).timeNanos(), -1, EventFilter.ALL);
        await(() -> sink.ended, "the end of the window");
        List<String> expected = new ArrayList<>();
        for (int i = 21; i <= 30; i++) {
            expected.add("rename n" + i);
        }
        assertEquals(expected, sink.lines(), "strictly after since, up to until, with the names of the time");
        await(() -> streams.subscribers() == 0, "the tailer to be released");
    }

    @Test
    void resumingAfterASequenceOrFromASnapshot() throws Exception {
        append(new ContainerEvent.Created(C, "n0", DockerEventProjectionTest.spec("busybox", Map.of())));
        renames(1, 10);
        snapshots.write(state);
        List<EventEnvelope> r = renames(11, 20);
        Sink sink = subscribe(EventTimes.NO_SINCE, r.get(9).timeNanos(), r.get(4).seq(), EventFilter.ALL);
        await(() -> sink.ended, "the end of the window");
        assertEquals(List.of("rename n16", "rename n17", "rename n18", "rename n19", "rename n20"), sink.lines());
    }

    @Test
    void aLiveSubscriberGetsWhatComesAfterItSubscribedAndFilters() throws Exception {
        append(new ContainerEvent.Created(C, "n0", DockerEventProjectionTest.spec("busybox", Map.of())));
        renames(1, 3);
        Sink sink = subscribe(EventTimes.NO_SINCE, EventTimes.NO_UNTIL, -1,
                EventFilter.of(Map.of("event", Set.of("rename", "destroy"))));
        append(new ContainerEvent.Attached(C), new ContainerEvent.Updated(C, ContainerSpec.Resources.NONE,
                ContainerSpec.RestartPolicy.NO));
        renames(4, 5);
        await(() -> sink.lines().size() == 2, "two renames");
        assertEquals(List.of("rename n4", "rename n5"), sink.lines());
        context.runOnContext(v -> sink.subscription.cancel());
        await(() -> streams.subscribers() == 0, "the tailer to be released");
    }

    @Test
    void aClientThatStopsReadingHoldsItsPlaceWithoutHoldingUpAnything() throws Exception {
        append(new ContainerEvent.Created(C, "n0", DockerEventProjectionTest.spec("busybox", Map.of())));
        Sink stalled = subscribe(EventTimes.NO_SINCE, EventTimes.NO_UNTIL, -1, EventFilter.ALL);
        Sink reader = subscribe(EventTimes.NO_SINCE, EventTimes.NO_UNTIL, -1, EventFilter.ALL);
        stalled.full = true;
        long start = System.nanoTime();
        renames(1, 3000);
        long appendMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        await(() -> reader.lines().size() == 3000, "the reading client to get everything");
        await(() -> streams.waitingForClients() == 1, "the stalled client's reader to wait");
        assertTrue(stalled.lines().size() < 3000, "the stalled client got " + stalled.lines().size());
        assertTrue(appendMillis < 30_000, "appends took " + appendMillis + " ms");

        stalled.full = false;
        context.runOnContext(v -> stalled.drain());
        await(() -> stalled.lines().size() == 3000, "the stalled client to catch up");
        assertEquals(reader.lines(), stalled.lines());
        assertEquals(0, streams.waitingForClients());
    }

    @Test
    void closingEndsStreamsOnceTheyDeliveredWhatIsJournaled() throws Exception {
        append(new ContainerEvent.Created(C, "n0", DockerEventProjectionTest.spec("busybox", Map.of())));
        Sink sink = subscribe(EventTimes.NO_SINCE, EventTimes.NO_UNTIL, -1, EventFilter.ALL);
        renames(1, 100);
        streams.close();
        assertTrue(sink.ended);
        assertEquals(100, sink.lines().size());
        assertEquals(0, streams.subscribers());
    }

    /** A client's write stream: records lines, can pretend to be full. */
    private static final class Sink implements WriteStream<Buffer> {
        final List<String> lines = new CopyOnWriteArrayList<>();
        volatile boolean full;
        volatile boolean ended;
        volatile EventStreams.Subscription subscription;
        private Handler<Void> drain;

        List<String> lines() {
            return List.copyOf(lines);
        }

        void drain() {
            Handler<Void> h = drain;
            drain = null;
            if (h != null) {
                h.handle(null);
            }
        }

        @Override
        public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
            return this;
        }

        @Override
        public Future<Void> write(Buffer data) {
            for (String l : data.toString().split("\n")) {
                if (!l.isEmpty()) {
                    lines.add(l);
                }
            }
            return Future.succeededFuture();
        }

        @Override
        public Future<Void> end() {
            ended = true;
            return Future.succeededFuture();
        }

        @Override
        public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
            return this;
        }

        @Override
        public boolean writeQueueFull() {
            return full;
        }

        @Override
        public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
            drain = handler;
            return this;
        }
    }
}
