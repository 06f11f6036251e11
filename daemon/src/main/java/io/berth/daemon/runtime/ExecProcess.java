package io.berth.daemon.runtime;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/** A process started by {@link OciRuntime#exec}: where to attach, and its exit code when it ends. */
public interface ExecProcess {

    /** The session's attach socket. */
    Path attachSocket();

    /**
     * Completes with the host PID once the process runs (after an attach client connected, when the
     * request asked the shim to wait for one).
     */
    CompletableFuture<Integer> pid();

    /** Completes with the exit code when the process ends. */
    CompletableFuture<Integer> exitCode();
}
