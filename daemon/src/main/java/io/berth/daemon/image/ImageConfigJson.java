package io.berth.daemon.image;

import io.berth.errors.EngineException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Docker's image config JSON ({@code application/vnd.docker.container.image.v1+json}, the same shape
 * as the OCI image config): building the one {@code docker import} writes, and reading the parts the
 * store and containers need. The bytes are the image's identity, so reading never re-serializes.
 */
public final class ImageConfigJson {
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss")
            .withZone(ZoneOffset.UTC);

    private ImageConfigJson() {}

    /** The config of an imported one-layer image: amd64/linux, the changes, and one history entry. */
    static byte[] forImport(JsonObject config, String diffId, String message, long createdNanos) {
        String created = rfc3339Nano(createdNanos);
        JsonObject history = new JsonObject().put("created", created);
        JsonObject json = new JsonObject().put("architecture", "amd64");
        if (message != null && !message.isEmpty()) {
            json.put("comment", message);
            history.put("comment", message);
        }
        json.put("config", config)
                .put("created", created)
                .put("history", new JsonArray().add(history))
                .put("os", "linux")
                .put("rootfs", new JsonObject().put("type", "layers").put("diff_ids", new JsonArray().add(diffId)));
        return json.encode().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The config of a committed image: the parent's, with {@code config} in place of its own, one more
     * layer and one more history entry; {@code container}, {@code author} and {@code comment} as
     * dockerd records them.
     */
    static byte[] forCommit(JsonObject parent, JsonObject config, String diffId, String containerId, String author,
                            String comment, String createdBy, long createdNanos) {
        String created = rfc3339Nano(createdNanos);
        JsonObject json = parent.copy();
        json.remove("container_config");
        json.put("config", config).put("container", containerId).put("created", created);
        JsonObject history = new JsonObject().put("created", created);
        putOrRemove(json, history, "author", author);
        history.put("created_by", createdBy);
        putOrRemove(json, history, "comment", comment);
        JsonArray histories = json.getValue("history") instanceof JsonArray h ? h : new JsonArray();
        json.put("history", histories.add(history));
        JsonObject rootfs = json.getJsonObject("rootfs");
        rootfs.getJsonArray("diff_ids").add(diffId);
        return json.encode().getBytes(StandardCharsets.UTF_8);
    }

    private static void putOrRemove(JsonObject json, JsonObject history, String key, String value) {
        if (value == null || value.isEmpty()) {
            json.remove(key);
        } else {
            json.put(key, value);
            history.put(key, value);
        }
    }

    /** Parses a config, refusing anything that is not a JSON object. */
    public static JsonObject read(byte[] raw, String what) {
        try {
            return new JsonObject(Buffer.buffer(raw));
        } catch (DecodeException | ClassCastException e) {
            throw EngineException.invalid(what + " is not a valid image config: " + e.getMessage());
        }
    }

    /** The layers' diffIDs, lowest first; a config without {@code rootfs} of type {@code layers} is refused. */
    public static List<String> diffIds(JsonObject config, String what) {
        JsonObject rootfs = config.getValue("rootfs") instanceof JsonObject o ? o : null;
        if (rootfs == null || !"layers".equals(rootfs.getValue("type")) || !(rootfs.getValue("diff_ids") instanceof JsonArray ids)) {
            throw EngineException.invalid(what + " has no rootfs of type \"layers\"");
        }
        List<String> diffIds = new ArrayList<>();
        for (Object id : ids) {
            if (!(id instanceof String s) || !Digests.isDigest(s)) {
                throw EngineException.invalid(what + " has an invalid diff_id " + id);
            }
            diffIds.add(s);
        }
        return diffIds;
    }

    /** {@code created} in nanoseconds since the epoch, 0 when absent. */
    static long createdNanos(JsonObject config, String what) {
        Object created = config.getValue("created");
        if (created == null) {
            return 0;
        }
        try {
            Instant t = OffsetDateTime.parse(String.valueOf(created)).toInstant();
            return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
        } catch (DateTimeParseException | ArithmeticException e) {
            throw EngineException.invalid(what + " has an invalid created time \"" + created + "\"");
        }
    }

    /** The container-facing part of a stored (already verified) config. */
    static ImageConfig imageConfig(JsonObject json) {
        JsonObject c = json.getValue("config") instanceof JsonObject o ? o : new JsonObject();
        Map<String, String> labels = new LinkedHashMap<>();
        if (c.getValue("Labels") instanceof JsonObject l) {
            l.forEach(e -> labels.put(e.getKey(), String.valueOf(e.getValue())));
        }
        List<String> ports = new ArrayList<>();
        if (c.getValue("ExposedPorts") instanceof JsonObject p) {
            ports.addAll(p.fieldNames());
        }
        return new ImageConfig(strings(c.getValue("Env")), strings(c.getValue("Entrypoint")), strings(c.getValue("Cmd")),
                string(c.getValue("WorkingDir")), string(c.getValue("User")), labels, string(c.getValue("StopSignal")),
                ports, string(json.getValue("architecture")), string(json.getValue("os")));
    }

    /** Go's {@code time.RFC3339Nano}: UTC, fraction without trailing zeros, none at all when zero. */
    static String rfc3339Nano(long nanos) {
        Instant t = Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
        String fraction = "";
        if (t.getNano() != 0) {
            fraction = "." + String.format("%09d", t.getNano()).replaceAll("0+$", "");
        }
        return SECONDS.format(t) + fraction + "Z";
    }

    private static List<String> strings(Object value) {
        List<String> list = new ArrayList<>();
        if (value instanceof JsonArray array) {
            array.forEach(o -> list.add(String.valueOf(o)));
        }
        return list;
    }

    private static String string(Object value) {
        return value instanceof String s ? s : "";
    }
}
