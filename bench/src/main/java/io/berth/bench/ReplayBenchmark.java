package io.berth.bench;

import io.berth.events.EventEnvelope;
import io.berth.events.RandomHistory;
import io.berth.events.journal.JournalConfig;
import io.berth.events.journal.ReplayResult;
import io.berth.events.journal.internal.ChronicleJournal;
import io.berth.events.state.EngineState;
import io.berth.events.state.StateReducer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * Replay throughput (events/s) over a journal of {@value #EVENTS} events of a valid random history,
 * written once per trial: {@link #replayIntoReducer} is a daemon start-up (replay from seq 1 folded
 * into {@link StateReducer}); {@link #replayOnly} is the journal's share (read, CRC, decode); and
 * {@link #reducerOnly} folds the same history from an in-memory list, the reducer's share.
 */
@State(Scope.Benchmark)
@Fork(value = 2, jvmArgsAppend = {"-Xms3g", "-Xmx3g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ReplayBenchmark {

    static final int EVENTS = 1_000_000;
    private static final int CHUNK = 10_000;

    @Param("1000")
    public int maxContainers;

    private Path dir;
    private ChronicleJournal journal;
    private List<EventEnvelope> history;

    @Setup(Level.Trial)
    public void write() {
        RandomHistory gen = new RandomHistory(BenchSupport.SEED, maxContainers);
        history = new ArrayList<>(EVENTS);
        dir = BenchSupport.newJournalDir();
        journal = ChronicleJournal.open(JournalConfig.defaults(dir));
        for (int written = 0; written < EVENTS; written += CHUNK) {
            List<EventEnvelope> chunk = gen.envelopes(CHUNK);
            history.addAll(chunk);
            journal.appendAll(chunk.stream().map(EventEnvelope::event).toList()).join();
        }
        EngineState expected = gen.state();
        System.out.printf(Locale.ROOT, "%n# history: %d events, mean journal entry %.1f bytes (+%d excerpt header),"
                        + " final state %d containers, %d images, %d execs%n", journal.lastSeq(),
                BenchSupport.meanEnvelopeEntryBytes(history), BenchSupport.EXCERPT_HEADER,
                expected.containers().size(), expected.images().size(), expected.execs().size());
    }

    @TearDown(Level.Trial)
    public void close() {
        journal.close();
        BenchSupport.deleteTree(dir);
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public EngineState replayIntoReducer() {
        EngineState[] state = {EngineState.EMPTY};
        ReplayResult r = journal.replay(1, env -> state[0] = StateReducer.apply(state[0], env));
        check(r.count());
        return state[0];
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public long replayOnly(Blackhole bh) {
        ReplayResult r = journal.replay(1, bh::consume);
        check(r.count());
        return r.lastSeq();
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public EngineState reducerOnly() {
        return StateReducer.applyAll(EngineState.EMPTY, history);
    }

    private static void check(long count) {
        if (count != EVENTS) {
            throw new IllegalStateException("replayed " + count + " events, expected " + EVENTS);
        }
    }
}
