package io.berth.events.state;

import java.util.Locale;

/**
 * Where a container is in its lifecycle: exactly one of Docker's seven states, carrying only what
 * belongs to that state. Moves between states are defined by {@link Transitions}.
 */
public sealed interface ContainerState {

    /** Docker's name for the state, as {@code docker ps} and {@code State.Status} show it. */
    Status status();

    /** The state names as Docker reports them. */
    enum Status {
        CREATED, RUNNING, PAUSED, RESTARTING, EXITED, REMOVING, DEAD;

        /** The lower-case word Docker uses. */
        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Created and never started. */
    record Created() implements ContainerState {
        @Override
        public Status status() {
            return Status.CREATED;
        }
    }

    /** The init process runs with host PID {@code pid}. */
    record Running(int pid) implements ContainerState {
        @Override
        public Status status() {
            return Status.RUNNING;
        }
    }

    /** Frozen; the init process still exists with host PID {@code pid}. */
    record Paused(int pid) implements ContainerState {
        @Override
        public Status status() {
            return Status.PAUSED;
        }
    }

    /** Exited, and a restart policy will start it again after {@code delayMillis}. */
    record Restarting(int attempt, long delayMillis) implements ContainerState {
        @Override
        public Status status() {
            return Status.RESTARTING;
        }
    }

    /** Ran and exited; see the container's exit code and finish time. */
    record Exited() implements ContainerState {
        @Override
        public Status status() {
            return Status.EXITED;
        }
    }

    /** Being removed. */
    record Removing() implements ContainerState {
        @Override
        public Status status() {
            return Status.REMOVING;
        }
    }

    /** Removal failed part-way; only removal may be tried again. */
    record Dead(String reason) implements ContainerState {
        @Override
        public Status status() {
            return Status.DEAD;
        }
    }
}
