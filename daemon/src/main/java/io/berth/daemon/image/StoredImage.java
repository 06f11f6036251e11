package io.berth.daemon.image;

import java.util.List;

/**
 * An image the store holds.
 *
 * @param id           {@code sha256:} of the config
 * @param sizeBytes    the unpacked size of its layers
 * @param createdNanos the config's {@code created} time
 * @param diffIds      the layers' uncompressed digests, lowest first
 */
public record StoredImage(String id, long sizeBytes, long createdNanos, List<String> diffIds) {
    public StoredImage {
        diffIds = List.copyOf(diffIds);
    }
}
