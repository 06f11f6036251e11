package io.berth.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/** The daemon's id: made once per data root and kept, as dockerd's engine-id. */
final class DaemonIdentity {
    private DaemonIdentity() {}

    static String load(Path dataRoot) throws IOException {
        Path file = dataRoot.resolve("engine-id");
        if (Files.exists(file)) {
            return Files.readString(file).trim();
        }
        String id = UUID.randomUUID().toString();
        Files.createDirectories(dataRoot);
        Files.writeString(file, id + "\n");
        return id;
    }
}
