package io.berth.daemon.image;

import static io.berth.daemon.image.ImageTestSupport.assumeRoot;
import static io.berth.daemon.image.ImageTestSupport.busyboxRootfs;
import static io.berth.daemon.image.ImageTestSupport.fingerprint;
import static io.berth.daemon.image.ImageTestSupport.listing;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import io.berth.errors.EngineException;
import io.berth.errors.ErrorKind;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code docker save}/{@code docker load} through the store: round trips, the layout written, shared
 * layers, classic and OCI archives, whiteouts mounted with overlayfs (root), and corrupt archives.
 */
class LocalImageStoreArchiveTest {
    private static final Map<String, String> EMPTY_STORE = Map.of("", "dir", "blobs", "dir", "blobs/sha256", "dir", "layers", "dir");

    @TempDir
    Path tmp;
    Path root;
    LocalImageStore store;

    @BeforeEach
    void open() {
        root = tmp.resolve("image");
        store = new LocalImageStore(root);
    }

    private StoredImage importTar(byte[] tar, String cmd) {
        return store.importRootfs(new ByteArrayInputStream(tar),
                new ImportOptions(List.of("CMD [\"" + cmd + "\"]"), "", 1_700_000_000_000_000_000L));
    }

    private byte[] save(SaveRequest... requests) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        store.save(List.of(requests), out);
        return out.toByteArray();
    }

    private List<LoadedImage> load(byte[] archive) {
        return store.load(new ByteArrayInputStream(archive));
    }

    @Test
    void saveDeleteLoadGivesTheSameImage() throws IOException {
        StoredImage image = importTar(busyboxRootfs(), "sh");
        Map<String, String> layerBefore = fingerprint(store.layerDirs(image.id()).getFirst());
        byte[] blobBefore = Files.readAllBytes(root.resolve("blobs/sha256/" + image.diffIds().getFirst().substring(7)));

        byte[] archive = save(new SaveRequest(image.id(), List.of("docker.io/library/busybox:latest", "busybox:1")));
        assertArrayEquals(archive, save(new SaveRequest(image.id(), List.of("docker.io/library/busybox:latest", "busybox:1"))),
                "saving is deterministic");
        store.delete(image.id(), Set.of());
        assertEquals(EMPTY_STORE, listing(root));

        List<LoadedImage> loaded = load(archive);
        assertEquals(List.of(new LoadedImage(image, List.of("docker.io/library/busybox:latest", "docker.io/library/busybox:1"))),
                loaded);
        ImageTestSupport.assertSameTree(layerBefore, fingerprint(store.layerDirs(image.id()).getFirst()));
        assertArrayEquals(blobBefore, Files.readAllBytes(root.resolve("blobs/sha256/" + image.diffIds().getFirst().substring(7))));
        assertTrue(Files.list(root).noneMatch(p -> p.getFileName().toString().startsWith(".tmp-")), "the spool is gone");
    }

    @Test
    void savesWhatDocker25Writes() {
        StoredImage image = importTar(busyboxRootfs(), "sh");
        String hex = image.id().substring(7);
        String layerHex = image.diffIds().getFirst().substring(7);
        Map<String, byte[]> entries = entries(save(new SaveRequest(image.id(), List.of("docker.io/library/busybox:latest"))));

        assertEquals(List.of("blobs/", "blobs/sha256/", "blobs/sha256/" + hex, "blobs/sha256/" + layerHex),
                List.copyOf(entries.keySet()).subList(0, 4));
        assertArrayEquals(store.rawConfig(image.id()), entries.get("blobs/sha256/" + hex));
        JsonArray manifest = new JsonArray(text(entries.get("manifest.json")));
        assertEquals(new JsonObject().put("Config", "blobs/sha256/" + hex).put("RepoTags", new JsonArray().add("busybox:latest"))
                .put("Layers", new JsonArray().add("blobs/sha256/" + layerHex)), manifest.getJsonObject(0));
        assertEquals(new JsonObject().put("busybox", new JsonObject().put("latest", layerHex)),
                new JsonObject(text(entries.get("repositories"))));
        assertEquals(new JsonObject().put("imageLayoutVersion", "1.0.0"), new JsonObject(text(entries.get("oci-layout"))));
        JsonObject descriptor = new JsonObject(text(entries.get("index.json"))).getJsonArray("manifests").getJsonObject(0);
        assertEquals("docker.io/library/busybox:latest", descriptor.getJsonObject("annotations").getString("io.containerd.image.name"));
        assertEquals("latest", descriptor.getJsonObject("annotations").getString("org.opencontainers.image.ref.name"));
        JsonObject ociManifest = new JsonObject(text(entries.get("blobs/sha256/" + descriptor.getString("digest").substring(7))));
        assertEquals(image.id(), ociManifest.getJsonObject("config").getString("digest"));
        assertEquals(image.diffIds().getFirst(), ociManifest.getJsonArray("layers").getJsonObject(0).getString("digest"));
    }

    @Test
    void severalImagesShareOneLayerBlob() {
        byte[] tar = busyboxRootfs();
        StoredImage a = importTar(tar, "a");
        StoredImage b = importTar(tar, "b");
        byte[] archive = save(new SaveRequest(a.id(), List.of("a:1")), new SaveRequest(b.id(), List.of()),
                new SaveRequest(a.id(), List.of("a:2")));
        String layerEntry = "blobs/sha256/" + a.diffIds().getFirst().substring(7);
        assertEquals(1, entryNames(archive).stream().filter(layerEntry::equals).count(), "the shared layer is written once");

        store.delete(a.id(), Set.of(b.id()));
        store.delete(b.id(), Set.of());
        assertEquals(EMPTY_STORE, listing(root));
        List<LoadedImage> loaded = load(archive);
        assertEquals(List.of(new LoadedImage(a, List.of("docker.io/library/a:1", "docker.io/library/a:2")),
                new LoadedImage(b, List.of())), loaded);
        assertEquals(store.layerDirs(a.id()), store.layerDirs(b.id()));
    }

    @Test
    void loadsAClassicArchiveWithWhiteoutsThatMountWithOverlayfs() throws Exception {
        assumeRoot("whiteouts are character devices (mknod) and trusted.* xattrs; mount needs CAP_SYS_ADMIN");
        byte[] lower = new TarBuilder().dir("a/", 0755).file("a/x", 0644, "x").file("a/y", 0644, "y")
                .dir("b/", 0755).file("b/z", 0644, "z").file("c", 0644, "c").dir("d/", 0755).file("d/keep", 0644, "k").build();
        byte[] upper = new TarBuilder().dir("a/", 0755).file("a/.wh.x", 0644, "")
                .dir("b/", 0755).file("b/.wh..wh..opq", 0644, "").file("b/new", 0644, "new")
                .file(".wh.c", 0644, "").file("e", 0644, "e").build();
        byte[] config = config(digest(lower), digest(upper));
        byte[] baseConfig = config(digest(lower));
        String v1a = "a".repeat(64);
        String v1b = "b".repeat(64);
        String v1c = "c".repeat(64);
        byte[] archive = new TarBuilder()
                .dir(v1a + "/", 0755).file(v1a + "/VERSION", 0644, "1.0").file(v1a + "/json", 0644, "{}")
                .file(v1a + "/layer.tar", 0644, lower)
                .dir(v1b + "/", 0755).file(v1b + "/layer.tar", 0644, upper)
                .dir(v1c + "/", 0755).symlink(v1c + "/layer.tar", "../" + v1a + "/layer.tar")
                .file(Digests.hexOf(config) + ".json", 0644, config)
                .file(Digests.hexOf(baseConfig) + ".json", 0644, baseConfig)
                .file("manifest.json", 0644, new JsonArray()
                        .add(new JsonObject().put("Config", Digests.hexOf(config) + ".json")
                                .put("RepoTags", new JsonArray().add("local/whiteouts:1"))
                                .put("Layers", new JsonArray().add(v1a + "/layer.tar").add(v1b + "/layer.tar")))
                        .add(new JsonObject().put("Config", Digests.hexOf(baseConfig) + ".json").put("RepoTags", (Object) null)
                                .put("Layers", new JsonArray().add(v1c + "/layer.tar"))).encode())
                .file("repositories", 0644, "{\"local/whiteouts\":{\"1\":\"" + v1b + "\"}}")
                .build();

        List<LoadedImage> loaded = load(archive);
        assertEquals(2, loaded.size());
        assertEquals(List.of("docker.io/local/whiteouts:1"), loaded.get(0).tags());
        String id = "sha256:" + Digests.hexOf(config);
        assertEquals(id, loaded.get(0).image().id());
        assertEquals(List.of("sha256:" + digest(lower), "sha256:" + digest(upper)), loaded.get(0).image().diffIds());
        assertEquals(5 + 4, loaded.get(0).image().sizeBytes(), "regular files of both layers, whiteout markers count 0");
        List<Path> dirs = store.layerDirs(id);
        assertEquals(store.layerDirs(loaded.get(1).image().id()).getFirst(), dirs.getFirst(), "the base layer is shared");
        assertEquals(020000, ImageTestSupport.mode(dirs.get(1).resolve("a/x")) & 0170000, "whiteout is a character device");
        assertEquals(0L, Files.getAttribute(dirs.get(1).resolve("a/x"), "unix:rdev", LinkOption.NOFOLLOW_LINKS), "device 0:0");

        Path mnt = Files.createDirectory(tmp.resolve("mnt"));
        run("mount", "-t", "overlay", "overlay", "-o", "lowerdir=" + dirs.get(1) + ":" + dirs.get(0), mnt.toString());
        try {
            assertEquals(Set.of("a", "b", "d", "e"), names(mnt));
            assertEquals(Set.of("y"), names(mnt.resolve("a")), "a/x is whited out");
            assertEquals(Set.of("new"), names(mnt.resolve("b")), "b is opaque: b/z is hidden");
            assertEquals(Set.of("keep"), names(mnt.resolve("d")));
            assertEquals("new", Files.readString(mnt.resolve("b/new")));
        } finally {
            run("umount", mnt.toString());
        }
    }

    @Test
    void loadsAnOciLayoutWithGzipLayers() throws IOException {
        byte[] layer = new TarBuilder().dir("etc/", 0755).file("etc/os-release", 0644, "ID=test\n").build();
        byte[] gz = TarBuilder.gzip(layer);
        byte[] config = config(digest(layer));
        byte[] manifest = new JsonObject().put("schemaVersion", 2).put("mediaType", "application/vnd.oci.image.manifest.v1+json")
                .put("config", new JsonObject().put("mediaType", "application/vnd.oci.image.config.v1+json")
                        .put("digest", "sha256:" + digest(config)).put("size", config.length))
                .put("layers", new JsonArray().add(new JsonObject().put("mediaType", "application/vnd.oci.image.layer.v1.tar+gzip")
                        .put("digest", "sha256:" + digest(gz)).put("size", gz.length)))
                .encode().getBytes(StandardCharsets.UTF_8);
        byte[] index = new JsonObject().put("schemaVersion", 2).put("manifests", new JsonArray().add(new JsonObject()
                .put("mediaType", "application/vnd.oci.image.manifest.v1+json").put("digest", "sha256:" + digest(manifest))
                .put("size", manifest.length)
                .put("annotations", new JsonObject().put("io.containerd.image.name", "docker.io/library/gz:1")
                        .put("org.opencontainers.image.ref.name", "1")))).encode().getBytes(StandardCharsets.UTF_8);
        byte[] archive = new TarBuilder().file("oci-layout", 0644, "{\"imageLayoutVersion\":\"1.0.0\"}")
                .file("blobs/sha256/" + digest(gz), 0644, gz).file("blobs/sha256/" + digest(config), 0644, config)
                .file("blobs/sha256/" + digest(manifest), 0644, manifest).file("index.json", 0644, index).build();

        List<LoadedImage> loaded = store.load(new ByteArrayInputStream(TarBuilder.gzip(archive)));
        assertEquals(1, loaded.size());
        assertEquals(List.of("docker.io/library/gz:1"), loaded.getFirst().tags());
        assertEquals(List.of("sha256:" + digest(layer)), loaded.getFirst().image().diffIds());
        assertArrayEquals(layer, Files.readAllBytes(root.resolve("blobs/sha256/" + digest(layer))),
                "layers are stored uncompressed, named by diffID");
        assertEquals("ID=test\n", Files.readString(store.layerDirs(loaded.getFirst().image().id()).getFirst().resolve("etc/os-release")));
    }

    @Test
    void corruptBlobsAreRefusedLeavingNothing() {
        byte[] tar = busyboxRootfs();
        StoredImage image = importTar(tar, "sh");
        byte[] archive = save(new SaveRequest(image.id(), List.of("busybox:latest")));
        StoredImage other = importTar(new TarBuilder().file("other", 0644, "o").build(), "o");
        store.delete(image.id(), Set.of(other.id()));
        Map<String, String> before = listing(root);

        String layerEntry = "blobs/sha256/" + image.diffIds().getFirst().substring(7);
        String configEntry = "blobs/sha256/" + image.id().substring(7);
        for (byte[] corrupt : List.of(
                rewrite(archive, layerEntry, bytes -> flipByte(bytes, bytes.length / 2)),
                rewrite(archive, configEntry, bytes -> text(bytes).replace("amd64", "arm64").getBytes(StandardCharsets.UTF_8)),
                rewrite(archive, "manifest.json", bytes -> text(bytes).replace(configEntry, "blobs/sha256/" + "0".repeat(64))
                        .getBytes(StandardCharsets.UTF_8)))) {
            EngineException e = assertThrows(EngineException.class, () -> load(corrupt));
            assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind(), e.getMessage());
            assertEquals(before, listing(root), "nothing left behind");
        }
        assertFalse(store.has(image.id()));
    }

    @Test
    void aLayerThatDoesNotMatchItsDiffIdIsRefused() {
        byte[] layer = new TarBuilder().file("f", 0644, "right").build();
        byte[] wrong = new TarBuilder().file("f", 0644, "wrong").build();
        byte[] config = config(digest(layer));
        byte[] archive = new TarBuilder().file("layer/layer.tar", 0644, wrong).file("config.json", 0644, config)
                .file("manifest.json", 0644, "[{\"Config\":\"config.json\",\"RepoTags\":[\"x:1\"],\"Layers\":[\"layer/layer.tar\"]}]")
                .build();
        EngineException e = assertThrows(EngineException.class, () -> load(archive));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage().contains("but the image config says sha256:" + digest(layer)), e.getMessage());
        assertEquals(EMPTY_STORE, listing(root));
    }

    @Test
    void aPulledImageHasItsLayersUnpackedSideBySideAndInOrder() throws IOException {
        List<byte[]> layers = List.of(new TarBuilder().file("a", 0644, "1").build(),
                new TarBuilder().file("b", 0644, "2").build(), new TarBuilder().file("a", 0644, "3").build());
        Map<Integer, Path> files = downloaded(layers);
        byte[] config = config(digest(layers.get(0)), digest(layers.get(1)), digest(layers.get(2)));
        StoredImage image = store.put(config, files);
        assertEquals("sha256:" + digest(config), image.id());
        List<String> dirs = store.layerDirs(image.id()).stream().map(d -> text(readOrEmpty(d.resolve("a")))
                + text(readOrEmpty(d.resolve("b")))).toList();
        assertEquals(List.of("1", "2", "3"), dirs, "base layer first, each with its own files");
        assertTrue(listing(root).keySet().stream().noneMatch(p -> p.contains(".tmp")), listing(root).toString());
    }

    @Test
    void aPulledImageWithOneBadLayerLeavesNothing() throws IOException {
        List<byte[]> layers = List.of(new TarBuilder().file("a", 0644, "1").build(),
                new TarBuilder().file("b", 0644, "2").build(), new TarBuilder().file("c", 0644, "3").build());
        Map<Integer, Path> files = downloaded(layers);
        byte[] config = config(digest(layers.get(0)), digest(flipByte(layers.get(1), 600)), digest(layers.get(2)));
        EngineException e = assertThrows(EngineException.class, () -> store.put(config, files));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage().startsWith("layers from manifest don't match image configuration: layer 1 of image"),
                e.getMessage());
        assertEquals(EMPTY_STORE, listing(root));
    }

    /** The layers as files, as a pull hands them to the store, by index. */
    private Map<Integer, Path> downloaded(List<byte[]> layers) throws IOException {
        Map<Integer, Path> files = new HashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            files.put(i, Files.write(tmp.resolve("layer" + i + ".tar"), layers.get(i)));
        }
        return files;
    }

    private static byte[] readOrEmpty(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            return new byte[0];
        }
    }

    @Test
    void refusesArchivesThatAreNotImages() {
        for (byte[] archive : List.of(new TarBuilder().file("hello", 0644, "x").build(),
                new TarBuilder().file("manifest.json", 0644, "{\"not\":\"an array\"}").build(),
                new TarBuilder().file("manifest.json", 0644, "[{\"Config\":\"missing.json\",\"Layers\":[]}]").build(),
                new TarBuilder().file("../manifest.json", 0644, "[]").build())) {
            EngineException e = assertThrows(EngineException.class, () -> load(archive));
            assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind(), e.getMessage());
        }
        assertEquals(EMPTY_STORE, listing(root));
    }

    @Test
    void savingAnUnknownImageIsNotFound() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        EngineException e = assertThrows(EngineException.class,
                () -> store.save(List.of(new SaveRequest("sha256:" + "1".repeat(64), List.of())), out));
        assertEquals(ErrorKind.NOT_FOUND, e.kind());
        assertEquals(0, out.size(), "nothing written before every image is found");
    }

    private static byte[] config(String... diffHexes) {
        JsonArray diffIds = new JsonArray();
        for (String hex : diffHexes) {
            diffIds.add("sha256:" + hex);
        }
        return new JsonObject().put("architecture", "amd64").put("os", "linux").put("created", "2024-01-02T03:04:05.5Z")
                .put("config", new JsonObject().put("Cmd", new JsonArray().add("sh")))
                .put("rootfs", new JsonObject().put("type", "layers").put("diff_ids", diffIds))
                .encode().getBytes(StandardCharsets.UTF_8);
    }

    private static String digest(byte[] bytes) {
        return Digests.hexOf(bytes);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static byte[] flipByte(byte[] bytes, int at) {
        byte[] copy = bytes.clone();
        copy[at] ^= 0x01;
        return copy;
    }

    private static Map<String, byte[]> entries(byte[] archive) {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(archive))) {
            for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                entries.put(e.getName(), in.readAllBytes());
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return entries;
    }

    private static List<String> entryNames(byte[] archive) {
        List<String> names = new ArrayList<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(archive))) {
            for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                names.add(e.getName());
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return names;
    }

    /** The archive with one file's content changed (directories kept as directories). */
    private static byte[] rewrite(byte[] archive, String name, UnaryOperator<byte[]> change) {
        TarBuilder out = new TarBuilder();
        entries(archive).forEach((entry, content) -> {
            if (entry.endsWith("/")) {
                out.dir(entry, 0755);
            } else {
                out.file(entry, 0644, entry.equals(name) ? change.apply(content) : content);
            }
        });
        return out.build();
    }

    private static Set<String> names(Path dir) throws IOException {
        try (var list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), String.join(" ", command) + " timed out");
        assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + output);
    }
}
