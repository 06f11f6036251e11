package io.berth.bench;

import io.berth.scripting.PolicyChange;
import io.berth.scripting.PolicyEngine;
import io.berth.scripting.PolicyEngine.Hook;
import io.berth.scripting.PolicyEngine.Input;
import io.berth.scripting.PolicyEngine.Outcome;
import io.berth.scripting.PolicyEngine.Transition;
import io.berth.scripting.PolicyLimits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of one policy decision with warm contexts, as the daemon pays it: {@code evaluate()} from the
 * caller's thread, the hand-off to an evaluation thread, the watchdog, the input proxies and the
 * result's validation (p50/p99 from sampling).
 *
 * <p>{@link #flapping} and {@link #backoffJitter} run the shipped policies (read from
 * {@code scripting/policies}, or {@code -Dberth.policies=DIR}) over an exit with a 20-entry history;
 * {@link #hookNotDefined} is the path that runs no script (oom-grow has no onExit), i.e. the cost
 * of everything but the hand-off and the script.
 */
@State(Scope.Benchmark)
@Fork(2)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PolicyBenchmark {

    private PolicyEngine engine;
    private Input input;

    @Setup(Level.Trial)
    public void open() {
        engine = PolicyEngine.create(PolicyLimits.DEFAULT);
        Path dir = Path.of(System.getProperty("berth.policies", "scripting/policies"));
        for (String name : new String[] {"flapping", "backoff-jitter", "oom-grow"}) {
            Path file = dir.resolve(name + ".js");
            try {
                PolicyChange c = engine.load(name, file.toString(), Files.readString(file));
                if (!(c instanceof PolicyChange.Loaded)) {
                    throw new IllegalStateException(c.toString());
                }
            } catch (IOException e) {
                throw new UncheckedIOException("run from the repository root or set -Dberth.policies", e);
            }
        }
        long t0 = 1_795_000_000_000L;
        List<Transition> history = new ArrayList<>();
        for (int i = 10; i > 0; i--) {
            history.add(new Transition("start", t0 - i * 7_000 - 3_000, null));
            history.add(new Transition("die", t0 - i * 7_000, 1));
        }
        input = new Input("4f1c2a9e0b7d", "web-1", "registry.local/web:1.4", Map.of("berth.policy", "flapping",
                "tier", "web"), 1, false, 10, t0 - 3_000, t0, 256L << 20, history);
    }

    @TearDown(Level.Trial)
    public void close() {
        engine.close();
    }

    @Benchmark
    public Outcome flapping() {
        return check(engine.evaluate("flapping", Hook.ON_EXIT, input));
    }

    @Benchmark
    public Outcome backoffJitter() {
        return check(engine.evaluate("backoff-jitter", Hook.ON_EXIT, input));
    }

    @Benchmark
    public Outcome hookNotDefined() {
        return check(engine.evaluate("oom-grow", Hook.ON_EXIT, input));
    }

    private static Outcome check(Outcome o) {
        if (o.failed()) {
            throw new IllegalStateException(o.failure());
        }
        return o;
    }
}
