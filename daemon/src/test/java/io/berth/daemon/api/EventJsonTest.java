package io.berth.daemon.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.daemon.events.DockerEvent;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The JSON of each event, byte for byte as dockerd wrote the recorded sample, plus Berth's sequence. */
class EventJsonTest {

    @Test
    void containerAndImageEventsAreEncodedAsDockerdDoes() throws IOException {
        String sample;
        try (InputStream in = getClass().getResourceAsStream("/docker-events-sample.jsonl")) {
            sample = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        int checked = 0;
        long seq = 0;
        for (String line : sample.split("\n")) {
            JsonObject o = new JsonObject(line);
            String type = o.getString("Type");
            if (!type.equals("container") && !type.equals("image")) {
                continue; // networks come with the network feature
            }
            JsonObject actor = o.getJsonObject("Actor");
            Map<String, String> attrs = new TreeMap<>();
            actor.getJsonObject("Attributes").forEach(en -> attrs.put(en.getKey(), (String) en.getValue()));
            DockerEvent e = DockerEvent.of(type, o.getString("Action"), actor.getString("ID"), attrs,
                    o.getLong("timeNano"), ++seq);
            String encoded = EventRoutes.encode(e);
            String suffix = ",\"berth\":{\"seq\":" + seq + "}}";
            assertTrue(encoded.endsWith(suffix), encoded);
            assertEquals(line, encoded.substring(0, encoded.length() - suffix.length()) + "}");
            checked++;
        }
        assertEquals(56, checked);
    }

    @Test
    void daemonEventsHaveNoLegacyFields() {
        String json = EventRoutes.encode(DockerEvent.of("daemon", "start", "d-1", Map.of("name", "h"), 1_500_000_000L, 9));
        assertEquals("{\"Type\":\"daemon\",\"Action\":\"start\",\"Actor\":{\"ID\":\"d-1\",\"Attributes\":{\"name\":\"h\"}},"
                + "\"scope\":\"local\",\"time\":1,\"timeNano\":1500000000,\"berth\":{\"seq\":9}}", json);
    }
}
