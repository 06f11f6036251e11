package io.berth.daemon.image.registry;

import io.berth.errors.EngineException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * Runs the layer transfers of one pull or push at most {@code limit} at a time (Docker's
 * max-concurrent-downloads and -uploads), each on its own virtual thread; the first failure is the
 * operation's, and the transfers still queued are cancelled.
 */
final class Bounded {

    /** A transfer, told when it has to wait for a free slot. */
    interface Task<T> {
        T run() throws Exception;

        default void waiting() {}
    }

    private Bounded() {}

    static <T> List<T> all(int limit, List<? extends Task<T>> tasks) {
        Semaphore slots = new Semaphore(limit);
        List<Future<T>> futures = new ArrayList<>();
        ExecutorService exec = Executors.newVirtualThreadPerTaskExecutor();
        try {
            for (Task<T> task : tasks) {
                futures.add(exec.submit((Callable<T>) () -> {
                    if (!slots.tryAcquire()) {
                        task.waiting();
                        slots.acquire();
                    }
                    try {
                        return task.run();
                    } finally {
                        slots.release();
                    }
                }));
            }
            List<T> out = new ArrayList<>();
            for (Future<T> f : futures) {
                out.add(f.get());
            }
            return out;
        } catch (ExecutionException e) {
            exec.shutdownNow();
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw EngineException.internal(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            exec.shutdownNow();
            Thread.currentThread().interrupt();
            throw EngineException.internal("interrupted", e);
        } finally {
            exec.close();
        }
    }
}
