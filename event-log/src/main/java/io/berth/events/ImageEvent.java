package io.berth.events;

import java.util.List;

/**
 * Events of the image store. An image is named by its id ({@code sha256:} of its config); tags are
 * normalized references such as {@code docker.io/library/busybox:latest}.
 */
public sealed interface ImageEvent extends Event {

    String imageId();

    @Override
    default String actorId() {
        return imageId();
    }

    /** Facts about an image's content that listings show. */
    record ImageInfo(String imageId, long sizeBytes, long createdAtNanos, List<String> layerDigests) {
        public ImageInfo {
            layerDigests = List.copyOf(layerDigests);
        }
    }

    /** An image was made from a root file system tarball; {@code tag} may be empty. */
    @EventType(name = "image.imported", version = 1)
    record Imported(String imageId, ImageInfo info, String tag) implements ImageEvent {}

    /**
     * An image was made by {@code docker commit}: the container's changes became a new layer on top
     * of its image; {@code tag} may be empty.
     */
    @EventType(name = "image.committed", version = 1)
    record Committed(String imageId, ImageInfo info, String tag, String containerId) implements ImageEvent {}

    /** An image came in from a {@code docker load} archive with the tags it carried. */
    @EventType(name = "image.loaded", version = 1)
    record Loaded(String imageId, ImageInfo info, List<String> tags) implements ImageEvent {
        public Loaded {
            tags = List.copyOf(tags);
        }
    }

    /** An image was pulled from a registry by {@code reference} (a tag or a digest). */
    @EventType(name = "image.pulled", version = 1)
    record Pulled(String imageId, ImageInfo info, String reference, String repoDigest) implements ImageEvent {}

    @EventType(name = "image.pushed", version = 1)
    record Pushed(String imageId, String reference, String repoDigest) implements ImageEvent {}

    /** A tag now points at this image; if it pointed at another image, that image lost it. */
    @EventType(name = "image.tagged", version = 1)
    record Tagged(String imageId, String tag) implements ImageEvent {}

    @EventType(name = "image.untagged", version = 1)
    record Untagged(String imageId, String tag) implements ImageEvent {}

    /** The image was written to a {@code docker save} archive. */
    @EventType(name = "image.saved", version = 1)
    record Saved(String imageId) implements ImageEvent {}

    /** The image and its layers no other image uses are deleted. */
    @EventType(name = "image.removed", version = 1)
    record Removed(String imageId) implements ImageEvent {}
}
