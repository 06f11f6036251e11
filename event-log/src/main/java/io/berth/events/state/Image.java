package io.berth.events.state;

import java.util.List;

/**
 * One image in the store.
 *
 * @param id          {@code sha256:...} of its config
 * @param tags        references pointing at it, sorted
 * @param repoDigests {@code repo@sha256:...} references from pulls and pushes, sorted
 */
public record Image(String id, List<String> tags, List<String> repoDigests, long sizeBytes, long createdNanos,
                    List<String> layerDigests) {
    public Image {
        tags = List.copyOf(tags);
        repoDigests = List.copyOf(repoDigests);
        layerDigests = List.copyOf(layerDigests);
    }
}
