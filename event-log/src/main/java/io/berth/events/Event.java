package io.berth.events;

/**
 * Something that happened in the engine, as written to the journal.
 *
 * <p>Events are immutable records in a sealed hierarchy, one family per actor type. They are facts,
 * written only after the step they describe succeeded, so replaying them in order rebuilds the
 * engine's state. Each leaf record carries an {@link EventType} annotation naming it on the wire.
 */
public sealed interface Event permits ContainerEvent, ExecEvent, ImageEvent, DaemonEvent, PolicyEvent,
        NetworkEvent, VolumeEvent {

    /** The id of the object the event is about: a container, exec, image, policy, network, volume, or the daemon. */
    String actorId();
}
