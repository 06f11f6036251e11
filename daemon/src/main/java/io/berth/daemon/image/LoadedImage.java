package io.berth.daemon.image;

import java.util.List;

/** One image from a loaded archive, with the tags the archive gave it (normalized references). */
public record LoadedImage(StoredImage image, List<String> tags) {
    public LoadedImage {
        tags = List.copyOf(tags);
    }
}
