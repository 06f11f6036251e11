package io.berth.daemon.image.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.errors.EngineException;
import io.berth.errors.ErrorKind;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The registry client's pure parts: endpoints, auth challenges, credentials, manifests. */
class RegistryPartsTest {
    private static final String D = "sha256:" + "a".repeat(64);

    @Test
    void loopbackAndListedRegistriesMayUsePlainHttp() {
        RegistryHosts h = new RegistryHosts(List.of(), List.of("reg.example:5000", "10.1.0.0/16"), 3, 5);
        assertTrue(h.isInsecure("localhost:5000"));
        assertTrue(h.isInsecure("127.0.0.1:41000"));
        assertTrue(h.isInsecure("reg.example:5000"));
        assertTrue(h.isInsecure("10.1.200.3:443"));
        assertFalse(h.isInsecure("10.2.0.1:443"));
        assertFalse(h.isInsecure("reg.example:5001"));
        assertFalse(h.isInsecure("quay.io"));
    }

    @Test
    void dockerHubPullsTryTheMirrorsFirstAndPushesDoNot() {
        RegistryHosts h = new RegistryHosts(List.of(URI.create("http://127.0.0.1:5001")), List.of(), 3, 5);
        List<RegistryHosts.Endpoint> pull = h.endpoints("docker.io", false);
        assertEquals(List.of("http://127.0.0.1:5001", "https://registry-1.docker.io"),
                pull.stream().map(e -> e.base().toString()).toList());
        assertTrue(pull.get(0).mirror());
        assertEquals(1, h.endpoints("docker.io", true).size());
        RegistryHosts.Endpoint local = h.endpoints("127.0.0.1:5000", false).getFirst();
        assertTrue(local.fallback());
        assertEquals("http://127.0.0.1:5000", local.withHttp().base().toString());
    }

    @Test
    void bearerChallengeParameters() {
        Map<String, String> p = RegistryClient.challengeParams(
                "realm=\"https://auth.example/token\",service=\"registry.example\",scope=\"repository:a/b:pull,push\"");
        assertEquals("https://auth.example/token", p.get("realm"));
        assertEquals("registry.example", p.get("service"));
        assertEquals("repository:a/b:pull,push", p.get("scope"));
        assertEquals("berth", RegistryClient.challengeParams("realm=berth").get("realm"));
    }

    @Test
    void theCliHeaderDecodes() {
        String json = "{\"username\":\"u\",\"password\":\"p\",\"serveraddress\":\"127.0.0.1:5000\"}";
        RegistryAuth a = RegistryAuth.fromHeader(Base64.getUrlEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8)));
        assertEquals("u", a.username());
        assertEquals("p", a.password());
        assertFalse(a.toString().contains("p]"), "no password in logs");
        assertTrue(RegistryAuth.fromHeader(null).anonymous());
        assertTrue(RegistryAuth.fromHeader("e30=").anonymous());
        EngineException bad = assertThrows(EngineException.class, () -> RegistryAuth.fromHeader("%%%"));
        assertEquals(ErrorKind.INVALID_ARGUMENT, bad.kind());
    }

    @Test
    void manifestsAndIndexes() {
        String image = "{\"schemaVersion\":2,\"mediaType\":\"" + Manifest.DOCKER_V2 + "\",\"config\":{\"mediaType\":\""
                + Manifest.DOCKER_CONFIG + "\",\"size\":10,\"digest\":\"" + D + "\"},\"layers\":[{\"mediaType\":\""
                + Manifest.DOCKER_LAYER_GZIP + "\",\"size\":20,\"digest\":\"" + D + "\"}]}";
        Manifest.Image m = assertInstanceOf(Manifest.Image.class, Manifest.parse(image.getBytes(StandardCharsets.UTF_8), ""));
        assertEquals(20, m.layers().getFirst().size());
        Manifest again = Manifest.parse(m.toSchema2(), "");
        assertEquals(m, again);

        String index = "{\"schemaVersion\":2,\"mediaType\":\"" + Manifest.OCI_INDEX + "\",\"manifests\":["
                + "{\"mediaType\":\"" + Manifest.OCI_MANIFEST + "\",\"size\":1,\"digest\":\"sha256:" + "b".repeat(64)
                + "\",\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\"}},"
                + "{\"mediaType\":\"" + Manifest.OCI_MANIFEST + "\",\"size\":1,\"digest\":\"" + D
                + "\",\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}]}";
        Manifest.Index i = assertInstanceOf(Manifest.Index.class, Manifest.parse(index.getBytes(StandardCharsets.UTF_8), ""));
        assertEquals(D, i.pick("linux", "amd64").digest());
        assertEquals(ErrorKind.NOT_FOUND, assertThrows(EngineException.class, () -> i.pick("linux", "s390x")).kind());

        String zstd = image.replace(Manifest.DOCKER_LAYER_GZIP, "application/vnd.oci.image.layer.v1.tar+zstd");
        assertThrows(EngineException.class, () -> Manifest.parse(zstd.getBytes(StandardCharsets.UTF_8), ""));
        assertThrows(EngineException.class, () -> Manifest.parse("{\"schemaVersion\":1}".getBytes(StandardCharsets.UTF_8), ""));
        String badDigest = image.replace(D, "md5:abc");
        assertThrows(EngineException.class, () -> Manifest.parse(badDigest.getBytes(StandardCharsets.UTF_8), ""));
    }
}
