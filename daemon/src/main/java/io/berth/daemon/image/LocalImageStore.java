package io.berth.daemon.image;

import io.berth.daemon.os.IdMap;
import io.berth.errors.EngineException;
import io.berth.errors.ErrorKind;
import io.vertx.core.json.JsonObject;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiFunction;

/**
 * The {@link ImageStore} on the local disk, content-addressed so registry pull and push can share it.
 *
 * <pre>
 * root/
 *   blobs/sha256/&lt;hex&gt;     image configs exactly as stored (hex = image id) and layer tars,
 *                           uncompressed (hex = diffID), so save re-emits the same bytes
 *   layers/&lt;chain hex&gt;/     each layer unpacked once, named by its OCI chain ID: an overlayfs lowerdir
 *   layers/&lt;chain hex&gt;.json {"diffID", "size"}: what reusing the layer needs without walking it
 *   …/.tmp-*                work in progress, next to its final place; removed on construction
 * </pre>
 *
 * <p>Writers unpack and verify in temporary places without a lock, then commit under one lock: sync the
 * file system, rename layer blobs, layer records, layer directories, configs last (a config present
 * means its layers are), sync again. Deletion runs the other way, configs last, so a crashed delete can
 * be repeated. Which images exist and their tags are the journal's business: the store answers by id.
 * Blocking; thread-safe.
 */
public final class LocalImageStore implements ImageStore {
    private static final String TMP = ".tmp-";
    private static final long MAX_CONFIG = 64L << 20;

    private final Path root;
    private final Path blobs;
    private final Path layers;
    private final IdMap ids;
    private final NativeFs fs = NativeFs.get();
    private final Object commitLock = new Object();

    /** A layer unpacked into temporary places: its directory and its tar blob, not yet committed. */
    private record Staged(String diffHex, Path dir, Path blob, long size, long tarBytes) {}

    /** Opens (creating if needed) the store at {@code root}, removing what a crash left half-done. */
    public LocalImageStore(Path root) {
        this(root, IdMap.NONE);
    }

    @Override
    public IdMap ids() {
        return ids;
    }

    /** As {@link #LocalImageStore(Path)}, layers' owners shifted into the host range of {@code ids}. */
    public LocalImageStore(Path root, IdMap ids) {
        this.root = root;
        this.ids = ids;
        this.blobs = root.resolve("blobs").resolve("sha256");
        this.layers = root.resolve("layers");
        try {
            if (!Files.isDirectory(root)) {
                Files.createDirectories(root);
                fs.chmod(root, 0700); // layers hold setuid binaries: nobody else needs to reach them
            }
            Files.createDirectories(blobs);
            Files.createDirectories(layers);
            removeLeftovers();
        } catch (IOException e) {
            throw EngineException.internal("cannot open the image store at " + root + ": " + e.getMessage(), e);
        }
    }

    private void removeLeftovers() throws IOException {
        for (Path dir : List.of(root, blobs, layers)) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, TMP + "*")) {
                for (Path entry : entries) {
                    LayerUnpacker.deleteTree(entry);
                }
            }
        }
        // A record whose directory never got renamed in: the commit stopped between the two.
        try (DirectoryStream<Path> records = Files.newDirectoryStream(layers, "*.json")) {
            for (Path record : records) {
                String hex = record.getFileName().toString().replace(".json", "");
                if (!Files.isDirectory(layers.resolve(hex), LinkOption.NOFOLLOW_LINKS)) {
                    Files.delete(record);
                }
            }
        }
    }

    @Override
    public StoredImage importRootfs(InputStream tarball, ImportOptions options) {
        JsonObject config = DockerfileChanges.apply(options.changes()); // refuse bad changes before reading
        Staged staged = null;
        try (InputStream tar = LayerUnpacker.decompressed(tarball)) {
            staged = stage(tar);
            if (staged.tarBytes() == 0) {
                throw EngineException.invalid("the tarball is empty");
            }
            String hex = staged.diffHex(); // a one-layer image's chain ID is its diffID
            String diffId = Digests.PREFIX + hex;
            byte[] raw = ImageConfigJson.forImport(config, diffId, options.message(), options.createdNanos());
            String id = Digests.PREFIX + Digests.hexOf(raw);
            synchronized (commitLock) {
                commit(Map.of(hex, staged), Map.of(id, raw));
            }
            staged = null;
            return new StoredImage(id, layerSize(hex), options.createdNanos(), List.of(diffId));
        } catch (IOException e) {
            throw EngineException.internal("cannot import the image: " + e.getMessage(), e);
        } finally {
            discard(staged);
        }
    }

    @Override
    public List<LoadedImage> load(InputStream archive) {
        Map<String, Staged> staged = new LinkedHashMap<>(); // by chain hex, so shared layers unpack once
        try (InputStream tar = LayerUnpacker.decompressed(archive);
             ArchiveReader reader = ArchiveReader.spool(tar, root.resolve(TMP + "load-" + UUID.randomUUID()))) {
            Map<String, byte[]> configs = new LinkedHashMap<>();
            List<LoadedImage> loaded = new ArrayList<>();
            for (ArchiveReader.Image image : reader.images()) {
                byte[] raw = reader.readJson(image.config());
                LoadedImage prepared = prepare(reader, image, raw, staged);
                configs.put(prepared.image().id(), raw);
                loaded.add(prepared);
            }
            synchronized (commitLock) {
                commit(staged, configs);
            }
            staged.clear();
            return loaded;
        } catch (IOException e) {
            throw EngineException.internal("cannot load the images: " + e.getMessage(), e);
        } finally {
            staged.values().forEach(this::discard);
        }
    }

    /** Checks one image of an archive and stages the layers the store lacks; commits nothing. */
    private LoadedImage prepare(ArchiveReader reader, ArchiveReader.Image image, byte[] raw, Map<String, Staged> staged)
            throws IOException {
        List<String> tags = new ArrayList<>();
        for (String tag : image.tags()) {
            ImageReference ref = ImageReference.parse(tag);
            if (ref.tag() == null) {
                throw EngineException.invalid("invalid archive: RepoTags entry \"" + tag + "\" has no tag");
            }
            tags.add(ref.toString());
        }
        StoredImage stored = stageImage(raw, "load", image.layers().size(), staged, i -> new Layer(
                reader.open(image.layers().get(i)), "layer " + i + " (" + image.layers().get(i) + ")", "corrupt archive"));
        return new LoadedImage(stored, tags);
    }

    /** One layer's tar (plain or gzip-compressed) as a source gives it, with how errors name it. */
    private record Layer(InputStream in, String name, String mismatch) {}

    @FunctionalInterface
    private interface LayerOpener {
        Layer open(int index) throws IOException;
    }

    /**
     * Checks an image config and stages each of its layers the store lacks, opened from {@code opener};
     * verifies every staged layer's diffID against the config. Commits nothing.
     *
     * @param layerCount how many layers the source lists, which must match the config's diff_ids
     */
    private StoredImage stageImage(byte[] raw, String verb, int layerCount, Map<String, Staged> staged, LayerOpener opener)
            throws IOException {
        String id = Digests.PREFIX + Digests.hexOf(raw);
        String what = "image " + id;
        JsonObject json = ImageConfigJson.read(raw, what);
        Object os = json.getValue("os");
        if (os != null && !"linux".equals(os)) {
            throw EngineException.invalid("cannot " + verb + " " + os + " image " + id + " on linux");
        }
        List<String> diffIds = ImageConfigJson.diffIds(json, what);
        if (diffIds.size() != layerCount) {
            throw EngineException.invalid("invalid " + (verb.equals("load") ? "archive" : "manifest") + ": " + what + " has " + diffIds.size()
                    + " diff_ids but the manifest lists " + layerCount + " layers");
        }
        List<String> chain = Digests.chainIds(diffIds);
        long size = 0;
        for (int i = 0; i < diffIds.size(); i++) {
            String chainHex = chain.get(i).substring(Digests.PREFIX.length());
            if (!staged.containsKey(chainHex) && !layerPresent(chainHex)) {
                staged.put(chainHex, stageLayer(opener.open(i), diffIds.get(i), what));
            }
            size += staged.containsKey(chainHex) ? staged.get(chainHex).size() : layerSize(chainHex);
        }
        return new StoredImage(id, size, ImageConfigJson.createdNanos(json, what), diffIds);
    }

    private Staged stageLayer(Layer layer, String diffId, String what) throws IOException {
        String where = layer.name() + " of " + what;
        Staged staged;
        try (InputStream raw = layer.in(); InputStream tar = LayerUnpacker.decompressed(raw)) {
            staged = stage(tar);
        } catch (EngineException e) {
            throw new EngineException(e.kind(), where + ": " + e.getMessage(), e);
        }
        if (!diffId.equals(Digests.PREFIX + staged.diffHex())) {
            discard(staged);
            throw EngineException.invalid(layer.mismatch() + ": " + where + " has diffID sha256:" + staged.diffHex()
                    + " but the image config says " + diffId);
        }
        return staged;
    }

    /** Unpacks a layer tar into a temporary directory while keeping its bytes and hashing them. */
    private Staged stage(InputStream tar) throws IOException {
        Path dir = layers.resolve(TMP + UUID.randomUUID());
        Path blob = blobs.resolve(TMP + UUID.randomUUID());
        Files.createDirectory(dir);
        try (OutputStream copy = new BufferedOutputStream(Files.newOutputStream(blob, StandardOpenOption.CREATE_NEW), 65536)) {
            DigestingInputStream in = new DigestingInputStream(tar, copy);
            long size = LayerUnpacker.unpack(in, dir, ids);
            try {
                in.drain();
            } catch (IOException e) {
                throw EngineException.invalid("invalid tar archive: " + e.getMessage());
            }
            return new Staged(in.hex(), dir, blob, size, in.count());
        } catch (IOException | RuntimeException e) {
            discard(dir, blob);
            throw e;
        }
    }

    /**
     * Moves staged layers and then configs into place; holds {@link #commitLock}. A layer someone else
     * committed meanwhile is kept and the staged copy dropped.
     */
    private void commit(Map<String, Staged> staged, Map<String, byte[]> configs) throws IOException {
        Map<String, Path> configTmps = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, byte[]> config : configs.entrySet()) {
                Path tmp = blobs.resolve(TMP + UUID.randomUUID());
                configTmps.put(config.getKey(), tmp);
                Files.write(tmp, config.getValue(), StandardOpenOption.CREATE_NEW);
            }
            fs.syncFilesystem(root); // staged files reach the disk before any rename can expose them
            for (Map.Entry<String, Staged> layer : staged.entrySet()) {
                commitLayer(layer.getKey(), layer.getValue());
            }
            for (Map.Entry<String, byte[]> config : configs.entrySet()) {
                String id = config.getKey();
                for (String chainId : Digests.chainIds(diffIdsOf(config.getValue(), id))) {
                    if (!layerPresent(chainId.substring(Digests.PREFIX.length()))) {
                        throw new EngineException(ErrorKind.CONFLICT, "a layer of image " + id
                                + " was deleted while the image was being stored; try again");
                    }
                }
            }
            for (Map.Entry<String, Path> tmp : configTmps.entrySet()) {
                Files.move(tmp.getValue(), blobs.resolve(tmp.getKey().substring(Digests.PREFIX.length())),
                        StandardCopyOption.ATOMIC_MOVE);
            }
            fs.syncFilesystem(root); // and the renames
        } finally {
            for (Path tmp : configTmps.values()) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    private void commitLayer(String chainHex, Staged staged) throws IOException {
        Path dir = layers.resolve(chainHex);
        if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            discard(staged);
            return;
        }
        Path blob = blobs.resolve(staged.diffHex());
        if (Files.exists(blob)) {
            Files.delete(staged.blob());
        } else {
            Files.move(staged.blob(), blob, StandardCopyOption.ATOMIC_MOVE);
        }
        byte[] record = new JsonObject().put("diffID", Digests.PREFIX + staged.diffHex()).put("size", staged.size())
                .encode().getBytes(StandardCharsets.UTF_8);
        Path recordTmp = layers.resolve(TMP + UUID.randomUUID());
        Files.write(recordTmp, record, StandardOpenOption.CREATE_NEW);
        Files.move(recordTmp, layers.resolve(chainHex + ".json"), StandardCopyOption.ATOMIC_MOVE);
        Files.move(staged.dir(), dir, StandardCopyOption.ATOMIC_MOVE);
    }

    private void discard(Staged staged) {
        if (staged != null) {
            discard(staged.dir(), staged.blob());
        }
    }

    private static void discard(Path dir, Path blob) {
        try {
            LayerUnpacker.deleteTree(dir);
            Files.deleteIfExists(blob);
        } catch (IOException e) {
            // The next start removes .tmp-* leftovers; the caller's own error matters more.
        }
    }

    @Override
    public void save(List<SaveRequest> images, OutputStream out) {
        Map<String, List<ImageReference>> tagsById = new LinkedHashMap<>();
        for (SaveRequest request : images) {
            List<ImageReference> tags = tagsById.computeIfAbsent(request.imageId(), k -> new ArrayList<>());
            for (String tag : request.tags()) {
                ImageReference ref = ImageReference.parse(tag);
                if (ref.tag() == null && ref.digest() != null) {
                    continue; // a digest is not a tag: docker save drops these too
                }
                ref = ref.withDefaultTag();
                if (!tags.contains(ref)) {
                    tags.add(ref);
                }
            }
        }
        List<ArchiveWriter.Entry> entries = new ArrayList<>();
        for (Map.Entry<String, List<ImageReference>> image : tagsById.entrySet()) {
            byte[] raw = rawConfig(image.getKey());
            JsonObject json = ImageConfigJson.read(raw, image.getKey());
            ImageConfig config = ImageConfigJson.imageConfig(json);
            List<String> diffIds = ImageConfigJson.diffIds(json, image.getKey());
            for (String diffId : diffIds) {
                if (!Files.isRegularFile(blobs.resolve(diffId.substring(Digests.PREFIX.length())))) {
                    throw new EngineException(ErrorKind.DATA_LOSS, "layer " + diffId + " of image " + image.getKey()
                            + " is missing from the image store");
                }
            }
            entries.add(new ArchiveWriter.Entry(image.getKey(), raw, diffIds, image.getValue(), config.os(), config.architecture()));
        }
        try {
            ArchiveWriter.write(entries, blobs, out);
        } catch (IOException e) {
            throw EngineException.internal("cannot save the images: " + e.getMessage(), e);
        }
    }

    @Override
    public ImageConfig config(String imageId) {
        return ImageConfigJson.imageConfig(ImageConfigJson.read(rawConfig(imageId), imageId));
    }

    @Override
    public byte[] rawConfig(String imageId) {
        byte[] raw = readConfig(imageId);
        if (raw == null) {
            throw EngineException.notFound("No such image: " + imageId);
        }
        return raw;
    }

    /**
     * The config blob of an image, or null. Layer tars share the blob directory, so a blob only counts as
     * a config if it is a JSON object with a rootfs: a layer's diffID is not an image id.
     */
    private byte[] readConfig(String imageId) {
        Path path = blobs.resolve(Digests.hexOf(imageId, "image id"));
        try {
            if (Files.size(path) > MAX_CONFIG) {
                return null;
            }
            byte[] raw = Files.readAllBytes(path);
            if (raw.length == 0 || raw[0] != '{') {
                return null;
            }
            diffIdsOf(raw, imageId);
            return raw;
        } catch (NoSuchFileException e) {
            return null;
        } catch (EngineException e) {
            return null;
        } catch (IOException e) {
            throw EngineException.internal("cannot read the config of " + imageId + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<Path> layerDirs(String imageId) {
        List<Path> dirs = new ArrayList<>();
        for (String chainId : Digests.chainIds(diffIds(imageId))) {
            Path dir = layers.resolve(chainId.substring(Digests.PREFIX.length()));
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                throw new EngineException(ErrorKind.DATA_LOSS, "layer " + chainId + " of image " + imageId + " is missing");
            }
            dirs.add(dir);
        }
        return dirs;
    }

    @Override
    public boolean has(String imageId) {
        byte[] raw = readConfig(imageId);
        if (raw == null) {
            return false;
        }
        for (String chainId : Digests.chainIds(diffIdsOf(raw, imageId))) {
            if (!layerPresent(chainId.substring(Digests.PREFIX.length()))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void delete(String imageId, Set<String> keep) {
        Digests.hexOf(imageId, "image id");
        synchronized (commitLock) {
            byte[] raw = readConfig(imageId);
            if (raw == null) {
                return; // already gone: deleting is idempotent
            }
            Set<String> keptChains = new HashSet<>();
            Set<String> keptDiffs = new HashSet<>();
            for (String other : keep) {
                byte[] otherRaw = other.equals(imageId) ? null : readConfig(other);
                if (otherRaw != null) {
                    List<String> diffIds = diffIdsOf(otherRaw, other);
                    keptDiffs.addAll(diffIds);
                    keptChains.addAll(Digests.chainIds(diffIds));
                }
            }
            List<String> diffIds = diffIdsOf(raw, imageId);
            List<String> chain = Digests.chainIds(diffIds);
            try {
                for (int i = chain.size() - 1; i >= 0; i--) {
                    String chainHex = chain.get(i).substring(Digests.PREFIX.length());
                    if (!keptChains.contains(chain.get(i))) {
                        deleteLayer(chainHex);
                    }
                    if (!keptDiffs.contains(diffIds.get(i))) {
                        Files.deleteIfExists(blobs.resolve(diffIds.get(i).substring(Digests.PREFIX.length())));
                    }
                }
                Files.deleteIfExists(blobs.resolve(imageId.substring(Digests.PREFIX.length())));
            } catch (IOException e) {
                throw EngineException.internal("cannot delete image " + imageId + ": " + e.getMessage(), e);
            }
        }
    }

    /** Renames the directory away first, so a half-deleted tree is never mistaken for a layer. */
    private void deleteLayer(String chainHex) throws IOException {
        Path dir = layers.resolve(chainHex);
        if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            Path doomed = layers.resolve(TMP + "deleted-" + UUID.randomUUID());
            Files.move(dir, doomed, StandardCopyOption.ATOMIC_MOVE);
            LayerUnpacker.deleteTree(doomed);
        }
        Files.deleteIfExists(layers.resolve(chainHex + ".json"));
    }

    private List<String> diffIds(String imageId) {
        return diffIdsOf(rawConfig(imageId), imageId);
    }

    private static List<String> diffIdsOf(byte[] raw, String imageId) {
        return ImageConfigJson.diffIds(ImageConfigJson.read(raw, imageId), imageId);
    }

    private boolean layerPresent(String chainHex) {
        return Files.isDirectory(layers.resolve(chainHex), LinkOption.NOFOLLOW_LINKS);
    }

    private long layerSize(String chainHex) {
        try {
            byte[] record = Files.readAllBytes(layers.resolve(chainHex + ".json"));
            return new JsonObject(new String(record, StandardCharsets.UTF_8)).getLong("size", 0L);
        } catch (IOException e) {
            throw new EngineException(ErrorKind.DATA_LOSS, "the record of layer sha256:" + chainHex + " is unreadable", e);
        }
    }

    // ---- distribution

    @Override
    public List<Integer> missingLayers(byte[] rawConfig) {
        String id = Digests.PREFIX + Digests.hexOf(rawConfig);
        List<String> chain = Digests.chainIds(diffIdsOf(rawConfig, id));
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < chain.size(); i++) {
            if (!layerPresent(chain.get(i).substring(Digests.PREFIX.length()))) {
                missing.add(i);
            }
        }
        return missing;
    }

    @Override
    public StoredImage put(byte[] rawConfig, Map<Integer, Path> layerFiles) {
        Map<String, Staged> staged = new LinkedHashMap<>();
        try {
            String what = "image " + Digests.PREFIX + Digests.hexOf(rawConfig);
            List<String> diffIds = diffIdsOf(rawConfig, what);
            stageInParallel(diffIds, layerFiles, what, staged);
            StoredImage image = stageImage(rawConfig, "pull", diffIds.size(), staged, i -> {
                Path file = layerFiles.get(i);
                if (file == null) {
                    throw new EngineException(ErrorKind.CONFLICT, "layer " + i
                            + " was deleted from the image store during the pull; try again");
                }
                return new Layer(Files.newInputStream(file), "layer " + i, "layers from manifest don't match image configuration");
            });
            synchronized (commitLock) {
                commit(staged, Map.of(image.id(), rawConfig));
            }
            staged.clear();
            return image;
        } catch (IOException e) {
            throw EngineException.internal("cannot store the image: " + e.getMessage(), e);
        } finally {
            staged.values().forEach(this::discard);
        }
    }

    /**
     * Unpacks the missing layers of a pull side by side, one per core at most: each goes into a
     * directory of its own, so only the commit needs them in order. What was staged is in
     * {@code staged} even when another layer failed, for the caller to discard.
     */
    private void stageInParallel(List<String> diffIds, Map<Integer, Path> files, String what, Map<String, Staged> staged)
            throws IOException {
        List<String> chain = Digests.chainIds(diffIds);
        Map<String, Callable<Staged>> tasks = new LinkedHashMap<>();
        for (Map.Entry<Integer, Path> f : files.entrySet()) {
            int i = f.getKey();
            String chainHex = i >= 0 && i < chain.size() ? chain.get(i).substring(Digests.PREFIX.length()) : null;
            if (chainHex != null && !layerPresent(chainHex)) {
                tasks.put(chainHex, () -> stageLayer(new Layer(Files.newInputStream(f.getValue()), "layer " + i,
                        "layers from manifest don't match image configuration"), diffIds.get(i), what));
            }
        }
        if (tasks.size() < 2) {
            return; // nothing to overlap: stageImage does it
        }
        int threads = Math.min(tasks.size(), Runtime.getRuntime().availableProcessors());
        Throwable failure = null;
        try (ExecutorService pool = Executors.newFixedThreadPool(threads, Thread.ofPlatform().daemon().name("berth-unpack-", 0).factory())) {
            Map<String, Future<Staged>> running = new LinkedHashMap<>();
            tasks.forEach((chainHex, task) -> running.put(chainHex, pool.submit(task)));
            for (Map.Entry<String, Future<Staged>> r : running.entrySet()) {
                try {
                    staged.put(r.getKey(), r.getValue().get());
                } catch (ExecutionException e) {
                    failure = failure == null ? e.getCause() : failure;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failure = failure == null ? e : failure;
                }
            }
        }
        switch (failure) {
            case null -> { }
            case IOException e -> throw e;
            case RuntimeException e -> throw e;
            case InterruptedException e -> throw EngineException.internal("interrupted while unpacking layers", e);
            default -> throw EngineException.internal("cannot unpack a layer: " + failure, failure);
        }
    }

    @Override
    public StoredImage commit(String parentImageId, TarWriter layer, BiFunction<JsonObject, String, byte[]> config) {
        JsonObject parent = ImageConfigJson.read(rawConfig(parentImageId), parentImageId);
        Path tar = root.resolve(TMP + "commit-" + UUID.randomUUID());
        try {
            MessageDigest digest = Digests.sha256();
            try (OutputStream out = new DigestOutputStream(new BufferedOutputStream(Files.newOutputStream(tar)), digest)) {
                layer.write(out);
            }
            byte[] raw = config.apply(parent, Digests.PREFIX + Digests.hex(digest));
            int top = diffIdsOf(raw, "the committed image").size() - 1;
            return put(raw, Map.of(top, tar));
        } catch (IOException e) {
            throw EngineException.internal("cannot commit the layer: " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(tar);
            } catch (IOException e) {
                // The next start removes .tmp-* leftovers.
            }
        }
    }

    @Override
    public InputStream openLayer(String diffId) {
        Path blob = blobs.resolve(Digests.hexOf(diffId, "layer digest"));
        try {
            return Files.newInputStream(blob);
        } catch (NoSuchFileException e) {
            throw new EngineException(ErrorKind.DATA_LOSS, "layer " + diffId + " is missing from the image store");
        } catch (IOException e) {
            throw EngineException.internal("cannot read layer " + diffId + ": " + e.getMessage(), e);
        }
    }
}
