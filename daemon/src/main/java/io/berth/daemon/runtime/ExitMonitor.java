package io.berth.daemon.runtime;

import java.util.function.Consumer;

/**
 * Reports container exits as the shims record them in the shared exit directory: each exit file,
 * whether it was there when watching began (exits while the daemon was down) or appeared later, is
 * reported until it is acknowledged. Reports arrive on the monitor's own thread.
 */
public interface ExitMonitor extends AutoCloseable {

    /**
     * One container exit.
     *
     * @param exitedAtNanos when the shim wrote the exit code (the file's modification time)
     * @param oomKilled     whether the shim saw an OOM kill in the container's cgroup during the run
     */
    record ExitNotice(String id, int exitCode, long exitedAtNanos, boolean oomKilled) {}

    /** Starts watching; {@code listener} gets every unacknowledged exit, possibly more than once. */
    void start(Consumer<ExitNotice> listener);

    /** Forgets a reported exit (deletes its file) once the engine has journaled it. */
    void acknowledge(String id);

    @Override
    void close();
}
