package io.berth.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Pull and push against real registries (Debian's docker-registry on loopback): a round trip keeps the
 * image id and the manifest digest; Docker Hub references go through {@code registry-mirrors}; a
 * corrupted blob is refused with nothing left in the store, a broken or stalled download resumes; basic auth
 * and bearer tokens (a token server the registry trusts) work through {@code docker login}.
 */
class RegistryIT extends DaemonTest {
    private static final int STALL_SECONDS = 3;

    private Path work;
    private Registry plain;
    private Registry mirror;
    private Registry locked;
    private TokenServer tokens;
    private Registry tokened;
    private TamperingProxy proxy;

    @Override
    String daemonJson() {
        try {
            work = Files.createTempDirectory("berth-registry-it");
            plain = Registry.start(work.resolve("plain"));
            mirror = Registry.start(work.resolve("mirror"));
            locked = Registry.start(work.resolve("locked"), "berth", "s3cret");
            tokens = TokenServer.start(work.resolve("tokens"), "berth", "t0ken");
            tokened = Registry.start(work.resolve("tokened"), tokens);
            proxy = new TamperingProxy(plain.host());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return "{\"registry-mirrors\": [\"http://" + mirror.host() + "\"], \"max-concurrent-downloads\": 2}\n";
    }

    /** A short stall limit, so that a registry that stops sending mid-blob fails the pull quickly. */
    @Override
    Map<String, String> daemonEnv() {
        return Map.of("BERTH_JAVA_OPTS", "-Dberth.registry.stall-seconds=" + STALL_SECONDS);
    }

    @AfterAll
    void stopRegistries() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {proxy, plain, mirror, locked, tokened, tokens}) {
            if (c != null) {
                c.close();
            }
        }
        if (work != null) {
            try (Stream<Path> all = Files.walk(work)) {
                all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private String id(String ref) throws Exception {
        return ok("image", "inspect", "--format", "{{.Id}}", ref).trimmed();
    }

    /** An imported image of one file of random bytes, large enough for the proxy to spoil. */
    private String payloadImage(String tag) throws Exception {
        Path dir = Files.createDirectories(work.resolve("payload"));
        byte[] random = new byte[300_000];
        new Random(7).nextBytes(random);
        Files.write(dir.resolve("payload"), random);
        Process tar = new ProcessBuilder("tar", "-C", dir.toString(), "-czf", work.resolve("payload.tar.gz").toString(), "payload")
                .inheritIO().start();
        assertEquals(0, tar.waitFor());
        ok("import", work.resolve("payload.tar.gz").toString(), tag);
        return id(tag);
    }

    @Test
    void pushRemovePullKeepsTheIdAndTheDigest() throws Exception {
        String ref = plain.host() + "/berth/busybox:1";
        ok("tag", "busybox", ref);
        String before = id(ref);
        Docker.Result push = ok("push", ref);
        assertTrue(push.out().contains("Pushed"), push.toString());
        String digest = push.out().lines().filter(l -> l.startsWith("1: digest: ")).findFirst().orElseThrow()
                .split(" ")[2];
        ok("rmi", ref);
        Docker.Result pull = ok("pull", ref);
        assertTrue(pull.out().contains("Digest: " + digest), pull.toString());
        assertEquals(before, id(ref));
        String repoDigests = ok("image", "inspect", "--format", "{{.RepoDigests}}", ref).trimmed();
        assertTrue(repoDigests.contains(plain.host() + "/berth/busybox@" + digest), repoDigests);
        assertEquals("hello", ok("run", "--rm", ref, "echo", "hello").trimmed());
        assertTrue(ok("pull", ref).out().contains("Image is up to date"));
        assertEquals(before, id(plain.host() + "/berth/busybox@" + digest));

        Docker.Result again = ok("push", ref);
        assertTrue(again.out().contains("Layer already exists"), again.toString());
        assertTrue(again.out().contains("digest: " + digest), "the same manifest: " + again);

        Docker.Result missing = docker.run("pull", plain.host() + "/berth/busybox:nope");
        assertNotEquals(0, missing.exit());
        assertTrue(missing.err().contains("manifest for " + plain.host() + "/berth/busybox:nope not found: manifest unknown"),
                missing.toString());
        ok("rmi", ref);
    }

    @Test
    void dockerHubReferencesGoThroughTheMirror() throws Exception {
        ok("tag", "busybox", mirror.host() + "/library/busybox:mirrored");
        ok("push", mirror.host() + "/library/busybox:mirrored");
        ok("rmi", mirror.host() + "/library/busybox:mirrored");
        Docker.Result pull = ok("pull", "busybox:mirrored");
        assertTrue(pull.out().contains("Pulling from library/busybox"), pull.toString());
        assertEquals(id("busybox"), id("busybox:mirrored"));
        assertTrue(mirror.log().contains("/v2/library/busybox/manifests/mirrored"), "asked the mirror");
        ok("rmi", "busybox:mirrored");
    }

    @Test
    void aCorruptedBlobIsRefusedAndABrokenDownloadResumes() throws Exception {
        String imageId = payloadImage("layered:1");
        String ref = plain.host() + "/berth/layered:1";
        ok("tag", "layered:1", ref);
        ok("push", ref);
        ok("rmi", ref, "layered:1");
        Path store = berth.root().resolve("data").resolve("image");
        List<String> before = listing(store);

        String viaProxy = proxy.host() + "/berth/layered:1";
        proxy.mode = TamperingProxy.Mode.CORRUPT;
        Docker.Result bad = docker.run("pull", viaProxy);
        assertNotEquals(0, bad.exit());
        assertTrue((bad.out() + bad.err()).contains("filesystem layer verification failed for digest sha256:"), bad.toString());
        assertEquals(before, listing(store), "nothing of the image reached the store");
        assertEquals(1, docker.run("image", "inspect", viaProxy).exit());

        proxy.mode = TamperingProxy.Mode.TRUNCATE;
        proxy.blobRanges.clear();
        Docker.Result cut = docker.run("pull", viaProxy);
        assertNotEquals(0, cut.exit(), cut.toString());
        assertEquals(before, listing(store));

        proxy.mode = TamperingProxy.Mode.STALL;
        long t0 = System.nanoTime();
        Docker.Result stalled = docker.run("pull", viaProxy);
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
        assertNotEquals(0, stalled.exit(), stalled.toString());
        assertTrue((stalled.out() + stalled.err()).contains("stalled: no data for " + STALL_SECONDS + " s; pull again to resume"),
                stalled.toString());
        assertTrue(seconds < 30, "given up after the stall limit, not a long timeout: " + seconds + " s");
        assertEquals(before, listing(store));

        proxy.mode = TamperingProxy.Mode.PASS;
        proxy.blobRanges.clear();
        ok("pull", viaProxy);
        assertEquals(imageId, id(viaProxy));
        assertTrue(proxy.blobRanges.stream().anyMatch(r -> r.startsWith("bytes=") && !r.startsWith("bytes=0-")),
                "the retry asked for the rest only: " + proxy.blobRanges);
        ok("rmi", viaProxy);
    }

    @Test
    void basicAuthThroughDockerLogin() throws Exception {
        String ref = locked.host() + "/team/busybox:1";
        ok("tag", "busybox", ref);
        Docker.Result anonymous = docker.run("push", ref);
        assertNotEquals(0, anonymous.exit());
        assertTrue(anonymous.err().contains("no basic auth credentials") || anonymous.out().contains("no basic auth credentials"),
                anonymous.toString());

        Docker.Result wrong = docker.run("login", "-u", "berth", "-p", "nope", locked.host());
        assertNotEquals(0, wrong.exit());
        assertTrue(wrong.err().contains("401 Unauthorized"), wrong.toString());

        ok("login", "-u", "berth", "-p", "s3cret", locked.host());
        assertTrue(Files.readString(berth.root().resolve("docker-config").resolve("config.json")).contains(locked.host()),
                "the CLI keeps the credentials");
        ok("push", ref);
        ok("rmi", ref);
        ok("pull", ref);
        assertEquals(id("busybox"), id(ref));
        ok("logout", locked.host());
        ok("rmi", ref);
    }

    @Test
    void bearerTokensThroughDockerLogin() throws Exception {
        String ref = tokened.host() + "/team/busybox:1";
        ok("tag", "busybox", ref);
        Docker.Result anonymous = docker.run("push", ref);
        assertNotEquals(0, anonymous.exit());
        assertTrue((anonymous.err() + anonymous.out()).contains("unauthorized: authentication required"), anonymous.toString());

        Docker.Result wrong = docker.run("login", "-u", "berth", "-p", "nope", tokened.host());
        assertNotEquals(0, wrong.exit());
        assertTrue(wrong.err().contains("401 Unauthorized"), wrong.toString());

        tokens.grants.clear();
        ok("login", "-u", "berth", "-p", "t0ken", tokened.host());
        assertEquals(List.of(new TokenServer.Grant("basic", List.of(), true)), tokens.grants,
                "a login asks for a refresh token with the password");
        String config = Files.readString(berth.root().resolve("docker-config").resolve("config.json"));
        assertTrue(config.contains("identitytoken"), "the CLI keeps the identity token: " + config);
        assertFalse(config.contains(Base64.getEncoder().encodeToString("berth:t0ken".getBytes(StandardCharsets.UTF_8))),
                "and not the password: " + config);

        tokens.grants.clear();
        ok("push", ref);
        assertTrue(tokens.grants.contains(new TokenServer.Grant("refresh_token", List.of("repository:team/busybox:pull,push"), false)),
                "the push's token came from the refresh token, for this repository: " + tokens.grants);
        assertTrue(tokens.grants.stream().allMatch(g -> g.how().equals("refresh_token")), tokens.grants.toString());
        ok("rmi", ref);
        tokens.grants.clear();
        ok("pull", ref);
        assertEquals(id("busybox"), id(ref));
        assertTrue(tokens.grants.contains(new TokenServer.Grant("refresh_token", List.of("repository:team/busybox:pull"), false)),
                tokens.grants.toString());
        ok("logout", tokened.host());
        ok("rmi", ref);
    }

    /** The store's files, without the download area (kept for resuming) and the layer-origin cache. */
    private static List<String> listing(Path store) throws IOException {
        try (Stream<Path> all = Files.walk(store)) {
            return List.copyOf(new TreeSet<>(all.map(p -> store.relativize(p).toString())
                    .filter(p -> !p.startsWith("downloads") && !p.startsWith("distribution")).toList()));
        }
    }
}
