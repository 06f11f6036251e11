package io.berth.exporters;

import io.berth.events.Event;
import io.berth.events.EventEnvelope;
import io.berth.events.journal.Journal;
import io.berth.events.journal.JournalDamage;
import io.berth.events.journal.JournalTailer;
import io.berth.events.journal.ReplayResult;
import io.micrometer.core.instrument.Timer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/** A journal that times each append from the call until it is durable; everything else passes through. */
final class TimedJournal implements Journal {

    private final Journal journal;
    private final Timer appends;

    TimedJournal(Journal journal, Timer appends) {
        this.journal = journal;
        this.appends = appends;
    }

    @Override
    public CompletableFuture<EventEnvelope> append(Event event) {
        long t0 = System.nanoTime();
        return journal.append(event).whenComplete((e, err) -> record(t0));
    }

    @Override
    public CompletableFuture<List<EventEnvelope>> appendAll(List<? extends Event> events) {
        long t0 = System.nanoTime();
        return journal.appendAll(events).whenComplete((e, err) -> record(t0));
    }

    private void record(long t0) {
        appends.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
    }

    @Override
    public long lastSeq() {
        return journal.lastSeq();
    }

    @Override
    public long firstSeq() {
        return journal.firstSeq();
    }

    @Override
    public ReplayResult replay(long fromSeq, Consumer<EventEnvelope> consumer) {
        return journal.replay(fromSeq, consumer);
    }

    @Override
    public JournalTailer tailer(String name) {
        return journal.tailer(name);
    }

    @Override
    public JournalTailer tailerFrom(long fromSeq) {
        return journal.tailerFrom(fromSeq);
    }

    @Override
    public AutoCloseable onAppend(LongConsumer listener) {
        return journal.onAppend(listener);
    }

    @Override
    public CompletableFuture<List<Path>> applyRetention(long keepFromSeq) {
        return journal.applyRetention(keepFromSeq);
    }

    @Override
    public long sizeBytes() {
        return journal.sizeBytes();
    }

    @Override
    public List<JournalDamage> damage() {
        return journal.damage();
    }

    @Override
    public void close() {
        journal.close();
    }
}
