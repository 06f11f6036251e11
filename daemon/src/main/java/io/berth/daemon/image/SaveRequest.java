package io.berth.daemon.image;

import java.util.List;

/** An image to put into a saved archive, with the tags to record for it (may be empty). */
public record SaveRequest(String imageId, List<String> tags) {
    public SaveRequest {
        tags = List.copyOf(tags);
    }
}
