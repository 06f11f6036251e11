package io.berth.daemon.events;

import io.berth.events.EventEnvelope;
import io.berth.events.journal.JournalTailer;
import io.berth.events.state.EngineState;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code /events} client: its tailer, its projection and the pump between the two sides.
 *
 * <p>The pump alternates between a reader thread, which reads a batch from the tailer, projects,
 * filters and encodes it, and the client's context, which writes the batch and decides what comes
 * next: another batch, nothing until the write queue drains, or nothing until the journal grows.
 * At most one step runs at a time ({@code busy}), so the tailer and the projection are only ever
 * used by one thread at a time, and a wake-up that comes while a step runs is never lost
 * ({@code dirty} is checked again after {@code busy} is cleared).
 */
final class EventSubscriber {

    private static final Logger LOG = LoggerFactory.getLogger(EventSubscriber.class);
    private static final int MAX_EVENTS = 256;
    private static final int MAX_BYTES = 64 * 1024;
    /** Entries folded without being sent (before the start, filtered out) before a reader yields. */
    private static final int MAX_SCAN = 4096;
    /**
     * How long after {@code until} the stream stays open for entries stamped before it: an append
     * takes its time when its batch starts and becomes readable microseconds later.
     */
    private static final long UNTIL_GRACE_MILLIS = 50;

    /** What one reader step produced. */
    private record Batch(Buffer data, boolean caughtUp, boolean end) {}

    private final EventStreams hub;
    private final EventStreams.Request request;
    private final Context context;
    private final WriteStream<Buffer> out;
    private final Function<DockerEvent, String> encoder;
    private final EngineState liveState;
    private final long liveAfter;
    private final AtomicBoolean busy = new AtomicBoolean(true);
    private volatile boolean dirty;
    private volatile boolean cancelled;
    private volatile boolean untilPassed;

    // Owned by the step that runs (busy).
    private JournalTailer tailer;
    private DockerEventProjection projection;
    private long afterSeq;
    private EventEnvelope held;
    private boolean released;

    // Written on the context (the timer is also cancelled by a final release; the flag is read for stats).
    private volatile boolean waitingForDrain;
    private volatile long timer = -1;

    EventSubscriber(EventStreams hub, EventStreams.Request request, Context context, WriteStream<Buffer> out,
                    Function<DockerEvent, String> encoder, EngineState liveState, long liveAfter) {
        this.hub = hub;
        this.request = request;
        this.context = context;
        this.out = out;
        this.encoder = encoder;
        this.liveState = liveState;
        this.liveAfter = liveAfter;
    }

    /** Called once by the hub, on the client's context: arms {@code until} and runs the first step. */
    void start() {
        if (request.hasUntil()) {
            long untilMillis = Math.floorDiv(request.untilNanos(), 1_000_000L);
            long delay = untilMillis + UNTIL_GRACE_MILLIS - System.currentTimeMillis();
            if (delay <= 0) {
                untilPassed = true;
            } else {
                timer = context.owner().setTimer(delay, t -> {
                    timer = -1;
                    untilPassed = true;
                    wake();
                });
            }
        }
        execute();
    }

    /** New entries may be readable (or the subscriber must stop): run a step unless one runs. */
    void wake() {
        dirty = true;
        if (busy.compareAndSet(false, true)) {
            execute();
        }
    }

    /** Whether the client stopped reading and its write queue is full. */
    boolean waitingForClient() {
        return waitingForDrain;
    }

    /** The client went away; called on its context. */
    void cancel() {
        cancelled = true;
        if (waitingForDrain) {
            // A step is parked on the drain that will never come: run it to release the tailer.
            waitingForDrain = false;
            execute();
        } else {
            wake();
        }
    }

    /** The daemon stops: end the stream without a further write. */
    void shutdown() {
        cancelled = true;
        context.runOnContext(v -> {
            try {
                out.end();
            } catch (RuntimeException e) {
                LOG.debug("ending an events stream at shutdown", e);
            }
        });
        wake();
    }

    private void execute() {
        try {
            hub.readers().execute(this::step);
        } catch (RejectedExecutionException e) {
            // The daemon is stopping; the hub releases what is left.
        }
    }

    /** One reader step, on a reader thread. */
    private void step() {
        dirty = false;
        if (cancelled) {
            release();
            return;
        }
        Batch b;
        try {
            if (tailer == null) {
                open();
            }
            b = read();
        } catch (RuntimeException e) {
            LOG.warn("events stream failed: {}", e.toString());
            cancelled = true;
            release();
            context.runOnContext(v -> end());
            return;
        }
        if (b.data().length() == 0 && !b.end()) {
            if (b.caughtUp()) {
                idle();
            } else {
                execute();
            }
            return;
        }
        context.runOnContext(v -> deliver(b));
    }

    private void open() {
        long after;
        if (request.afterSeq() >= 0) {
            after = request.afterSeq();
            if (request.hasSince()) {
                after = Math.max(after, hub.lastSeqAtOrBefore(request.sinceNanos()));
            }
        } else if (request.hasSince()) {
            after = hub.lastSeqAtOrBefore(request.sinceNanos());
        } else if (request.hasUntil()) {
            // Like dockerd: an until without since starts from the oldest event kept.
            after = 0;
        } else {
            after = liveAfter;
        }
        EventStreams.Seeded seeded = hub.seed(after, liveState);
        afterSeq = after;
        projection = seeded.projection();
        tailer = seeded.tailer();
    }

    private Batch read() {
        Buffer data = Buffer.buffer();
        int events = 0;
        int scanned = 0;
        long durable = hub.durableSeq();
        while (events < MAX_EVENTS && data.length() < MAX_BYTES && scanned < MAX_SCAN) {
            EventEnvelope e = held != null ? held : tailer.next();
            held = null;
            if (e == null) {
                return new Batch(data, true, untilPassed || hub.closing());
            }
            if (e.seq() > durable && e.seq() > (durable = hub.durableSeq())) {
                // Written but not yet acknowledged: the journal wakes us once it is. (Checked against
                // a fresh reading: the one from the start of the batch may be older than the entry.)
                held = e;
                return new Batch(data, true, false);
            }
            DockerEvent d = projection.apply(e);
            if (e.seq() <= afterSeq) {
                scanned++;
                continue;
            }
            if (e.timeNanos() > request.untilNanos()) {
                return new Batch(data, true, true);
            }
            if (d == null || e.timeNanos() <= request.sinceNanos() || !request.filter().matches(d)) {
                scanned++;
                continue;
            }
            data.appendBytes(hub.encode(d, encoder));
            events++;
        }
        return new Batch(data, false, false);
    }

    /** On the client's context: write what was read and decide what comes next. */
    private void deliver(Batch b) {
        if (cancelled) {
            execute();
            return;
        }
        try {
            if (b.data().length() > 0) {
                out.write(b.data());
            }
        } catch (RuntimeException e) {
            LOG.debug("writing to an events client failed: {}", e.toString());
            cancelled = true;
            execute();
            return;
        }
        if (b.end()) {
            cancelled = true;
            end();
            execute();
            return;
        }
        if (out.writeQueueFull()) {
            waitingForDrain = true;
            out.drainHandler(v -> {
                if (waitingForDrain) {
                    waitingForDrain = false;
                    execute();
                }
            });
            return;
        }
        if (b.caughtUp()) {
            idle();
        } else {
            execute();
        }
    }

    private void end() {
        if (timer >= 0) {
            context.owner().cancelTimer(timer);
            timer = -1;
        }
        try {
            out.end();
        } catch (RuntimeException e) {
            LOG.debug("ending an events stream", e);
        }
    }

    /** Nothing to read: let the next wake-up run a step, unless one came meanwhile. */
    private void idle() {
        busy.set(false);
        if ((dirty || cancelled) && busy.compareAndSet(false, true)) {
            execute();
        }
    }

    /** Closes the tailer and forgets the subscriber; by the running step, or by the hub once readers stopped. */
    void release() {
        if (released) {
            return;
        }
        released = true;
        if (tailer != null) {
            tailer.close();
            tailer = null;
        }
        projection = null;
        hub.removed(this);
        if (timer >= 0) {
            context.owner().cancelTimer(timer);
        }
    }
}
