package io.berth.events.state;

import java.util.Map;

/**
 * One volume as the journal says it is.
 *
 * @param mountpoint   the host directory its data is in
 * @param createdNanos journal time of creation
 * @param anonymous    made for one container (an image {@code VOLUME} or {@code -v /path}), removed by {@code rm -v}
 */
public record Volume(String name, String driver, String mountpoint, Map<String, String> labels, long createdNanos,
                     boolean anonymous) {

    public Volume {
        labels = Map.copyOf(labels);
    }
}
