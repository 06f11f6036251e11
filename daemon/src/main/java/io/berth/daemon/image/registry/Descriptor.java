package io.berth.daemon.image.registry;

import io.berth.daemon.image.Digests;
import io.berth.errors.EngineException;
import io.vertx.core.json.JsonObject;

/**
 * A content descriptor of the distribution and image specs: what a manifest says about a blob.
 *
 * @param mediaType what the blob is
 * @param digest    {@code sha256:<hex>} of its bytes
 * @param size      its length in bytes
 */
public record Descriptor(String mediaType, String digest, long size) {

    static Descriptor parse(JsonObject o, String what) {
        if (o == null) {
            throw EngineException.invalid("invalid manifest: no " + what);
        }
        String digest = o.getString("digest");
        if (!Digests.isDigest(digest)) {
            throw EngineException.invalid("invalid manifest: " + what + " has digest \"" + digest
                    + "\"; only sha256 is supported");
        }
        Object size = o.getValue("size");
        if (!(size instanceof Number n) || n.longValue() < 0) {
            throw EngineException.invalid("invalid manifest: " + what + " has no valid size");
        }
        return new Descriptor(o.getString("mediaType", ""), digest, n.longValue());
    }

    JsonObject toJson() {
        return new JsonObject().put("mediaType", mediaType).put("size", size).put("digest", digest);
    }

    /** The 12 hex digits the CLI shows for a layer. */
    public String shortId() {
        return digest.substring(Digests.PREFIX.length(), Digests.PREFIX.length() + 12);
    }
}
