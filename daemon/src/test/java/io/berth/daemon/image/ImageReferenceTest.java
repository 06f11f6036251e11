package io.berth.daemon.image;

import io.berth.errors.EngineException;
import io.berth.errors.ErrorKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reference parsing and normalization against Docker's rules, and the familiar form the CLI shows. */
class ImageReferenceTest {
    private static final String DIGEST = "sha256:" + "ab".repeat(32);

    @ParameterizedTest
    @CsvSource({
            "busybox, docker.io/library/busybox:latest",
            "busybox:1.36, docker.io/library/busybox:1.36",
            "library/busybox, docker.io/library/busybox:latest",
            "docker.io/busybox, docker.io/library/busybox:latest",
            "index.docker.io/library/busybox:1, docker.io/library/busybox:1",
            "user/app, docker.io/user/app:latest",
            "user/app:v2.0-rc_1, docker.io/user/app:v2.0-rc_1",
            "localhost:5000/x:1, localhost:5000/x:1",
            "localhost/x, localhost/x:latest",
            "registry.example.com/a/b/c:v1, registry.example.com/a/b/c:v1",
            "my-registry:443/team/app, my-registry:443/team/app:latest",
            "a__b-c/e--f.g, docker.io/a__b-c/e--f.g:latest",
    })
    void normalizesLikeDocker(String input, String normalized) {
        assertEquals(normalized, ImageReference.normalize(input));
    }

    @Test
    void digestsAreKeptAndGetNoDefaultTag() {
        assertEquals("docker.io/library/busybox@" + DIGEST, ImageReference.normalize("busybox@" + DIGEST));
        ImageReference both = ImageReference.parse("localhost:5000/x:1@" + DIGEST);
        assertEquals("1", both.tag());
        assertEquals(DIGEST, both.digest());
        assertEquals("localhost:5000/x:1@" + DIGEST, both.toString());
    }

    @Test
    void exposesItsParts() {
        ImageReference ref = ImageReference.parse("busybox");
        assertEquals("docker.io", ref.domain());
        assertEquals("library/busybox", ref.path());
        assertNull(ref.tag());
        assertEquals("docker.io/library/busybox", ref.name());
        assertEquals("docker.io/library/busybox:musl", ref.withTag("musl").toString());
        assertEquals(ImageReference.parse("docker.io/library/busybox:latest"), ref.withDefaultTag());
    }

    @ParameterizedTest
    @CsvSource({
            "docker.io/library/busybox:latest, busybox:latest, busybox",
            "docker.io/user/app:1, user/app:1, user/app",
            "docker.io/library/a/b:2, library/a/b:2, library/a/b",
            "localhost:5000/x:1, localhost:5000/x:1, localhost:5000/x",
            "quay.io/library/x:3, quay.io/library/x:3, quay.io/library/x",
    })
    void familiarFormIsWhatTheCliShows(String normalized, String familiar, String familiarName) {
        ImageReference ref = ImageReference.parse(normalized);
        assertEquals(familiar, ref.familiar());
        assertEquals(familiarName, ref.familiarName());
        assertEquals(normalized, ImageReference.normalize(ref.familiar()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Busybox", "busybox:", "busybox:-x", "busybox:a/b", "-busybox", "busybox/", "a//b",
            "bu sybox", "busybox@sha256:abc", "busybox@", ":latest",
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "host:port:x/y"})
    void rejectsInvalidReferences(String input) {
        EngineException e = assertThrows(EngineException.class, () -> ImageReference.parse(input));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage().startsWith("invalid reference format"), e.getMessage());
    }

    @Test
    void uppercaseRepositoryGetsAClearMessage() {
        EngineException e = assertThrows(EngineException.class, () -> ImageReference.parse("Busybox"));
        assertTrue(e.getMessage().contains("must be lowercase"), e.getMessage());
    }
}
