package io.berth.events.state;

import java.util.List;

/**
 * One image in the store.
 *
 * @param id          {@code sha256:...} of its config
 * @param tags        references pointing at it, sorted
 * @param repoDigests {@code repo@sha256:...} references from pulls and pushes, sorted
 * @param parentId    the image a commit was made on, as Docker records it for local builds; empty
 *                    for imported, loaded and pulled images
 */
public record Image(String id, List<String> tags, List<String> repoDigests, long sizeBytes, long createdNanos,
                    List<String> layerDigests, String parentId) {
    public Image {
        parentId = parentId == null ? "" : parentId; // snapshots written before the component existed
        tags = List.copyOf(tags);
        repoDigests = List.copyOf(repoDigests);
        layerDigests = List.copyOf(layerDigests);
    }
}
