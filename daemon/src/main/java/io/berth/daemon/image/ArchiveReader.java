package io.berth.daemon.image;

import io.berth.errors.EngineException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code docker save} archive spooled to a temporary directory, because its manifest may come after
 * the blobs it lists. Reads both docker-archive ({@code manifest.json}, which docker 25+ also writes next
 * to its OCI layout) and a bare OCI image layout ({@code index.json}). Archive paths are never used as
 * file names: files are spooled under numbers, and symlinks (older {@code docker save} links duplicate
 * layers) are resolved in memory, so nothing can escape. Any file named {@code blobs/sha256/<hex>} or
 * {@code <hex>.json} is checked against its name when read. Closing deletes the spool.
 */
final class ArchiveReader implements Closeable {
    /** One image of the archive: paths of its config and layers inside the archive, and its tags. */
    record Image(String config, List<String> tags, List<String> layers) {}

    private record Spooled(Path file, String sha256Hex, long size) {}

    private static final Pattern NAMED_BY_DIGEST = Pattern.compile("(?:blobs/sha256/([0-9a-f]{64})|([0-9a-f]{64})\\.json)");
    private static final long MAX_JSON = 64L << 20;
    private static final int MAX_LINK_HOPS = 40;
    private static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    private static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";

    private final Path dir;
    private final Map<String, Spooled> files = new HashMap<>();
    private final Map<String, String> links = new HashMap<>();

    private ArchiveReader(Path dir) {
        this.dir = dir;
    }

    /** Spools the (uncompressed) archive into {@code dir}, which must not exist yet. */
    static ArchiveReader spool(InputStream tar, Path dir) throws IOException {
        Files.createDirectory(dir);
        ArchiveReader reader = new ArchiveReader(dir);
        try {
            reader.readAll(new TarArchiveInputStream(tar, StandardCharsets.UTF_8.name()));
            return reader;
        } catch (IOException | RuntimeException e) {
            reader.close();
            throw e;
        }
    }

    private void readAll(TarArchiveInputStream in) throws IOException {
        int count = 0;
        while (true) {
            TarArchiveEntry entry;
            try {
                entry = in.getNextEntry();
            } catch (IOException e) {
                throw EngineException.invalid("invalid image archive: " + e.getMessage());
            }
            if (entry == null) {
                break;
            }
            String name = String.join("/", LayerUnpacker.components(entry.getName()));
            if (entry.isSymbolicLink()) {
                links.put(name, entry.getLinkName());
            } else if (entry.isLink()) {
                links.put(name, "/" + entry.getLinkName());
            } else if (LayerUnpacker.isRegularFile(entry)) {
                Path file = dir.resolve(Integer.toString(count++));
                DigestingInputStream digesting = new DigestingInputStream(in, null);
                try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE_NEW))) {
                    byte[] buffer = new byte[65536];
                    for (int n = read(digesting, buffer); n >= 0; n = read(digesting, buffer)) {
                        out.write(buffer, 0, n);
                    }
                }
                files.put(name, new Spooled(file, digesting.hex(), digesting.count()));
            }
        }
    }

    private static int read(InputStream in, byte[] buffer) {
        try {
            return in.read(buffer);
        } catch (IOException e) {
            throw EngineException.invalid("invalid image archive: " + e.getMessage());
        }
    }

    /** The images the archive holds, from {@code manifest.json}, else from an OCI {@code index.json}. */
    List<Image> images() throws IOException {
        if (exists("manifest.json")) {
            return fromManifest(json(readJson("manifest.json"), JsonArray.class, "manifest.json"));
        }
        if (exists("index.json")) {
            return fromIndex(json(readJson("index.json"), JsonObject.class, "index.json"));
        }
        throw EngineException.invalid("not an image archive: it has neither manifest.json nor index.json");
    }

    private List<Image> fromManifest(JsonArray manifest) {
        List<Image> images = new ArrayList<>();
        for (Object o : manifest) {
            if (!(o instanceof JsonObject item) || !(item.getValue("Config") instanceof String config)
                    || !(item.getValue("Layers") instanceof JsonArray layers)) {
                throw EngineException.invalid("manifest.json: each entry needs Config and Layers");
            }
            images.add(new Image(config, strings(item.getValue("RepoTags"), "RepoTags"), strings(layers, "Layers")));
        }
        return images;
    }

    /** One image per manifest the index names; tags from containerd's or the OCI name annotation. */
    private List<Image> fromIndex(JsonObject index) throws IOException {
        Map<String, Image> byManifest = new LinkedHashMap<>();
        for (JsonObject descriptor : descriptors(index, "index.json")) {
            String digest = descriptor.getString("digest");
            List<String> tags = new ArrayList<>();
            JsonObject annotations = descriptor.getValue("annotations") instanceof JsonObject a ? a : new JsonObject();
            for (String key : List.of("io.containerd.image.name", "org.opencontainers.image.ref.name")) {
                if (annotations.getValue(key) instanceof String name && tagged(name)) {
                    tags.add(name);
                    break;
                }
            }
            Image image = byManifest.get(digest);
            if (image == null) {
                image = imageOf(descriptor, 0);
            }
            List<String> allTags = new ArrayList<>(image.tags());
            allTags.addAll(tags);
            byManifest.put(digest, new Image(image.config(), allTags, image.layers()));
        }
        return new ArrayList<>(byManifest.values());
    }

    private Image imageOf(JsonObject descriptor, int depth) throws IOException {
        String digest = descriptor.getValue("digest") instanceof String d ? d : "";
        JsonObject manifest = json(readJson(blobPath(digest)), JsonObject.class, digest);
        if (OCI_INDEX.equals(manifest.getValue("mediaType")) || DOCKER_LIST.equals(manifest.getValue("mediaType"))
                || manifest.getValue("manifests") instanceof JsonArray) {
            if (depth > 4) {
                throw EngineException.invalid("image index nesting too deep at " + digest);
            }
            return imageOf(platformMatch(descriptors(manifest, digest), digest), depth + 1);
        }
        if (!(manifest.getValue("config") instanceof JsonObject config) || !(manifest.getValue("layers") instanceof JsonArray layers)) {
            throw EngineException.invalid("manifest " + digest + " has no config or layers");
        }
        List<String> layerPaths = new ArrayList<>();
        for (Object layer : layers) {
            layerPaths.add(blobPath(layer instanceof JsonObject l && l.getValue("digest") instanceof String d ? d : ""));
        }
        return new Image(blobPath(config.getValue("digest") instanceof String d ? d : ""), List.of(), layerPaths);
    }

    /** The linux/amd64 manifest of a multi-platform index, or its only one. */
    private static JsonObject platformMatch(List<JsonObject> manifests, String digest) {
        for (JsonObject m : manifests) {
            JsonObject platform = m.getValue("platform") instanceof JsonObject p ? p : null;
            if (platform == null || ("linux".equals(platform.getValue("os")) && "amd64".equals(platform.getValue("architecture")))) {
                return m;
            }
        }
        throw EngineException.invalid("index " + digest + " has no linux/amd64 image");
    }

    private static List<JsonObject> descriptors(JsonObject index, String what) {
        List<JsonObject> list = new ArrayList<>();
        if (index.getValue("manifests") instanceof JsonArray manifests) {
            for (Object o : manifests) {
                if (o instanceof JsonObject d && d.getValue("digest") instanceof String) {
                    list.add(d);
                }
            }
        }
        if (list.isEmpty()) {
            throw EngineException.invalid(what + " lists no manifests");
        }
        return list;
    }

    private static boolean tagged(String name) {
        try {
            return ImageReference.parse(name).tag() != null;
        } catch (EngineException e) {
            return false; // a bare "latest" ref.name and the like carry no repository
        }
    }

    private static String blobPath(String digest) {
        return "blobs/sha256/" + Digests.hexOf(digest, "digest");
    }

    boolean exists(String path) {
        try {
            resolve(path);
            return true;
        } catch (EngineException e) {
            return false;
        }
    }

    /** A small JSON file's bytes (configs, manifests), verified against a digest in its name. */
    byte[] readJson(String path) throws IOException {
        Spooled file = resolve(path);
        if (file.size() > MAX_JSON) {
            throw EngineException.invalid(path + " in the archive is over " + (MAX_JSON >> 20) + " MiB");
        }
        return Files.readAllBytes(file.file());
    }

    /** A file of the archive (a layer), verified against a digest in its name. */
    InputStream open(String path) throws IOException {
        return Files.newInputStream(resolve(path).file());
    }

    /** The sha256 of a file's bytes as stored in the archive. */
    String sha256Hex(String path) {
        return resolve(path).sha256Hex();
    }

    private Spooled resolve(String path) {
        List<String> parts = LayerUnpacker.components(path);
        for (int hop = 0; hop <= MAX_LINK_HOPS; hop++) {
            String joined = String.join("/", parts);
            Spooled file = files.get(joined);
            if (file != null) {
                verify(joined, file);
                return file;
            }
            List<String> next = null;
            for (int i = 1; i <= parts.size() && next == null; i++) {
                String target = links.get(String.join("/", parts.subList(0, i)));
                if (target != null) {
                    next = follow(parts.subList(0, i - 1), target, path);
                    next.addAll(parts.subList(i, parts.size()));
                }
            }
            if (next == null) {
                throw EngineException.invalid("the archive has no file " + path);
            }
            parts = next;
        }
        throw EngineException.invalid("too many symlinks resolving " + path + " in the archive");
    }

    /** A link target taken relative to its directory (or to the archive root if absolute), kept inside. */
    private static List<String> follow(List<String> dirParts, String target, String path) {
        List<String> result = target.startsWith("/") ? new ArrayList<>() : new ArrayList<>(dirParts);
        for (String part : target.split("/")) {
            if (part.equals("..")) {
                if (result.isEmpty()) {
                    throw EngineException.invalid("a symlink resolving " + path + " points outside the archive");
                }
                result.removeLast();
            } else if (!part.isEmpty() && !part.equals(".")) {
                result.add(part);
            }
        }
        return result;
    }

    private static void verify(String path, Spooled file) {
        Matcher m = NAMED_BY_DIGEST.matcher(path);
        if (m.matches()) {
            String expected = m.group(1) != null ? m.group(1) : m.group(2);
            if (!expected.equals(file.sha256Hex())) {
                throw EngineException.invalid("corrupt archive: " + path + " has digest sha256:" + file.sha256Hex());
            }
        }
    }

    private static <T> T json(byte[] bytes, Class<T> type, String what) {
        try {
            Object value = Buffer.buffer(bytes).toJsonValue();
            if (type.isInstance(value)) {
                return type.cast(value);
            }
        } catch (DecodeException e) {
            throw EngineException.invalid(what + " in the archive is not valid JSON: " + e.getMessage());
        }
        throw EngineException.invalid(what + " in the archive is not a JSON " + (type == JsonArray.class ? "array" : "object"));
    }

    private static List<String> strings(Object value, String what) {
        List<String> list = new ArrayList<>();
        if (value instanceof JsonArray array) {
            for (Object o : array) {
                if (!(o instanceof String s)) {
                    throw EngineException.invalid("manifest.json: " + what + " must hold strings");
                }
                list.add(s);
            }
        } else if (value != null) {
            throw EngineException.invalid("manifest.json: " + what + " must be an array");
        }
        return list;
    }

    @Override
    public void close() throws IOException {
        LayerUnpacker.deleteTree(dir);
    }
}
