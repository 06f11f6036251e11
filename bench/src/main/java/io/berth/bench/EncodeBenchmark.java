package io.berth.bench;

import io.berth.events.Event;
import io.berth.events.codec.EventCodec;
import io.berth.events.codec.Utf8;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.openhft.chronicle.bytes.Bytes;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The writer thread's share of an append that is not Chronicle's: encoding one event (actor,
 * versioned name, payload) into a heap buffer, as the journal does before it copies the entry into
 * its excerpt. The events are {@link AppendBenchmark}'s mix.
 */
@State(Scope.Thread)
@Fork(2)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class EncodeBenchmark {

    private final Bytes<byte[]> out = Bytes.allocateElasticOnHeap(512);
    private Event[] events;
    private int next;

    @Setup(Level.Trial)
    public void events() {
        List<Event> pool = BenchSupport.events(AppendBenchmark.POOL, 100);
        events = pool.toArray(Event[]::new);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public long encode() {
        Event e = events[next];
        next = (next + 1) & (AppendBenchmark.POOL - 1);
        out.clear();
        Utf8.write(out, e.actorId());
        EventCodec.write(e, out);
        return out.writePosition();
    }
}
