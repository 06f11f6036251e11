package io.berth.events.journal;

import io.berth.events.Event;
import io.berth.events.EventEnvelope;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * The append-only, durable, totally ordered log of engine events: the daemon's only source of truth.
 *
 * <p>Guarantees: entries get gapless sequences from 1 in append order and strictly increasing
 * times; an append's future completes only once the entry is durable as the {@link SyncMode} says,
 * and in sequence order; a batch is contiguous. Damaged entries never stop reading: they are skipped
 * and reported ({@link #damage()}). A last file cut short on disk is repaired when the journal opens:
 * each entry lost becomes a placeholder reported as damage, every entry keeps its position, and
 * sequences go on from the last intact entry.
 *
 * <p>Appends are executed by one writer thread that owns the underlying appender, so the futures
 * complete on that thread: continue on your own executor, and never block in a continuation.
 */
public interface Journal extends AutoCloseable {

    /** Appends one event. */
    CompletableFuture<EventEnvelope> append(Event event);

    /** Appends events as one contiguous run, acknowledged together. */
    CompletableFuture<List<EventEnvelope>> appendAll(List<? extends Event> events);

    /** The sequence of the last entry written, 0 when empty. */
    long lastSeq();

    /** The sequence of the first entry still kept (after retention), 0 when empty. */
    long firstSeq();

    /**
     * Reads, in the calling thread, every entry with a sequence at least {@code fromSeq} up to the
     * current end.
     */
    ReplayResult replay(long fromSeq, Consumer<EventEnvelope> consumer);

    /** A tailer that resumes where the tailer of the same name stopped, across restarts. */
    JournalTailer tailer(String name);

    /** An anonymous tailer whose first entry is the one with sequence {@code fromSeq} (or the first kept). */
    JournalTailer tailerFrom(long fromSeq);

    /**
     * Registers a listener called on the writer thread with the last sequence after each batch is
     * durable, before the batch's appends are acknowledged. It must return quickly. Closing the
     * returned handle unregisters it.
     */
    AutoCloseable onAppend(LongConsumer listener);

    /**
     * Deletes files per the configured {@link Retention}, keeping everything from {@code keepFromSeq}
     * on (the first entry not in the latest snapshot) and whatever open tailers still need.
     *
     * @return the deleted files
     */
    CompletableFuture<List<Path>> applyRetention(long keepFromSeq);

    /** Bytes the journal's files take. */
    long sizeBytes();

    /** Damaged entries found so far by any reader, in the order found. */
    List<JournalDamage> damage();

    /** Stops accepting appends, completes those queued, and closes the files. */
    @Override
    void close();
}
