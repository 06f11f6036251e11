package io.berth.bench;

import io.berth.events.Event;
import io.berth.events.EventEnvelope;
import io.berth.events.journal.JournalConfig;
import io.berth.events.journal.SyncMode;
import io.berth.events.journal.internal.ChronicleJournal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Append cost of the Chronicle journal at each {@link SyncMode}: {@link #pipelined} measures
 * throughput (events/s) of a producer that submits {@value #BATCH} appends without waiting and then
 * waits for the last one, so the writer thread batches them and FSYNC shares one fsync per batch;
 * {@link #roundTrip} samples the latency of one {@code append(e).join()} at a time (p50/p99).
 *
 * <p>Each trial gets a fresh journal in a new temporary directory, deleted in teardown. The events
 * cycle through {@value #POOL} events of a valid random history (see the printed mean entry size).
 */
@State(Scope.Benchmark)
@Fork(2)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class AppendBenchmark {

    static final int BATCH = 1000;
    static final int POOL = 4096;

    @Param({"NONE", "PERIODIC", "FSYNC"})
    public SyncMode syncMode;

    private Path dir;
    private ChronicleJournal journal;
    private Event[] events;
    private int next;

    @Setup(Level.Trial)
    public void open() {
        List<Event> pool = BenchSupport.events(POOL, 100);
        events = pool.toArray(Event[]::new);
        System.out.printf(Locale.ROOT, "%n# event mix: %d events, mean journal entry %.1f bytes (+%d excerpt header)%n",
                POOL, BenchSupport.meanEntryBytes(pool), BenchSupport.EXCERPT_HEADER);
        dir = BenchSupport.newJournalDir();
        journal = ChronicleJournal.open(JournalConfig.defaults(dir).withSyncMode(syncMode));
    }

    @TearDown(Level.Trial)
    public void close() {
        System.out.printf(Locale.ROOT, "%n# %s: %d events appended in this trial%n", syncMode, journal.lastSeq());
        journal.close();
        BenchSupport.deleteTree(dir);
    }

    private Event nextEvent() {
        Event e = events[next];
        next = (next + 1) & (POOL - 1);
        return e;
    }

    static final int RUN = 100;

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(BATCH)
    public EventEnvelope pipelined() {
        CompletableFuture<EventEnvelope> last = null;
        for (int i = 0; i < BATCH; i++) {
            last = journal.append(nextEvent());
        }
        return last.join();
    }

    /**
     * The same 1000 events submitted as ten {@code appendAll} calls of 100: one future and one queue
     * hand-off per call instead of per event, as a producer that already has a run of events uses it.
     */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(BATCH)
    public List<EventEnvelope> pipelinedBatches() {
        CompletableFuture<List<EventEnvelope>> last = null;
        for (int b = 0; b < BATCH / RUN; b++) {
            List<Event> run = new ArrayList<>(RUN);
            for (int i = 0; i < RUN; i++) {
                run.add(nextEvent());
            }
            last = journal.appendAll(run);
        }
        return last.join();
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public EventEnvelope roundTrip() {
        return journal.append(nextEvent()).join();
    }
}
