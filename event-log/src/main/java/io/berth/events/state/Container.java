package io.berth.events.state;

import io.berth.events.ContainerSpec;

/**
 * One container as the journal says it is.
 *
 * @param name           without Docker's leading slash
 * @param createdNanos   journal time of creation
 * @param startedNanos   when the last run started, 0 if never
 * @param finishedNanos  when the last run ended, 0 if it has not
 * @param exitCode       exit code of the last run (Docker's {@code State.ExitCode})
 * @param oomKilled      whether the OOM killer struck during the last run
 * @param restartCount   restarts by policy since the container was last started by hand
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
        int restartCount) {

    Container with(ContainerState s) {
        return new Container(id, name, spec, s, createdNanos, startedNanos, finishedNanos, exitCode, oomKilled,
                restartCount);
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
