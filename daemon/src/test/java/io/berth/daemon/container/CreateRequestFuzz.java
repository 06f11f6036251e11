package io.berth.daemon.container;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.berth.daemon.FuzzFindings;
import io.berth.daemon.image.ImageConfig;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Fuzzes the decoder of {@code POST /containers/create} bodies, JSON parse included: whatever the
 * bytes, the answer is a spec or a client error (4xx), never an internal one.
 */
class CreateRequestFuzz {

    private static final ImageConfig IMAGE = new ImageConfig(List.of("PATH=/bin"), List.of(), List.of("sh"),
            "/", "", Map.of(), "", List.of("80/tcp"), "amd64", "linux");

    @FuzzTest(maxDuration = "20s")
    void aBodyIsASpecOrAClientError(byte[] input) {
        try {
            JsonObject body = new JsonObject(new String(input, StandardCharsets.UTF_8));
            CreateParser.parse(body, "sha256:" + "0".repeat(64), IMAGE, "ab".repeat(32), 2, () -> "anonymous");
        } catch (Throwable t) {
            FuzzFindings.requireClientError(t);
        }
    }
}
