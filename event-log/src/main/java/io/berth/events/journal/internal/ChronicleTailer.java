package io.berth.events.journal.internal;

import io.berth.events.EventEnvelope;
import io.berth.events.codec.StringCache;
import io.berth.events.journal.JournalDamage;
import io.berth.events.journal.JournalTailer;
import java.util.ArrayList;
import java.util.List;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;

/** A {@link JournalTailer} over a Chronicle tailer; skips and reports damaged entries. */
final class ChronicleTailer implements JournalTailer {

    private final ChronicleJournal journal;
    private final ExcerptTailer tailer;
    private final String name;
    private EntryFormat format = new EntryFormat();
    private final List<JournalDamage> damageSeen = new ArrayList<>();
    private long lastSeq;
    private volatile int cycle;
    private boolean closed;

    ChronicleTailer(ChronicleJournal journal, ExcerptTailer tailer, String name, long resumedAfter) {
        this.journal = journal;
        this.tailer = tailer;
        this.name = name;
        this.lastSeq = resumedAfter;
        long index = tailer.index();
        this.cycle = index == 0 ? journal.currentCycle() : journal.rollCycle().toCycle(index);
    }

    /**
     * Hands out the same string instance for repeated ids and names. For a replay: the reducer then
     * finds them in its maps by identity; a long-lived tailer would only keep the cache's memory.
     */
    void reuseStrings() {
        format = new EntryFormat(new StringCache());
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public EventEnvelope next() {
        if (closed) {
            throw new IllegalStateException("tailer is closed");
        }
        while (true) {
            try (DocumentContext dc = tailer.readingDocument()) {
                if (!dc.isPresent()) {
                    return null;
                }
                if (dc.isMetaData()) {
                    continue;
                }
                long index = dc.index();
                cycle = journal.rollCycle().toCycle(index);
                EntryFormat.Decoded d = format.decode(dc.wire().bytes());
                if (d.entry() == null) {
                    report(index, d.damage());
                    continue;
                }
                long seq = d.entry().seq();
                if (seq <= lastSeq) {
                    report(index, "sequence " + seq + " out of order after " + lastSeq);
                    continue;
                }
                lastSeq = seq;
                return d.entry();
            }
        }
    }

    private void report(long index, String reason) {
        JournalDamage d = new JournalDamage(index, journal.rollCycle().toCycle(index), lastSeq, reason);
        damageSeen.add(d);
        journal.recordDamage(index, lastSeq, reason);
    }

    List<JournalDamage> damageSeen() {
        return List.copyOf(damageSeen);
    }

    /** The cycle of the entry this tailer will read next (approximately: the last one it read). */
    int cycle() {
        return cycle;
    }

    @Override
    public long lastSeq() {
        return lastSeq;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            journal.tailerClosed(this);
            tailer.close();
        }
    }
}
