package io.berth.scripting;

import java.time.Duration;

/**
 * The bounds on each script run.
 *
 * @param callTimeout      wall-clock time one hook call may take; the watchdog cancels it after
 * @param loadTimeout      wall-clock time a policy's top level may take when a context is set up,
 *                         and the first call of each hook of a version (which parses the function
 *                         and sets up what it uses: 4-15 ms once the engine is warm)
 * @param statementLimit   guest statements one call (or one top-level run) may execute
 * @param callAllocation   bytes one call may allocate (counted on its thread, checked every tick)
 * @param contextAllocation bytes a context may allocate over its calls before it is replaced by a
 *                         fresh one, which bounds what a script can keep in its globals
 * @param maxDelayMs       a restart delay above this is capped to it
 * @param threads          evaluation threads, and so contexts per policy
 */
public record PolicyLimits(Duration callTimeout, Duration loadTimeout, long statementLimit, long callAllocation,
                           long contextAllocation, long maxDelayMs, int threads) {

    /** 50 ms per call, 1 s per top level, 1M statements, 32 MiB per call, 256 MiB per context, 24 h delay, 2 threads. */
    public static final PolicyLimits DEFAULT = new PolicyLimits(Duration.ofMillis(50), Duration.ofSeconds(1),
            1_000_000, 32L << 20, 256L << 20, Duration.ofHours(24).toMillis(), 2);

    public PolicyLimits {
        if (callTimeout.toMillis() < 1 || loadTimeout.toMillis() < 1 || statementLimit < 1 || callAllocation < 1
                || contextAllocation < callAllocation || maxDelayMs < 0 || threads < 1) {
            throw new IllegalArgumentException("policy limits must be positive, with contextAllocation >= callAllocation");
        }
    }

    public PolicyLimits withCallTimeout(Duration timeout) {
        return new PolicyLimits(timeout, loadTimeout, statementLimit, callAllocation, contextAllocation, maxDelayMs,
                threads);
    }

    public PolicyLimits withStatementLimit(long limit) {
        return new PolicyLimits(callTimeout, loadTimeout, limit, callAllocation, contextAllocation, maxDelayMs, threads);
    }

    public PolicyLimits withCallAllocation(long bytes) {
        return new PolicyLimits(callTimeout, loadTimeout, statementLimit, bytes, Math.max(bytes, contextAllocation),
                maxDelayMs, threads);
    }

    public PolicyLimits withThreads(int n) {
        return new PolicyLimits(callTimeout, loadTimeout, statementLimit, callAllocation, contextAllocation, maxDelayMs,
                n);
    }
}
