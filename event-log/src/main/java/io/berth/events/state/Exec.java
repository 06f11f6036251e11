package io.berth.events.state;

import io.berth.events.ExecEvent;

/**
 * One exec session of a container: created, then running with a PID, then exited with a code.
 *
 * @param pid      host PID while running, else 0
 * @param exitCode meaningful once {@code status} is {@code EXITED}
 */
public record Exec(ExecEvent.Created spec, Status status, int pid, int exitCode) {

    public enum Status { CREATED, RUNNING, EXITED }

    public String id() {
        return spec.execId();
    }

    public String containerId() {
        return spec.containerId();
    }
}
