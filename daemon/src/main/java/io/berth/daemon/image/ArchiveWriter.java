package io.berth.daemon.image;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes images as docker 25+ {@code docker save} does: an OCI image layout ({@code oci-layout},
 * {@code index.json}, {@code blobs/sha256/…} holding configs, manifests and uncompressed layer tars)
 * plus the docker-archive {@code manifest.json} and {@code repositories} pointing into the same blobs,
 * so both old and new {@code docker load}, podman and skopeo read it. Each blob is written once, and
 * every entry has fixed metadata, so the same images always give the same bytes.
 */
final class ArchiveWriter {
    /** An image to write: its id, config bytes, diffIDs and normalized, tagged references. */
    record Entry(String id, byte[] config, List<String> diffIds, List<ImageReference> tags, String os, String architecture) {}

    private static final String MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";
    private static final FileTime EPOCH = FileTime.fromMillis(0);

    private final TarArchiveOutputStream tar;
    private final Path blobs;
    private final Set<String> written = new HashSet<>();

    private ArchiveWriter(OutputStream out, Path blobs) {
        tar = new TarArchiveOutputStream(out, StandardCharsets.UTF_8.name());
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        this.blobs = blobs;
    }

    /** Writes the archive to {@code out} (left open), reading layer tars from the store's {@code blobs}. */
    static void write(List<Entry> images, Path blobs, OutputStream out) throws IOException {
        ArchiveWriter writer = new ArchiveWriter(out, blobs);
        writer.directory("blobs/");
        writer.directory("blobs/sha256/");
        JsonArray manifest = new JsonArray();
        JsonArray index = new JsonArray();
        Map<String, JsonObject> repositories = new LinkedHashMap<>();
        for (Entry image : images) {
            writer.writeImage(image, manifest, index, repositories);
        }
        writer.file("index.json", new JsonObject().put("schemaVersion", 2)
                .put("mediaType", "application/vnd.oci.image.index.v1+json").put("manifests", index).encode());
        writer.file("manifest.json", manifest.encode());
        writer.file("oci-layout", new JsonObject().put("imageLayoutVersion", "1.0.0").encode());
        if (!repositories.isEmpty()) {
            JsonObject repos = new JsonObject();
            repositories.forEach(repos::put);
            writer.file("repositories", repos.encode());
        }
        writer.tar.finish();
        out.flush();
    }

    private void writeImage(Entry image, JsonArray manifest, JsonArray index, Map<String, JsonObject> repositories)
            throws IOException {
        String configHex = Digests.hexOf(image.id(), "image id");
        blob(configHex, image.config());
        JsonArray layers = new JsonArray();
        List<String> layerPaths = new ArrayList<>();
        for (String diffId : image.diffIds()) {
            String hex = Digests.hexOf(diffId, "diff id");
            Path layer = blobs.resolve(hex);
            long size = Files.size(layer);
            if (written.add(hex)) {
                try (InputStream in = Files.newInputStream(layer)) {
                    TarArchiveEntry entry = entry("blobs/sha256/" + hex, size);
                    tar.putArchiveEntry(entry);
                    in.transferTo(tar);
                    tar.closeArchiveEntry();
                }
            }
            layers.add(descriptor("application/vnd.oci.image.layer.v1.tar", diffId, size));
            layerPaths.add("blobs/sha256/" + hex);
        }
        byte[] ociManifest = new JsonObject().put("schemaVersion", 2).put("mediaType", MANIFEST_TYPE)
                .put("config", descriptor("application/vnd.oci.image.config.v1+json", image.id(), image.config().length))
                .put("layers", layers).encode().getBytes(StandardCharsets.UTF_8);
        String manifestHex = Digests.hexOf(ociManifest);
        blob(manifestHex, ociManifest);

        JsonObject platform = new JsonObject().put("architecture", image.architecture()).put("os", image.os());
        JsonArray repoTags = new JsonArray();
        for (ImageReference tag : image.tags()) {
            repoTags.add(tag.familiar());
            index.add(descriptor(MANIFEST_TYPE, Digests.PREFIX + manifestHex, ociManifest.length).put("platform", platform)
                    .put("annotations", new JsonObject().put("io.containerd.image.name", tag.toString())
                            .put("org.opencontainers.image.ref.name", tag.tag())));
            // The legacy file maps a repository's tags to the top layer, as docker 25+ writes it.
            repositories.computeIfAbsent(tag.familiarName(), k -> new JsonObject())
                    .put(tag.tag(), layerPaths.isEmpty() ? configHex : layerPaths.getLast().substring("blobs/sha256/".length()));
        }
        if (image.tags().isEmpty()) {
            index.add(descriptor(MANIFEST_TYPE, Digests.PREFIX + manifestHex, ociManifest.length).put("platform", platform));
        }
        manifest.add(new JsonObject().put("Config", "blobs/sha256/" + configHex).put("RepoTags", repoTags)
                .put("Layers", new JsonArray(new ArrayList<>(layerPaths))));
    }

    private static JsonObject descriptor(String mediaType, String digest, long size) {
        return new JsonObject().put("mediaType", mediaType).put("digest", digest).put("size", size);
    }

    private void blob(String hex, byte[] bytes) throws IOException {
        if (written.add(hex)) {
            file("blobs/sha256/" + hex, bytes);
        }
    }

    private void file(String name, String json) throws IOException {
        file(name, json.getBytes(StandardCharsets.UTF_8));
    }

    private void file(String name, byte[] bytes) throws IOException {
        tar.putArchiveEntry(entry(name, bytes.length));
        tar.write(bytes);
        tar.closeArchiveEntry();
    }

    private void directory(String name) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setMode(040755);
        entry.setModTime(EPOCH);
        tar.putArchiveEntry(entry);
        tar.closeArchiveEntry();
    }

    private static TarArchiveEntry entry(String name, long size) {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(size);
        entry.setMode(0100644);
        entry.setModTime(EPOCH);
        return entry;
    }
}
