package io.berth.daemon.image;

import io.berth.daemon.os.IdMap;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * The content of images: configs and layers, addressed by digest, with each layer unpacked once into
 * a directory that overlayfs mounts read-only. Which images exist and what they are tagged is the
 * journal's business; the store only holds bytes, so every method here is idempotent and leaves no
 * partial content behind when it fails (it writes to a temporary place, verifies, then moves).
 *
 * <p>Blocking: call it off the event loop.
 */
public interface ImageStore {

    /** The id ranges layers' owners are shifted into on this host ({@code userns-remap}). */
    IdMap ids();

    /**
     * Makes a one-layer image from a root file system tarball (plain or gzip-compressed). Rejects
     * entries that escape the root ({@code ..}, absolute paths, links pointing outside) with an
     * INVALID_ARGUMENT error, writing nothing.
     */
    StoredImage importRootfs(InputStream tarball, ImportOptions options);

    /**
     * Stores every image of a {@code docker save} archive (docker-archive format; an OCI image layout
     * is also accepted), verifying each blob's digest.
     */
    List<LoadedImage> load(InputStream archive);

    /** Writes a docker-archive holding the images, each with the tags given for it. */
    void save(List<SaveRequest> images, OutputStream out);

    /** The image's config, parsed. */
    ImageConfig config(String imageId);

    /** The image's config JSON exactly as stored (its sha256 is the image id). */
    byte[] rawConfig(String imageId);

    /** The unpacked layer directories of an image, lowest first, for overlayfs' {@code lowerdir}. */
    List<Path> layerDirs(String imageId);

    /** Whether the store holds the image's config and layers. */
    boolean has(String imageId);

    /** Deletes an image's config, and each of its layers that none of {@code keep} uses. */
    void delete(String imageId, Set<String> keep);

    /** The indexes (lowest first) of the layers of an image config that the store does not hold yet. */
    List<Integer> missingLayers(byte[] rawConfig);

    /**
     * Stores an image from a registry: its config exactly as fetched and, for each index
     * {@link #missingLayers} gave, a file holding that layer's tar (plain or gzip-compressed). Every
     * layer's diffID is checked against the config; on any failure nothing is stored.
     */
    StoredImage put(byte[] rawConfig, Map<Integer, Path> layerFiles);

    /** Writes a layer's tar. */
    @FunctionalInterface
    interface TarWriter {
        void write(OutputStream out) throws IOException;
    }

    /**
     * Makes an image of {@code parentImageId} plus one layer, the tar {@code layer} writes;
     * {@code config} gives the new config's bytes from the parent's config and the new layer's diffID.
     */
    StoredImage commit(String parentImageId, TarWriter layer, BiFunction<JsonObject, String, byte[]> config);

    /** A layer's uncompressed tar, by diffID, as a push sends it. */
    InputStream openLayer(String diffId);
}
