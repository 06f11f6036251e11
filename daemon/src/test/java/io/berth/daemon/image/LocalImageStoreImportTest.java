package io.berth.daemon.image;

import io.berth.errors.EngineException;
import io.berth.errors.ErrorKind;
import io.vertx.core.json.JsonObject;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

import static io.berth.daemon.image.ImageTestSupport.FINE_TIME;
import static io.berth.daemon.image.ImageTestSupport.busyboxRootfs;
import static io.berth.daemon.image.ImageTestSupport.isRoot;
import static io.berth.daemon.image.ImageTestSupport.listing;
import static io.berth.daemon.image.ImageTestSupport.mode;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code docker import} into the store: what an unpacked rootfs keeps, the config written, layer reuse,
 * deletion, refusal of hostile tarballs with nothing left behind, and recovery from a crash.
 */
class LocalImageStoreImportTest {
    private static final long CREATED = 1_700_000_000_123_456_789L;

    @TempDir
    Path tmp;
    Path root;
    LocalImageStore store;

    @BeforeEach
    void open() {
        root = tmp.resolve("image");
        store = new LocalImageStore(root);
    }

    private StoredImage importTar(byte[] tar, String... changes) {
        return store.importRootfs(new ByteArrayInputStream(tar), new ImportOptions(List.of(changes), "imported", CREATED));
    }

    @Test
    void importsABusyboxRootfsKeepingWhatMatters() throws IOException {
        byte[] tar = busyboxRootfs();
        StoredImage image = importTar(tar, "CMD [\"sh\"]");

        String diffId = "sha256:" + Digests.hexOf(tar);
        assertEquals(List.of(diffId), image.diffIds());
        assertEquals("sha256:" + Digests.hexOf(store.rawConfig(image.id())), image.id());
        assertEquals(CREATED, image.createdNanos());
        long fileBytes = Files.size(ImageTestSupport.BUSYBOX) + "root:x:0:0:root:/root:/bin/sh\n".length()
                + "root:x:0:\n".length() + "root:*:1::::::\n".length() + 2 * "#!/bin/sh\n".length() + "hello\n".length();
        assertEquals(fileBytes, image.sizeBytes());
        assertTrue(store.has(image.id()));
        assertArrayEquals(tar, Files.readAllBytes(root.resolve("blobs/sha256/" + diffId.substring(7))),
                "the layer tar is kept byte for byte");

        List<Path> dirs = store.layerDirs(image.id());
        assertEquals(List.of(root.resolve("layers").resolve(diffId.substring(7))), dirs);
        Path rootfs = dirs.getFirst();
        assertArrayEquals(Files.readAllBytes(ImageTestSupport.BUSYBOX), Files.readAllBytes(rootfs.resolve("bin/busybox")));
        assertEquals(0100755, mode(rootfs.resolve("bin/busybox")));
        assertEquals(Path.of("/bin/busybox"), Files.readSymbolicLink(rootfs.resolve("bin/sh")),
                "absolute symlink targets are stored as they are");
        assertEquals(Path.of("/bin/busybox"), Files.readSymbolicLink(rootfs.resolve("usr/bin/awk")));
        assertEquals(041777, mode(rootfs.resolve("tmp")));
        assertEquals(040700, mode(rootfs.resolve("root")));
        assertEquals(040755, mode(rootfs));
        assertEquals(0104755, mode(rootfs.resolve("usr/bin/suid-tool")), "setuid kept");
        assertEquals(0102711, mode(rootfs.resolve("usr/bin/sgid-tool")), "setgid kept");
        assertEquals(042750, mode(rootfs.resolve("home/user")), "setgid directory kept");
        assertEquals(FINE_TIME, Files.getLastModifiedTime(rootfs.resolve("home/user/notes.txt")));
        assertEquals(FINE_TIME, Files.getLastModifiedTime(rootfs.resolve("home/user")),
                "a directory's mtime is set after its contents are written");
        assertEquals(FINE_TIME, Files.getLastModifiedTime(rootfs.resolve("home/user/link"), LinkOption.NOFOLLOW_LINKS));
        assertEquals(TarBuilder.DEFAULT_TIME, Files.getLastModifiedTime(rootfs.resolve("etc")));
        assertEquals(Files.getAttribute(rootfs.resolve("etc/passwd"), "unix:ino"),
                Files.getAttribute(rootfs.resolve("usr/bin/passwd-copy"), "unix:ino"), "hard link shares the inode");
        assertEquals(010620, mode(rootfs.resolve("var/fifo")), "FIFO with its mode");
        if (isRoot()) {
            assertEquals(1000, Files.getAttribute(rootfs.resolve("home/user"), "unix:uid"));
            assertEquals(1001, Files.getAttribute(rootfs.resolve("home/user/notes.txt"), "unix:gid"));
            assertEquals(1000, Files.getAttribute(rootfs.resolve("home/user/link"), "unix:uid", LinkOption.NOFOLLOW_LINKS),
                    "symlinks are lchowned, not their targets");
            assertEquals(42, Files.getAttribute(rootfs.resolve("etc/shadow"), "unix:gid"));
            assertEquals(0, Files.getAttribute(rootfs.resolve("bin/busybox"), "unix:uid"));
        }
    }

    @Test
    void writesDockersImageConfig() {
        StoredImage image = importTar(busyboxRootfs(), "CMD [\"sh\"]", "ENV PATH=/usr/bin:/bin", "WORKDIR /root",
                "USER root", "LABEL org.example=yes", "EXPOSE 80/tcp", "STOPSIGNAL SIGTERM", "ENTRYPOINT [\"/bin/busybox\"]");
        JsonObject json = new JsonObject(new String(store.rawConfig(image.id()), StandardCharsets.UTF_8));
        assertEquals("amd64", json.getString("architecture"));
        assertEquals("linux", json.getString("os"));
        assertEquals("2023-11-14T22:13:20.123456789Z", json.getString("created"));
        assertEquals("layers", json.getJsonObject("rootfs").getString("type"));
        assertEquals(image.diffIds(), json.getJsonObject("rootfs").getJsonArray("diff_ids").getList());
        assertEquals("imported", json.getJsonArray("history").getJsonObject(0).getString("comment"));
        assertEquals("2023-11-14T22:13:20.123456789Z", json.getJsonArray("history").getJsonObject(0).getString("created"));

        ImageConfig config = store.config(image.id());
        assertEquals(List.of("sh"), config.cmd());
        assertEquals(List.of("/bin/busybox"), config.entrypoint());
        assertEquals(List.of("PATH=/usr/bin:/bin"), config.env());
        assertEquals("/root", config.workingDir());
        assertEquals("root", config.user());
        assertEquals(Map.of("org.example", "yes"), config.labels());
        assertEquals(List.of("80/tcp"), config.exposedPorts());
        assertEquals("SIGTERM", config.stopSignal());
        assertEquals("amd64", config.architecture());
        assertEquals("linux", config.os());
    }

    @Test
    void sameTarballSameIdAndOneLayer() throws IOException {
        byte[] tar = busyboxRootfs();
        StoredImage plain = importTar(tar, "CMD [\"sh\"]");
        StoredImage gzipped = importTar(TarBuilder.gzip(tar), "CMD [\"sh\"]");
        assertEquals(plain, gzipped, "gzip is detected and the diffID is the uncompressed tar's");
        StoredImage other = importTar(tar, "CMD [\"ls\"]");
        assertNotEquals(plain.id(), other.id());
        assertEquals(plain.diffIds(), other.diffIds());
        try (Stream<Path> layers = Files.list(root.resolve("layers"))) {
            assertEquals(2, layers.count(), "one layer directory and its record, shared by all three imports");
        }
    }

    @Test
    void deleteKeepsLayersOtherImagesUse() {
        byte[] tar = busyboxRootfs();
        StoredImage a = importTar(tar, "CMD [\"a\"]");
        StoredImage b = importTar(tar, "CMD [\"b\"]");
        Path layer = store.layerDirs(a.id()).getFirst();

        store.delete(a.id(), Set.of(b.id(), a.id()));
        assertFalse(store.has(a.id()));
        assertTrue(store.has(b.id()));
        assertTrue(Files.isDirectory(layer));
        assertEquals(ErrorKind.NOT_FOUND, assertThrows(EngineException.class, () -> store.config(a.id())).kind());

        store.delete(b.id(), Set.of());
        store.delete(b.id(), Set.of()); // idempotent
        assertFalse(store.has(b.id()));
        assertEquals(Map.of("", "dir", "blobs", "dir", "blobs/sha256", "dir", "layers", "dir"), listing(root),
                "nothing of either image is left");
    }

    /** Each case: a tar that must be refused, and words the error must contain. */
    static Stream<Arguments> maliciousTars() {
        Function<Path, byte[]> dotDot = outside -> new TarBuilder().file("../x", 0644, "x").build();
        Function<Path, byte[]> hiddenDotDot = outside -> new TarBuilder().dir("a/", 0755).file("./a/../../b", 0644, "x").build();
        Function<Path, byte[]> absolute = outside -> new TarBuilder().file("/etc/x", 0644, "x").build();
        Function<Path, byte[]> hardlinkUp = outside -> new TarBuilder().hardlink("h", "../../etc/passwd").build();
        Function<Path, byte[]> hardlinkAbsolute = outside -> new TarBuilder().hardlink("h", "/etc/passwd").build();
        Function<Path, byte[]> hardlinkThroughSymlink = outside -> new TarBuilder().symlink("s", outside.toString())
                .hardlink("h", "s/secret").build();
        Function<Path, byte[]> writeThroughSymlink = outside -> new TarBuilder().symlink("a", outside.toString())
                .file("a/pwned", 0644, "x").build();
        Function<Path, byte[]> mkdirThroughSymlink = outside -> new TarBuilder().symlink("a", outside.toString())
                .dir("a/sub/", 0755).build();
        Function<Path, byte[]> relativeSymlinkEscape = outside -> new TarBuilder().symlink("a", "../../../../../../..")
                .file("a/pwned", 0644, "x").build();
        Function<Path, byte[]> charDevice = outside -> new TarBuilder().dir("dev/", 0755)
                .device("dev/null", TarConstants.LF_CHR, 1, 3).build();
        Function<Path, byte[]> blockDevice = outside -> new TarBuilder().device("sda", TarConstants.LF_BLK, 8, 0).build();
        Function<Path, byte[]> whiteoutUp = outside -> new TarBuilder().dir("a/", 0755).file("a/.wh...", 0644, "").build();
        Function<Path, byte[]> longName = outside -> new TarBuilder().file("x".repeat(300), 0644, "").build();
        Function<Path, byte[]> emptySymlink = outside -> new TarBuilder().dir("etc/", 0755).symlink("etc/link", "").build();
        return Stream.of(
                Arguments.of("dot-dot", dotDot, "contains \"..\""),
                Arguments.of("hidden dot-dot", hiddenDotDot, "contains \"..\""),
                Arguments.of("absolute path", absolute, "absolute path"),
                Arguments.of("hard link up", hardlinkUp, "is a hard link outside the layer"),
                Arguments.of("hard link absolute", hardlinkAbsolute, "is a hard link outside the layer"),
                Arguments.of("hard link through symlink", hardlinkThroughSymlink, "through the symlink s"),
                Arguments.of("write through symlink", writeThroughSymlink, "through the symlink a"),
                Arguments.of("mkdir through symlink", mkdirThroughSymlink, "through the symlink a"),
                Arguments.of("relative symlink escape", relativeSymlinkEscape, "through the symlink a"),
                Arguments.of("character device", charDevice, "device node"),
                Arguments.of("block device", blockDevice, "device node"),
                Arguments.of("whiteout of ..", whiteoutUp, "whiteout of nothing"),
                Arguments.of("over-long name", longName, "over 255 bytes"),
                Arguments.of("symlink to nothing", emptySymlink, "symlink with an empty target"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("maliciousTars")
    void refusesMaliciousTarsLeavingNothing(String name, Function<Path, byte[]> tar, String message) throws IOException {
        StoredImage existing = importTar(busyboxRootfs());
        Path outside = Files.createDirectory(tmp.resolve("outside"));
        Files.writeString(outside.resolve("secret"), "keep");
        Map<String, String> before = listing(root);

        EngineException e = assertThrows(EngineException.class, () -> importTar(tar.apply(outside)));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
        assertEquals(before, listing(root), "the store is unchanged");
        assertEquals(Map.of("", "dir", "secret", "4 bytes"), listing(outside), "nothing written outside");
        assertTrue(store.has(existing.id()));
    }

    @Test
    void replacingALinkNeverWritesThroughIt() throws IOException {
        Path outside = Files.createDirectory(tmp.resolve("outside"));
        Path secret = Files.writeString(outside.resolve("secret"), "keep");
        byte[] tar = new TarBuilder()
                .file("f", 0644, "original")
                .hardlink("h", "f")
                .file("h", 0644, "replaced")
                .symlink("s", secret.toString())
                .file("s", 0600, "replaced")
                .build();
        Path layer = store.layerDirs(importTar(tar).id()).getFirst();
        assertEquals("original", Files.readString(layer.resolve("f")));
        assertEquals("replaced", Files.readString(layer.resolve("h")));
        assertFalse(Files.isSymbolicLink(layer.resolve("s")));
        assertEquals("keep", Files.readString(secret));
    }

    @Test
    void refusesInputThatIsNoTarball() {
        Map<String, String> before = listing(root);
        for (byte[] input : List.of(new byte[0], "this is not a tar archive, it is plain text".repeat(20).getBytes(StandardCharsets.UTF_8),
                TarBuilder.gzip("not a tar either".repeat(50).getBytes(StandardCharsets.UTF_8)))) {
            EngineException e = assertThrows(EngineException.class, () -> importTar(input));
            assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind(), e.getMessage());
        }
        assertEquals(before, listing(root));
    }

    @Test
    void refusesBadChangesBeforeReadingTheTarball() {
        InputStream untouchable = new InputStream() {
            @Override
            public int read() {
                throw new AssertionError("the tarball must not be read");
            }
        };
        EngineException e = assertThrows(EngineException.class,
                () -> store.importRootfs(untouchable, new ImportOptions(List.of("RUN true"), "", 0)));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
    }

    @Test
    void answersForUnknownAndMalformedIds() {
        StoredImage image = importTar(busyboxRootfs());
        String unknown = "sha256:" + "0".repeat(64);
        assertFalse(store.has(unknown));
        assertFalse(store.has(image.diffIds().getFirst()), "a layer's digest is not an image id");
        assertEquals(ErrorKind.NOT_FOUND, assertThrows(EngineException.class, () -> store.rawConfig(unknown)).kind());
        assertEquals(ErrorKind.NOT_FOUND, assertThrows(EngineException.class, () -> store.layerDirs(unknown)).kind());
        assertEquals(ErrorKind.NOT_FOUND, assertThrows(EngineException.class,
                () -> store.config(image.diffIds().getFirst())).kind());
        for (String bad : List.of("busybox", "sha256:../../etc", "sha256:" + "A".repeat(64))) {
            assertEquals(ErrorKind.INVALID_ARGUMENT, assertThrows(EngineException.class, () -> store.config(bad)).kind());
        }
        store.delete(unknown, Set.of());
    }

    @Test
    void constructionRemovesWhatACrashLeft() throws IOException {
        StoredImage image = importTar(busyboxRootfs());
        Map<String, String> committed = listing(root);
        Files.createDirectories(root.resolve("layers/.tmp-1234/bin"));
        Files.writeString(root.resolve("layers/.tmp-1234/bin/half"), "x");
        Files.writeString(root.resolve("blobs/sha256/.tmp-5678"), "partial blob");
        Files.createDirectories(root.resolve(".tmp-load-9"));
        Files.writeString(root.resolve("layers/" + "1".repeat(64) + ".json"), "{\"size\":1}");

        LocalImageStore reopened = new LocalImageStore(root);
        assertEquals(committed, listing(root));
        assertTrue(reopened.has(image.id()));
    }
}
