package io.berth.events.journal;

import java.nio.file.Path;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Run in a child JVM by {@link DamagedJournalTest}: starts an entry in the journal at {@code args[0]},
 * writes part of it, and dies without finishing it, as a daemon killed mid-append would.
 */
public final class TornWriter {
    public static void main(String[] args) {
        SingleChronicleQueue q = SingleChronicleQueueBuilder.binary(Path.of(args[0]))
                .rollCycle(RollCycles.FAST_DAILY).build();
        ExcerptAppender a = q.createAppender();
        DocumentContext dc = a.writingDocument();
        dc.wire().bytes().writeLong(6);
        dc.wire().bytes().writeLong(42);
        System.out.println("torn");
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }
}
