package io.berth.daemon.engine;

import io.berth.errors.EngineException;
import io.berth.events.Event;
import io.berth.events.EventEnvelope;
import io.berth.events.journal.Journal;
import io.berth.events.snapshot.SnapshotStore;
import io.berth.events.state.EngineState;
import io.berth.events.state.StateReducer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's state and the only way to change it. Lives on one Vert.x context: every method is
 * called there.
 *
 * <p>{@link #commit} checks an event against the state all earlier submitted events lead to (so
 * the journal never holds an event the reducer would refuse), appends it, and once the journal has
 * it durable, folds it into {@link #state()} and tells the listeners. State is therefore always a
 * fold of what the journal holds. Operations on one object are serialized with {@link #exclusive}.
 */
public final class Engine {

    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
    private static final long SNAPSHOT_EVERY = 10_000;

    private final Vertx vertx;
    private final Context context;
    private final Journal journal;
    private final SnapshotStore snapshots;
    private final List<Consumer<EventEnvelope>> listeners = new CopyOnWriteArrayList<>();
    private final List<Event> inFlight = new ArrayList<>();
    private final Map<String, Future<?>> tails = new HashMap<>();
    private volatile EngineState state;
    private EngineState projected;
    private long lastSnapshotSeq;
    private boolean snapshotting;

    private Engine(Vertx vertx, Context context, Journal journal, SnapshotStore snapshots, EngineState state) {
        this.vertx = vertx;
        this.context = context;
        this.journal = journal;
        this.snapshots = snapshots;
        this.state = state;
        this.projected = state;
        this.lastSnapshotSeq = snapshots.latestSeq();
    }

    /**
     * Rebuilds the state from the latest snapshot and the journal after it. An entry the reducer
     * refuses (which the commit check prevents) is logged and skipped rather than stopping the daemon.
     */
    public static Engine recover(Vertx vertx, Context context, Journal journal, SnapshotStore snapshots) {
        long start = System.nanoTime();
        EngineState base = snapshots.loadLatest().orElse(EngineState.EMPTY);
        if (base.seq() > journal.lastSeq()) {
            LOG.warn("snapshot at {} is ahead of the journal ({}); replaying from empty", base.seq(), journal.lastSeq());
            base = EngineState.EMPTY;
        }
        EngineState[] s = {base};
        long[] skipped = {0};
        var result = journal.replay(base.seq() + 1, e -> {
            try {
                s[0] = StateReducer.apply(s[0], e);
            } catch (EngineException ex) {
                skipped[0]++;
                LOG.error("journal entry {} ({}) does not apply: {}; skipping it", e.seq(),
                        e.event().getClass().getSimpleName(), ex.getMessage());
            }
        });
        LOG.info("state recovered: snapshot at {}, {} journal entries replayed ({} skipped, {} damaged) in {} ms",
                base.seq(), result.count(), skipped[0], result.damage().size(), (System.nanoTime() - start) / 1_000_000);
        return new Engine(vertx, context, journal, snapshots, s[0]);
    }

    /** The state as of the last durable journal entry. */
    public EngineState state() {
        return state;
    }

    public Vertx vertx() {
        return vertx;
    }

    public Context context() {
        return context;
    }

    public Journal journal() {
        return journal;
    }

    /** Called on the engine's context after each event is durable and folded into the state. */
    public void onEvent(Consumer<EventEnvelope> listener) {
        listeners.add(listener);
    }

    /**
     * Checks and appends one event. Fails with the reducer's error (CONFLICT, NOT_FOUND, ...) without
     * appending when the event is illegal after everything submitted before it.
     */
    public Future<EventEnvelope> commit(Event event) {
        try {
            projected = StateReducer.apply(projected, new EventEnvelope(projected.seq() + 1, 0, event.actorId(), event));
        } catch (EngineException e) {
            return Future.failedFuture(e);
        }
        inFlight.add(event);
        Promise<EventEnvelope> done = Promise.promise();
        journal.append(event).whenComplete((env, err) -> context.runOnContext(v -> settle(event, env, err, done)));
        return done.future();
    }

    /** Commits events one after the other; stops at the first failure. */
    public Future<Void> commitAll(List<? extends Event> events) {
        Future<Void> f = Future.succeededFuture();
        for (Event e : events) {
            f = f.compose(v -> commit(e).mapEmpty());
        }
        return f;
    }

    private void settle(Event event, EventEnvelope env, Throwable err, Promise<EventEnvelope> done) {
        for (int i = 0; i < inFlight.size(); i++) {
            if (inFlight.get(i) == event) {
                inFlight.remove(i);
                break;
            }
        }
        if (err != null) {
            // Rebuild the projection from what is durable plus what is still pending.
            EngineState p = state;
            for (Event pending : inFlight) {
                try {
                    p = StateReducer.apply(p, new EventEnvelope(p.seq() + 1, 0, pending.actorId(), pending));
                } catch (EngineException ignored) {
                    // It will fail on its own when its append settles.
                }
            }
            projected = p;
            done.fail(err);
            return;
        }
        state = StateReducer.apply(state, env);
        if (inFlight.isEmpty()) {
            projected = state;
        }
        for (Consumer<EventEnvelope> l : listeners) {
            try {
                l.accept(env);
            } catch (RuntimeException e) {
                LOG.warn("event listener failed on {}", env.seq(), e);
            }
        }
        done.complete(env);
        maybeSnapshot();
    }

    private void maybeSnapshot() {
        if (snapshotting || state.seq() - lastSnapshotSeq < SNAPSHOT_EVERY) {
            return;
        }
        snapshot();
    }

    /** Writes a snapshot of the current state off the event loop, then applies journal retention. */
    public Future<Void> snapshot() {
        if (snapshotting) {
            return Future.succeededFuture();
        }
        snapshotting = true;
        EngineState s = state;
        return vertx.executeBlocking(() -> {
            snapshots.write(s);
            journal.applyRetention(s.seq() + 1).join();
            return s.seq();
        }, false).onComplete(ar -> {
            snapshotting = false;
            if (ar.succeeded()) {
                lastSnapshotSeq = ar.result();
            } else {
                LOG.warn("snapshot failed", ar.cause());
            }
        }).mapEmpty();
    }

    /**
     * Runs {@code op} after every earlier operation with the same key has finished, so that
     * operations on one container (or image) never overlap.
     */
    public <T> Future<T> exclusive(String key, Supplier<Future<T>> op) {
        Future<?> previous = tails.getOrDefault(key, Future.succeededFuture());
        Promise<T> mine = Promise.promise();
        Future<T> result = mine.future();
        tails.put(key, result);
        previous.onComplete(ignored -> {
            Future<T> f;
            try {
                f = op.get();
            } catch (Throwable t) {
                f = Future.failedFuture(t);
            }
            f.onComplete(mine);
        });
        result.onComplete(ignored -> {
            if (tails.get(key) == result) {
                tails.remove(key);
            }
        });
        return result;
    }

    /** Runs blocking work on a worker thread; the result comes back on the engine's context. */
    public <T> Future<T> blocking(Callable<T> work) {
        return vertx.executeBlocking(work, false);
    }
}
