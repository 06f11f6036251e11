package io.berth.events;

import java.util.Map;

/**
 * Events of volumes (the {@code local} driver: a directory under the data root).
 *
 * <p>Ordering contract: {@code Created} first, {@code Removed} last; {@code Mounted} and
 * {@code Unmounted} mark a container run's use of it (after its start's preparation, after its
 * exit). A volume that a container's mounts name is in use and cannot be removed.
 */
public sealed interface VolumeEvent extends Event {

    /** The volume's name (a random 64-hex name for an anonymous volume). */
    String name();

    @Override
    default String actorId() {
        return name();
    }

    /** The volume was made at {@code mountpoint}; {@code anonymous} ones go with their container's {@code rm -v}. */
    @EventType(name = "volume.created", version = 1)
    record Created(String name, String driver, String mountpoint, Map<String, String> labels, boolean anonymous)
            implements VolumeEvent {
        public Created {
            labels = Map.copyOf(labels);
        }
    }

    /** The volume and its data are gone. */
    @EventType(name = "volume.removed", version = 1)
    record Removed(String name) implements VolumeEvent {}

    /** A container's run mounted the volume at {@code destination}. */
    @EventType(name = "volume.mounted", version = 1)
    record Mounted(String name, String containerId, String destination, boolean readWrite) implements VolumeEvent {}

    /** A container's run that mounted the volume ended. */
    @EventType(name = "volume.unmounted", version = 1)
    record Unmounted(String name, String containerId) implements VolumeEvent {}
}
