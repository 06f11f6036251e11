package io.berth.events.state;

import io.berth.events.ContainerSpec;

/**
 * One container as the journal says it is.
 *
 * @param name               without Docker's leading slash
 * @param createdNanos       journal time of creation
 * @param startedNanos       when the last run started, 0 if never
 * @param finishedNanos      when the last run ended, 0 if it has not
 * @param exitCode           exit code of the last run (Docker's {@code State.ExitCode})
 * @param oomKilled          whether the OOM killer struck during the last run
 * @param restartCount       restarts by policy since the container was last started by hand
 * @param restartDelayMillis the backoff before the latest policy restart, 0 after a start by hand;
 *                           the next delay doubles it
 * @param manuallyStopped    a user stopped or signalled the container and has not started it since
 *                           (Docker's {@code HasBeenManuallyStopped}: {@code unless-stopped} stays down)
 * @param exitRequested      a user asked the current run to end, so its exit is not restarted
 */
public record Container(
        String id,
        String name,
        ContainerSpec spec,
        ContainerState state,
        long createdNanos,
        long startedNanos,
        long finishedNanos,
        int exitCode,
        boolean oomKilled,
        int restartCount,
        long restartDelayMillis,
        boolean manuallyStopped,
        boolean exitRequested) {

    /** A container just created: it has never run. */
    static Container created(String id, String name, ContainerSpec spec, long at) {
        return new Container(id, name, spec, new ContainerState.Created(), at, 0, 0, 0, false, 0, 0, false, false);
    }

    Container with(ContainerState s) {
        return new Container(id, name, spec, s, createdNanos, startedNanos, finishedNanos, exitCode, oomKilled,
                restartCount, restartDelayMillis, manuallyStopped, exitRequested);
    }

    Container withName(String n) {
        return new Container(id, n, spec, state, createdNanos, startedNanos, finishedNanos, exitCode, oomKilled,
                restartCount, restartDelayMillis, manuallyStopped, exitRequested);
    }

    Container withSpec(ContainerSpec s) {
        return new Container(id, name, s, state, createdNanos, startedNanos, finishedNanos, exitCode, oomKilled,
                restartCount, restartDelayMillis, manuallyStopped, exitRequested);
    }

    /** A new run: a start by policy keeps the restart history, a start by hand begins it again. */
    Container started(int pid, long at, boolean byPolicy) {
        return new Container(id, name, spec, new ContainerState.Running(pid), createdNanos, at, 0, 0, false,
                byPolicy ? restartCount : 0, byPolicy ? restartDelayMillis : 0, byPolicy && manuallyStopped, false);
    }

    /** The current run was asked to end; {@code byUser} unless the daemon's shutdown asked. */
    Container stopRequested(boolean byUser) {
        return new Container(id, name, spec, state, createdNanos, startedNanos, finishedNanos, exitCode, oomKilled,
                restartCount, restartDelayMillis, manuallyStopped || byUser, true);
    }

    /**
     * A signal was delivered. Unless it carries out a stop already requested (whose request said
     * whose hand it was), it is a user's.
     */
    Container signalled() {
        return new Container(id, name, spec, state, createdNanos, startedNanos, finishedNanos, exitCode, oomKilled,
                restartCount, restartDelayMillis, manuallyStopped || !exitRequested, exitRequested);
    }

    Container oomKilledNow() {
        return new Container(id, name, spec, state, createdNanos, startedNanos, finishedNanos, exitCode, true,
                restartCount, restartDelayMillis, manuallyStopped, exitRequested);
    }

    Container exited(int code, long finishedAt) {
        return new Container(id, name, spec, new ContainerState.Exited(), createdNanos, startedNanos, finishedAt,
                code, oomKilled, restartCount, restartDelayMillis, manuallyStopped, exitRequested);
    }

    Container restarting(int attempt, long delayMillis) {
        return new Container(id, name, spec, new ContainerState.Restarting(attempt, delayMillis), createdNanos,
                startedNanos, finishedNanos, exitCode, oomKilled, restartCount + 1, delayMillis, manuallyStopped,
                exitRequested);
    }

    /** The host PID of the init process while it runs or is paused, else 0. */
    public int pid() {
        return switch (state) {
            case ContainerState.Running r -> r.pid();
            case ContainerState.Paused p -> p.pid();
            default -> 0;
        };
    }
}
