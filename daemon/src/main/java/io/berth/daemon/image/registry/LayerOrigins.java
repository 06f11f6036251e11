package io.berth.daemon.image.registry;

import io.berth.daemon.image.Digests;
import io.berth.errors.EngineException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Which compressed blobs a layer (by diffID) is known as in which repositories: learnt from pulls and
 * pushes, so a push re-sends no layer the registry has and re-uses the exact blob a pull brought, which
 * keeps a pushed manifest (and its digest) the same as the one pulled. A cache: losing it costs a
 * recompression. One small JSON file per diffID; blocking; thread-safe.
 */
public final class LayerOrigins {
    private static final int MAX_PER_LAYER = 16;

    /** A blob a layer is known as, in a repository ({@code domain/path}). */
    public record Origin(Descriptor blob, String repository) {}

    private final Path dir;

    public LayerOrigins(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw EngineException.internal("cannot open " + dir + ": " + e.getMessage(), e);
        }
    }

    /** What {@code diffId} is known as, newest first. */
    public synchronized List<Origin> of(String diffId) {
        Path file = dir.resolve(Digests.hexOf(diffId, "diffID") + ".json");
        List<Origin> out = new ArrayList<>();
        try {
            JsonArray a = new JsonArray(Files.readString(file));
            for (int i = 0; i < a.size(); i++) {
                JsonObject o = a.getJsonObject(i);
                out.add(new Origin(Descriptor.parse(o, "origin"), o.getString("repository", "")));
            }
        } catch (NoSuchFileException e) {
            return out;
        } catch (IOException | DecodeException | ClassCastException | EngineException e) {
            return out; // a damaged cache entry only means a recompression
        }
        return out;
    }

    /** Remembers that {@code diffId} is {@code blob} in {@code repository}. */
    public synchronized void add(String diffId, Descriptor blob, String repository) {
        List<Origin> known = new ArrayList<>(of(diffId));
        known.removeIf(o -> o.blob().digest().equals(blob.digest()) && o.repository().equals(repository));
        known.addFirst(new Origin(blob, repository));
        JsonArray a = new JsonArray();
        for (Origin o : known.subList(0, Math.min(known.size(), MAX_PER_LAYER))) {
            a.add(o.blob().toJson().put("repository", o.repository()));
        }
        Path file = dir.resolve(Digests.hexOf(diffId, "diffID") + ".json");
        try {
            Path tmp = Files.createTempFile(dir, ".tmp-", ".json");
            Files.writeString(tmp, a.encode(), StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            // A cache: the next push recompresses.
        }
    }
}
