package io.berth.daemon.runtime.runc;

import io.berth.daemon.runtime.ExecProcess;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * An exec session under its own conmon. {@link RuncRuntime} completes the futures from the session's
 * sync pipe: the PID once {@code runc exec} has started the process (with {@code --exec-attach}, only
 * after a client attached), the exit code when it ends. Both fail with the runtime's error when the
 * process cannot be started.
 */
record ConmonExec(Path attachSocket, CompletableFuture<Integer> pid, CompletableFuture<Integer> exitCode)
        implements ExecProcess {

    ConmonExec(Path attachSocket) {
        this(attachSocket, new CompletableFuture<>(), new CompletableFuture<>());
    }

    void fail(Throwable error) {
        pid.completeExceptionally(error);
        exitCode.completeExceptionally(error);
    }
}
