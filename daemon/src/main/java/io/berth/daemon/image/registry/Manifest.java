package io.berth.daemon.image.registry;

import io.berth.errors.EngineException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A registry manifest, parsed: an image manifest (Docker schema 2 or OCI) naming a config and layers,
 * or an index (Docker manifest list or OCI index) naming one image manifest per platform.
 */
public sealed interface Manifest {
    String DOCKER_V2 = "application/vnd.docker.distribution.manifest.v2+json";
    String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
    String DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";

    /** What a pull accepts, for the {@code Accept} header. */
    List<String> ACCEPTED = List.of(DOCKER_V2, DOCKER_LIST, OCI_MANIFEST, OCI_INDEX);

    /** Layer media types whose blobs are tar, possibly gzip-compressed: what the store can unpack. */
    Set<String> LAYER_TYPES = Set.of(DOCKER_LAYER_GZIP, "application/vnd.docker.image.rootfs.diff.tar",
            "application/vnd.oci.image.layer.v1.tar", "application/vnd.oci.image.layer.v1.tar+gzip");

    /** An image manifest: the config blob and the layer blobs, lowest first. */
    record Image(Descriptor config, List<Descriptor> layers) implements Manifest {
        public Image {
            layers = List.copyOf(layers);
        }

        /** The Docker schema 2 JSON of this manifest, as a push sends it. */
        public byte[] toSchema2() {
            JsonArray ls = new JsonArray();
            layers.forEach(l -> ls.add(l.toJson()));
            return new JsonObject().put("schemaVersion", 2).put("mediaType", DOCKER_V2)
                    .put("config", config.toJson()).put("layers", ls)
                    .encodePrettily().getBytes(StandardCharsets.UTF_8);
        }
    }

    /** One entry of an index. */
    record Entry(Descriptor manifest, String os, String architecture, String variant) {}

    /** An index: image manifests by platform. */
    record Index(List<Entry> manifests) implements Manifest {
        public Index {
            manifests = List.copyOf(manifests);
        }

        /** The manifest for {@code os/architecture}, as Docker picks it (variant ignored). */
        public Descriptor pick(String os, String architecture) {
            for (Entry e : manifests) {
                if (os.equals(e.os()) && architecture.equals(e.architecture())) {
                    return e.manifest();
                }
            }
            throw EngineException.notFound("no matching manifest for " + os + "/" + architecture
                    + " in the manifest list entries");
        }
    }

    /** Parses a manifest body; the media type comes from the body, else from the response's Content-Type. */
    static Manifest parse(byte[] body, String contentType) {
        JsonObject o;
        try {
            o = new JsonObject(new String(body, StandardCharsets.UTF_8));
        } catch (DecodeException | ClassCastException e) {
            throw EngineException.invalid("invalid manifest: not a JSON object");
        }
        String type = o.getString("mediaType", contentType == null ? "" : contentType.split(";")[0].strip());
        Object version = o.getValue("schemaVersion");
        if (Integer.valueOf(1).equals(version) || type.startsWith("application/vnd.docker.distribution.manifest.v1")) {
            throw EngineException.invalid("Docker Image manifest version 2, schema 1 is not supported: "
                    + "push the image again with a current client");
        }
        if (type.equals(DOCKER_LIST) || type.equals(OCI_INDEX) || (type.isEmpty() && o.containsKey("manifests"))) {
            List<Entry> entries = new ArrayList<>();
            JsonArray ms = o.getJsonArray("manifests", new JsonArray());
            for (int i = 0; i < ms.size(); i++) {
                JsonObject m = ms.getJsonObject(i);
                JsonObject p = m.getJsonObject("platform", new JsonObject());
                entries.add(new Entry(Descriptor.parse(m, "manifest " + i), p.getString("os", ""),
                        p.getString("architecture", ""), p.getString("variant", "")));
            }
            return new Index(entries);
        }
        if (!type.equals(DOCKER_V2) && !type.equals(OCI_MANIFEST) && !type.isEmpty()) {
            throw EngineException.invalid("unsupported manifest media type " + type);
        }
        Descriptor config = Descriptor.parse(o.getJsonObject("config"), "config");
        JsonArray ls = o.getJsonArray("layers", new JsonArray());
        List<Descriptor> layers = new ArrayList<>();
        for (int i = 0; i < ls.size(); i++) {
            Descriptor d = Descriptor.parse(ls.getJsonObject(i), "layer " + i);
            if (!LAYER_TYPES.contains(d.mediaType())) {
                throw EngineException.invalid("unsupported layer media type " + d.mediaType() + " of layer "
                        + d.digest());
            }
            layers.add(d);
        }
        return new Image(config, layers);
    }
}
