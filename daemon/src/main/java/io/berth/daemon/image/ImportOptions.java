package io.berth.daemon.image;

import java.util.List;

/**
 * Settings for {@code docker import}.
 *
 * @param changes Dockerfile instructions to apply to the config ({@code CMD ["sh"]}, {@code ENV A=1},
 *                {@code WORKDIR /x}, {@code ENTRYPOINT}, {@code USER}, {@code LABEL}, {@code EXPOSE},
 *                {@code STOPSIGNAL}), as {@code docker import --change} sends them
 * @param message the history comment
 * @param createdNanos the image's creation time
 */
public record ImportOptions(List<String> changes, String message, long createdNanos) {
    public ImportOptions {
        changes = List.copyOf(changes);
    }
}
