package io.berth.events;

/** Events of the daemon process itself. */
public sealed interface DaemonEvent extends Event {

    /** The daemon's id, stable across restarts of the same data root. */
    String daemonId();

    @Override
    default String actorId() {
        return daemonId();
    }

    @EventType(name = "daemon.started", version = 1)
    record Started(String daemonId, String version, long pid) implements DaemonEvent {}

    @EventType(name = "daemon.stopping", version = 1)
    record Stopping(String daemonId, String reason) implements DaemonEvent {}

    /** The configuration was reloaded; {@code changes} names what changed, for humans. */
    @EventType(name = "daemon.reloaded", version = 1)
    record Reloaded(String daemonId, String changes) implements DaemonEvent {}
}
