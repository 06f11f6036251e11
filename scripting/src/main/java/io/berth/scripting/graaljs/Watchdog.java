package io.berth.scripting.graaljs;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.graalvm.polyglot.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cancels script runs that overrun their wall-clock time or their allocation budget.
 *
 * <p>One thread watches every {@link Run}: it parks while none is under way and otherwise wakes
 * every {@link #TICK} to check each. A run that overruns is marked tripped, then its context is
 * closed with cancellation on a short-lived thread of its own (closing waits for the script to reach
 * a safepoint, and the watchdog must not wait with it). The script's thread then gets a cancelled
 * {@code PolyglotException}, and the context is never used again.
 *
 * <p>Allocation is the JVM's count of bytes allocated by the running thread, so it includes what
 * the engine allocates for the script; the check lags by up to a tick, and a single allocation is
 * only seen once it is done.
 */
final class Watchdog implements AutoCloseable {

    static final Duration TICK = Duration.ofMillis(2);

    private static final Logger log = LoggerFactory.getLogger(Watchdog.class);
    private static final String DONE = "";

    private final Set<Run> runs = ConcurrentHashMap.newKeySet();
    private final com.sun.management.ThreadMXBean threads;
    private final Thread thread;
    private volatile boolean parked;
    private volatile boolean closed;

    Watchdog() {
        com.sun.management.ThreadMXBean mx = null;
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
                && t.isThreadAllocatedMemorySupported()) {
            if (!t.isThreadAllocatedMemoryEnabled()) {
                t.setThreadAllocatedMemoryEnabled(true);
            }
            mx = t;
        } else {
            log.warn("this JVM does not count allocated bytes per thread: policy scripts' allocation is not bounded");
        }
        threads = mx;
        thread = Thread.ofPlatform().name("berth-policy-watchdog").daemon().unstarted(this::watch);
        thread.start();
    }

    /** Starts watching a run on the calling thread; close the run when the script returns. */
    Run start(Context context, Duration timeout, long allocationLimit) {
        Run run = new Run(context, System.nanoTime() + timeout.toNanos(), timeout, allocationLimit);
        runs.add(run);
        if (parked) {
            LockSupport.unpark(thread);
        }
        return run;
    }

    /** One script run on one thread, from {@link #start} to {@link #close}. */
    final class Run implements AutoCloseable {
        private final Context context;
        private final long deadline;
        private final Duration timeout;
        private final long allocationLimit;
        private final long threadId = Thread.currentThread().threadId();
        private final long allocatedAtStart = allocatedBy(threadId);
        private final AtomicReference<String> state = new AtomicReference<>();
        private long allocated = -1;

        private Run(Context context, long deadline, Duration timeout, long allocationLimit) {
            this.context = context;
            this.deadline = deadline;
            this.timeout = timeout;
            this.allocationLimit = allocationLimit;
        }

        /**
         * Ends the run (idempotent, on the run's thread). False if the watchdog cancelled it: then the
         * context is being closed by the watchdog and must not be used or closed again.
         */
        boolean finish() {
            if (allocated < 0) {
                runs.remove(this);
                long now = allocatedBy(threadId);
                allocated = now < 0 || allocatedAtStart < 0 ? 0 : now - allocatedAtStart;
            }
            return state.compareAndSet(null, DONE) || DONE.equals(state.get());
        }

        /** Why the watchdog cancelled the run; null if it did not. */
        String tripped() {
            String s = state.get();
            return s == null || DONE.equals(s) ? null : s;
        }

        /** Bytes the thread allocated during the run (after {@link #finish}). */
        long allocated() {
            return Math.max(allocated, 0);
        }

        @Override
        public void close() {
            finish();
        }

        private void check(long now) {
            String reason = null;
            if (now - deadline > 0) {
                reason = "timed out after " + timeout.toMillis() + " ms";
            } else if (allocatedAtStart >= 0) {
                long used = allocatedBy(threadId) - allocatedAtStart;
                if (used > allocationLimit) {
                    reason = "allocated more than " + mib(allocationLimit) + " (" + mib(used) + " when cut)";
                }
            }
            if (reason != null && state.compareAndSet(null, reason)) {
                runs.remove(this);
                Thread.ofPlatform().name("berth-policy-cancel").daemon().start(() -> cancel(context));
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void watch() {
        while (!closed) {
            if (runs.isEmpty()) {
                parked = true;
                if (runs.isEmpty() && !closed) {
                    LockSupport.park(this);
                }
                parked = false;
                continue;
            }
            LockSupport.parkNanos(this, TICK.toNanos());
            long now = System.nanoTime();
            for (Run run : runs) {
                try {
                    run.check(now);
                } catch (RuntimeException e) {
                    log.warn("policy watchdog: checking a run failed", e);
                }
            }
        }
    }

    private long allocatedBy(long threadId) {
        return threads == null ? -1 : threads.getThreadAllocatedBytes(threadId);
    }

    private static void cancel(Context context) {
        try {
            context.close(true);
        } catch (RuntimeException e) {
            // Closing a cancelled context reports the cancellation again; nothing to do.
            log.debug("policy context closed after cancellation: {}", e.toString());
        }
    }

    private static String mib(long bytes) {
        return (bytes >> 20) + " MiB";
    }
}
