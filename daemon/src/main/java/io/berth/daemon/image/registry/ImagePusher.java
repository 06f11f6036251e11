package io.berth.daemon.image.registry;

import io.berth.daemon.image.Digests;
import io.berth.daemon.image.ImageReference;
import io.berth.daemon.image.ImageStore;
import io.berth.errors.EngineException;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * {@code docker push}: sends an image's layers (gzip-compressed, or the very blob a pull brought),
 * its config and a Docker schema 2 manifest to a registry, skipping blobs the registry already has,
 * reporting progress as Docker does. Journaling the push is the caller's. Blocking; run it on a worker.
 */
public final class ImagePusher {
    private static final int CHECKED_ORIGINS = 3;

    /** What the registry now holds under the tag. */
    public record Pushed(String tag, String digest, int size) {}

    private final HttpClient http;
    private final RegistryHosts hosts;
    private final ImageStore store;
    private final Downloads scratch;
    private final LayerOrigins origins;

    public ImagePusher(HttpClient http, RegistryHosts hosts, ImageStore store, Downloads scratch, LayerOrigins origins) {
        this.http = http;
        this.hosts = hosts;
        this.store = store;
        this.scratch = scratch;
        this.origins = origins;
    }

    /** Pushes the image with config {@code rawConfig} and layers {@code diffIds} as {@code ref} (which has a tag). */
    public Pushed push(ImageReference ref, byte[] rawConfig, List<String> diffIds, RegistryAuth auth, Progress progress) {
        RegistryClient client = RegistryClient.open(http, hosts.endpoints(ref.domain(), true).getFirst(), ref.path(),
                "pull,push", auth);
        for (int i = diffIds.size() - 1; i >= 0; i--) {
            progress.status(shortId(diffIds.get(i)), "Preparing");
        }
        List<Bounded.Task<Descriptor>> tasks = new ArrayList<>();
        for (String diffId : diffIds) {
            tasks.add(() -> pushLayer(client, ref, diffId, progress));
        }
        List<Descriptor> layers = Bounded.all(hosts.maxUploads(), tasks);

        String configDigest = Digests.PREFIX + Digests.hexOf(rawConfig);
        if (!client.hasBlob(configDigest)) {
            client.putBlob(configDigest, rawConfig.length, () -> new ByteArrayInputStream(rawConfig));
        }
        byte[] manifest = new Manifest.Image(new Descriptor(Manifest.DOCKER_CONFIG, configDigest, rawConfig.length), layers)
                .toSchema2();
        String digest = client.putManifest(ref.tag(), manifest, Manifest.DOCKER_V2);
        progress.status(ref.tag() + ": digest: " + digest + " size: " + manifest.length);
        progress.emit(new JsonObject().put("progressDetail", new JsonObject()).put("aux", new JsonObject()
                .put("Tag", ref.tag()).put("Digest", digest).put("Size", manifest.length)));
        return new Pushed(ref.tag(), digest, manifest.length);
    }

    private Descriptor pushLayer(RegistryClient client, ImageReference ref, String diffId, Progress progress) throws IOException {
        String id = shortId(diffId);
        List<LayerOrigins.Origin> known = origins.of(diffId);
        for (LayerOrigins.Origin o : known.subList(0, Math.min(CHECKED_ORIGINS, known.size()))) {
            if (client.hasBlob(o.blob().digest())) {
                progress.status(id, "Layer already exists");
                origins.add(diffId, o.blob(), ref.name());
                return o.blob();
            }
        }
        Path gz = scratch.scratch();
        try {
            Descriptor blob = compress(diffId, gz);
            if (client.hasBlob(blob.digest())) {
                progress.status(id, "Layer already exists");
            } else {
                ImagePuller.Throttle bar = new ImagePuller.Throttle(progress, id, "Pushing", blob.size());
                client.putBlob(blob.digest(), blob.size(), () -> counting(gz, bar));
                progress.status(id, "Pushed");
            }
            origins.add(diffId, blob, ref.name());
            return blob;
        } finally {
            Files.deleteIfExists(gz);
        }
    }

    /** Gzips the layer's tar into {@code out}; its descriptor. Deterministic, so a layer keeps its digest. */
    private Descriptor compress(String diffId, Path out) throws IOException {
        MessageDigest sha = Digests.sha256();
        try (InputStream in = store.openLayer(diffId);
             OutputStream file = Files.newOutputStream(out);
             GZIPOutputStream gz = new GZIPOutputStream(new DigestOutputStream(file, sha), 65536)) {
            in.transferTo(gz);
        }
        return new Descriptor(Manifest.DOCKER_LAYER_GZIP, Digests.PREFIX + Digests.hex(sha), Files.size(out));
    }

    private static InputStream counting(Path file, ImagePuller.Throttle bar) {
        try {
            return new FilterInputStream(Files.newInputStream(file)) {
                private long sent;

                @Override
                public int read() throws IOException {
                    int b = super.read();
                    if (b >= 0) {
                        bar.update(++sent);
                    }
                    return b;
                }

                @Override
                public int read(byte[] buf, int off, int len) throws IOException {
                    int n = super.read(buf, off, len);
                    if (n > 0) {
                        sent += n;
                        bar.update(sent);
                    }
                    return n;
                }
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String shortId(String diffId) {
        return diffId.substring(Digests.PREFIX.length(), Digests.PREFIX.length() + 12);
    }
}
