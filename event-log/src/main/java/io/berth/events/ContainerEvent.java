package io.berth.events;

/**
 * Lifecycle events of one container.
 *
 * <p>Ordering contract, per container, in journal order: {@code Created} comes first and
 * {@code Removed} last; every {@code Started} precedes the {@code Exited} that ends that run;
 * {@code OomKilled} precedes the {@code Exited} of the run it killed; {@code Restarting} follows an
 * {@code Exited} and precedes the next {@code Started} or the {@code RestartCancelled} that ends the
 * wait; {@code Stopped} follows the {@code Exited} of
 * the run a stop request ended, and {@code Restarted} the {@code Started} of a user's restart. Each
 * fact is journaled exactly once.
 *
 * <p>{@code docker events} is a projection of these records, one Docker event per journal entry at
 * most, so the order above is the order a subscriber sees: create before start, oom before die, die
 * before stop and destroy.
 */
public sealed interface ContainerEvent extends Event {

    /** The 64-hex container id. */
    String id();

    @Override
    default String actorId() {
        return id();
    }

    /** A container was created from an image with the given spec; it has not run yet. */
    @EventType(name = "container.created", version = 3)
    record Created(String id, String name, ContainerSpec spec) implements ContainerEvent {}

    /**
     * The container's init process runs with host PID {@code pid} since {@code startedAtNanos}, taken
     * when the runtime was asked to start it (the journal time can be later than a quick process's exit).
     */
    @EventType(name = "container.started", version = 2)
    record Started(String id, int pid, long startedAtNanos) implements ContainerEvent {}

    /** The container's processes were frozen. */
    @EventType(name = "container.paused", version = 1)
    record Paused(String id) implements ContainerEvent {}

    /** The container's processes were thawed. */
    @EventType(name = "container.unpaused", version = 1)
    record Unpaused(String id) implements ContainerEvent {}

    /**
     * The container was asked to stop: {@code signal} first, SIGKILL after {@code timeoutSeconds}. Its
     * next exit is not restarted by policy. {@code daemonShutdown} marks a stop by the daemon's own
     * shutdown, which, unlike a user's, does not keep an {@code unless-stopped} container down.
     */
    @EventType(name = "container.stop-requested", version = 2)
    record StopRequested(String id, int signal, int timeoutSeconds, boolean daemonShutdown)
            implements ContainerEvent {}

    /** A signal was delivered to the container's init process. */
    @EventType(name = "container.killed", version = 1)
    record Killed(String id, int signal) implements ContainerEvent {}

    /**
     * The container's init process with host PID {@code pid} exited. {@code finishedAtNanos} is when it
     * exited, which may be earlier than the journal time when the exit is found after a daemon restart.
     * The PID lets consumers drop a duplicate notification of the same exit.
     */
    @EventType(name = "container.exited", version = 2)
    record Exited(String id, int exitCode, long finishedAtNanos, int pid) implements ContainerEvent {}

    /** The kernel's OOM killer killed a process in the container's memory cgroup during this run. */
    @EventType(name = "container.oom-killed", version = 1)
    record OomKilled(String id) implements ContainerEvent {}

    /**
     * A restart policy will start the container again after {@code delayMillis}; attempt counts from 1.
     * {@code reason} says which policy decided and why, in words ({@code on-failure:3 after exit code 1}).
     */
    @EventType(name = "container.restarting", version = 1)
    record Restarting(String id, int attempt, long delayMillis, String reason) implements ContainerEvent {}

    /**
     * A pending policy restart will not happen: a user stopped the container during the backoff, or
     * the restart failed to start it. The container stays exited with its last run's exit code.
     */
    @EventType(name = "container.restart-cancelled", version = 1)
    record RestartCancelled(String id, String reason) implements ContainerEvent {}

    @EventType(name = "container.renamed", version = 1)
    record Renamed(String id, String oldName, String newName) implements ContainerEvent {}

    /** Resource limits or the restart policy of the container changed. */
    @EventType(name = "container.updated", version = 1)
    record Updated(String id, ContainerSpec.Resources resources, ContainerSpec.RestartPolicy restartPolicy)
            implements ContainerEvent {}

    /** Removal started: the container no longer accepts operations other than its removal. */
    @EventType(name = "container.removing", version = 1)
    record Removing(String id) implements ContainerEvent {}

    /** Removal failed half-way; only another removal can be attempted. */
    @EventType(name = "container.dead", version = 1)
    record Dead(String id, String reason) implements ContainerEvent {}

    /** The container and everything it owned are gone. */
    @EventType(name = "container.removed", version = 1)
    record Removed(String id) implements ContainerEvent {}

    /** A client attached to the container's stdio (now, or at its next start if it is not running). */
    @EventType(name = "container.attached", version = 1)
    record Attached(String id) implements ContainerEvent {}

    /** The container's TTY was resized to {@code height} rows and {@code width} columns. */
    @EventType(name = "container.resized", version = 1)
    record Resized(String id, int height, int width) implements ContainerEvent {}

    /** A user's stop finished: the run it asked to end has ended (its {@code Exited} came before). */
    @EventType(name = "container.stopped", version = 1)
    record Stopped(String id) implements ContainerEvent {}

    /** A user's restart finished: the container was stopped if it ran, and started again. */
    @EventType(name = "container.restarted", version = 1)
    record Restarted(String id) implements ContainerEvent {}
}
