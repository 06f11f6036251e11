package io.berth.daemon.events;

import io.berth.events.EventEnvelope;
import io.berth.events.journal.Journal;
import io.berth.events.journal.JournalTailer;
import io.berth.events.snapshot.SnapshotStore;
import io.berth.events.state.EngineState;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code docker events} served from the journal: every subscriber reads through its own journal
 * tailer on a small pool of reader threads, woken by the journal after each durable batch, and
 * writes to its client on the client's Vert.x context only while the client's write queue has room.
 * A slow or stalled client therefore only lags: it holds its tailer (and the journal files from its
 * position on) but no thread, and neither the engine, the event loop nor other subscribers wait for
 * it.
 *
 * <p>Readers deliver only entries the journal has acknowledged as durable, so a client never sees
 * an event that a crash could take back.
 */
public final class EventStreams implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EventStreams.class);
    private static final int ENCODED_SLOTS = 1024;

    /** How long a stopping daemon waits for clients to receive what is journaled. */
    private static final long CLOSE_WAIT_MILLIS = 2000;

    /**
     * What a client asked for.
     *
     * @param sinceNanos events strictly after this time, or {@link EventTimes#NO_SINCE}
     * @param untilNanos events up to this time, then the stream ends; {@link EventTimes#NO_UNTIL} for none
     * @param afterSeq   events strictly after this journal sequence, or -1
     * @param filter     which events
     */
    public record Request(long sinceNanos, long untilNanos, long afterSeq, EventFilter filter) {

        public boolean hasSince() {
            return sinceNanos != EventTimes.NO_SINCE;
        }

        public boolean hasUntil() {
            return untilNanos != EventTimes.NO_UNTIL;
        }
    }

    /** A running subscription; cancelling it (the client went away) releases its tailer. */
    public interface Subscription {
        void cancel();
    }

    private final Journal journal;
    private final SnapshotStore snapshots;
    private final Supplier<EngineState> state;
    private final String hostname;
    private final ExecutorService readers;
    private final List<EventSubscriber> subscribers = new CopyOnWriteArrayList<>();
    private final AutoCloseable listener;
    private volatile long durableSeq;
    private volatile boolean closing;
    /** The latest encodings by sequence: subscribers at the same place share one (see {@link #encode}). */
    private final AtomicReferenceArray<Encoded> encoded = new AtomicReferenceArray<>(ENCODED_SLOTS);

    /**
     * @param state    the engine's state, which seeds each subscriber's projection
     * @param hostname the daemon events' {@code name} attribute, as dockerd sets it
     * @param threads  reader threads shared by all subscribers
     */
    public EventStreams(Journal journal, SnapshotStore snapshots, Supplier<EngineState> state, String hostname,
                        int threads) {
        this.journal = journal;
        this.snapshots = snapshots;
        this.state = state;
        this.hostname = hostname;
        AtomicInteger n = new AtomicInteger();
        this.readers = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "berth-events-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.durableSeq = journal.lastSeq();
        this.listener = journal.onAppend(this::appended);
    }

    /** Called on the journal's writer thread: record the new end and wake every reader, nothing more. */
    private void appended(long seq) {
        if (seq > durableSeq) {
            durableSeq = seq;
        }
        for (EventSubscriber s : subscribers) {
            s.wake();
        }
    }

    /**
     * Starts streaming to {@code out}, whose head is written: events as {@code encoder} renders them,
     * one per line, written on {@code context}. The stream ends when {@code until} passes; otherwise
     * the caller cancels the subscription when the client goes away.
     */
    public Subscription subscribe(Request request, Context context, WriteStream<Buffer> out,
                                  Function<DockerEvent, String> encoder) {
        // Fixed now, on the caller's thread: an event acknowledged after this call returns is delivered.
        EngineState seed = state.get();
        long liveAfter = Math.max(durableSeq, seed.seq());
        EventSubscriber s = new EventSubscriber(this, request, context, out, encoder, seed, liveAfter);
        subscribers.add(s);
        s.start();
        return s::cancel;
    }

    /** Clients streaming events now: {@code NEventsListener} in {@code docker info}. */
    public int subscribers() {
        return subscribers.size();
    }

    /** Subscribers whose client stopped reading: they hold their position and wait. */
    public int waitingForClients() {
        int n = 0;
        for (EventSubscriber s : subscribers) {
            if (s.waitingForClient()) {
                n++;
            }
        }
        return n;
    }

    private record Encoded(DockerEvent event, Function<DockerEvent, String> encoder, byte[] line) {}

    /**
     * The event as {@code encoder} renders it, with its newline. Live subscribers read the same
     * entries at about the same time and their projections agree, so the rendering is shared: the
     * first one encodes, the others reuse it when their event is equal.
     */
    byte[] encode(DockerEvent e, Function<DockerEvent, String> encoder) {
        int slot = (int) (e.seq() & (ENCODED_SLOTS - 1));
        Encoded cached = encoded.get(slot);
        if (cached != null && cached.encoder() == encoder && cached.event().equals(e)) {
            return cached.line();
        }
        byte[] line = (encoder.apply(e) + "\n").getBytes(StandardCharsets.UTF_8);
        encoded.set(slot, new Encoded(e, encoder, line));
        return line;
    }

    long durableSeq() {
        return durableSeq;
    }

    Journal journal() {
        return journal;
    }

    String hostname() {
        return hostname;
    }

    ExecutorService readers() {
        return readers;
    }

    void removed(EventSubscriber s) {
        subscribers.remove(s);
    }

    /**
     * The projection as of {@code afterSeq} and a tailer whose next entry follows the state it was
     * seeded from: the caller folds the entries up to {@code afterSeq} without emitting them.
     *
     * @param live the engine's state when the client subscribed, at or before {@code afterSeq} for a
     *             live subscription
     */
    Seeded seed(long afterSeq, EngineState live) {
        EngineState base;
        DockerEventProjection projection;
        if (live.seq() <= afterSeq) {
            base = live;
            projection = DockerEventProjection.from(live, hostname);
        } else {
            long first = journal.firstSeq();
            base = snapshots.loadAtOrBefore(afterSeq).filter(s -> s.seq() + 1 >= first).orElse(null);
            if (base != null) {
                projection = DockerEventProjection.from(base, hostname);
            } else if (first <= 1) {
                base = EngineState.EMPTY;
                projection = new DockerEventProjection(hostname);
            } else {
                // Retention dropped the start of the history and no snapshot is old enough: the
                // engine's present state is the best knowledge of containers created before it.
                projection = DockerEventProjection.from(live, hostname);
                base = EngineState.EMPTY;
            }
        }
        return new Seeded(projection, journal.tailerFrom(base.seq() + 1));
    }

    record Seeded(DockerEventProjection projection, JournalTailer tailer) {}

    /**
     * The sequence of the last entry at or before {@code timeNanos} (0 if none): journal times
     * strictly increase, so a binary search over sequences finds it in a few reads.
     */
    long lastSeqAtOrBefore(long timeNanos) {
        long lo = journal.firstSeq();
        long last = durableSeq;
        if (lo <= 0 || last <= 0) {
            return 0;
        }
        long hi = last + 1;
        while (lo < hi) {
            long mid = lo + (hi - lo) / 2;
            EventEnvelope e;
            try (JournalTailer t = journal.tailerFrom(mid)) {
                e = t.next();
            }
            if (e == null || e.seq() > last || e.timeNanos() > timeNanos) {
                hi = mid;
            } else {
                lo = e.seq() + 1;
            }
        }
        return lo - 1;
    }

    /** True once the daemon stops: readers end their streams when they have caught up. */
    boolean closing() {
        return closing;
    }

    /**
     * Ends every stream, each once it has delivered what the journal holds (a stalled client after a
     * short wait), and stops the readers. Called after the last append, before the journal closes.
     */
    @Override
    public void close() {
        closing = true;
        for (EventSubscriber s : subscribers) {
            s.wake();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_WAIT_MILLIS);
        try {
            while (!subscribers.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            listener.close();
        } catch (Exception e) {
            LOG.debug("unregistering the journal listener", e);
        }
        for (EventSubscriber s : subscribers) {
            s.shutdown();
        }
        readers.shutdown();
        try {
            if (!readers.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("event readers did not stop in time");
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        // No reader runs any more: what is still open (a client that stopped reading) closes here.
        for (EventSubscriber s : subscribers) {
            s.release();
        }
    }
}
