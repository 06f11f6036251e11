package io.berth.daemon.image.registry;

import io.berth.daemon.image.Digests;
import io.berth.daemon.image.ImageConfigJson;
import io.berth.daemon.image.ImageReference;
import io.berth.daemon.image.ImageStore;
import io.berth.daemon.image.StoredImage;
import io.berth.errors.EngineException;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code docker pull}: resolves a reference to an image manifest (through the mirrors first for Docker
 * Hub), fetches the config and the layers the store lacks in parallel, verifies every blob's digest and
 * every layer's diffID, and hands the result to the store in one step, reporting progress as Docker
 * does. Journaling the pull is the caller's. Blocking; run it on a worker.
 */
public final class ImagePuller {
    private static final Logger LOG = LoggerFactory.getLogger(ImagePuller.class);
    private static final int MAX_CONFIG = 8 << 20;

    /** The image stored, and the {@code repo@sha256:} digest of the manifest it was pulled by. */
    public record Pulled(StoredImage image, String repoDigest) {}

    private final HttpClient http;
    private final RegistryHosts hosts;
    private final ImageStore store;
    private final Downloads downloads;
    private final LayerOrigins origins;

    public ImagePuller(HttpClient http, RegistryHosts hosts, ImageStore store, Downloads downloads, LayerOrigins origins) {
        this.http = http;
        this.hosts = hosts;
        this.store = store;
        this.downloads = downloads;
        this.origins = origins;
    }

    /** Pulls {@code ref} (with a tag or a digest). A mirror that fails is skipped; the last endpoint's error is the pull's. */
    public Pulled pull(ImageReference ref, RegistryAuth auth, Progress progress) {
        List<RegistryHosts.Endpoint> endpoints = hosts.endpoints(ref.domain(), false);
        for (int i = 0; ; i++) {
            RegistryHosts.Endpoint ep = endpoints.get(i);
            try {
                return pullFrom(ep, ref, auth, progress);
            } catch (EngineException e) {
                if (!ep.mirror() || i == endpoints.size() - 1) {
                    throw e;
                }
                LOG.info("pull of {} from mirror {} failed, trying the next endpoint: {}", ref, ep.base(), e.getMessage());
            }
        }
    }

    private Pulled pullFrom(RegistryHosts.Endpoint ep, ImageReference ref, RegistryAuth auth, Progress progress) {
        RegistryClient client = RegistryClient.open(http, ep, ref.path(), "pull", auth);
        String wanted = ref.digest() != null ? ref.digest() : ref.tag();
        RegistryClient.Fetched top = client.manifest(wanted, ref.familiar());
        Manifest manifest = Manifest.parse(top.body(), top.mediaType());
        if (manifest instanceof Manifest.Index index) {
            Descriptor chosen = index.pick("linux", architecture());
            manifest = Manifest.parse(client.manifest(chosen.digest(), ref.familiar()).body(), chosen.mediaType());
            if (!(manifest instanceof Manifest.Image)) {
                throw EngineException.invalid("invalid manifest: an index entry is an index again");
            }
        }
        Manifest.Image image = (Manifest.Image) manifest;
        progress.emit(new JsonObject().put("status", "Pulling from " + ref.path()).put("id", wanted));

        byte[] config = fetchConfig(client, image.config());
        List<String> diffIds = diffIds(config, image.config().digest());
        if (diffIds.size() != image.layers().size()) {
            throw EngineException.invalid("layers from manifest don't match image configuration: "
                    + image.layers().size() + " layers, " + diffIds.size() + " diff_ids");
        }
        List<Integer> missing = store.missingLayers(config);
        for (int i = 0; i < image.layers().size(); i++) {
            if (!missing.contains(i)) {
                progress.status(image.layers().get(i).shortId(), "Already exists");
            }
        }
        for (int i : missing) {
            progress.status(image.layers().get(i).shortId(), "Pulling fs layer");
        }
        List<Bounded.Task<Path>> tasks = new ArrayList<>();
        for (int i : missing) {
            Descriptor layer = image.layers().get(i);
            tasks.add(new Bounded.Task<>() {
                @Override
                public Path run() {
                    Throttle bar = new Throttle(progress, layer.shortId(), "Downloading", layer.size());
                    Path file = downloads.fetch(client, layer, bar::update);
                    progress.status(layer.shortId(), "Verifying Checksum");
                    progress.status(layer.shortId(), "Download complete");
                    return file;
                }

                @Override
                public void waiting() {
                    progress.status(layer.shortId(), "Waiting");
                }
            });
        }
        List<Path> files = Bounded.all(hosts.maxDownloads(), tasks);
        Map<Integer, Path> byIndex = new HashMap<>();
        for (int k = 0; k < missing.size(); k++) {
            byIndex.put(missing.get(k), files.get(k));
            progress.status(image.layers().get(missing.get(k)).shortId(), "Extracting");
        }
        StoredImage stored = store.put(config, byIndex);
        for (int i : missing) {
            progress.status(image.layers().get(i).shortId(), "Pull complete");
            downloads.release(image.layers().get(i));
        }
        for (int i = 0; i < diffIds.size(); i++) {
            origins.add(diffIds.get(i), image.layers().get(i), ref.name());
        }
        return new Pulled(stored, ref.name() + "@" + top.digest());
    }

    private static byte[] fetchConfig(RegistryClient client, Descriptor d) {
        if (d.size() > MAX_CONFIG) {
            throw EngineException.invalid("the image config " + d.digest() + " is larger than " + MAX_CONFIG + " bytes");
        }
        byte[] raw = RegistryClient.readCapped(client.blob(d.digest(), 0), MAX_CONFIG, "image config");
        String got = Digests.PREFIX + Digests.hexOf(raw);
        if (!got.equals(d.digest())) {
            throw EngineException.invalid("image config verification failed for digest " + d.digest() + ": got " + got);
        }
        return raw;
    }

    /** The config's diffIDs, for a Linux image only. */
    private static List<String> diffIds(byte[] config, String digest) {
        String what = "image config " + digest;
        JsonObject o = ImageConfigJson.read(config, what);
        String os = o.getValue("os") instanceof String s ? s : "linux";
        if (!os.equals("linux")) {
            throw EngineException.invalid("image operating system \"" + os + "\" cannot be used on this platform");
        }
        return ImageConfigJson.diffIds(o, what);
    }

    /** The OCI name of this machine's architecture. */
    static String architecture() {
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64" -> "arm64";
            case String other -> other;
        };
    }

    /** A progress bar that reports at most ten times a second, and always at the end. */
    static final class Throttle {
        private final Progress progress;
        private final String id;
        private final String status;
        private final long total;
        private long last;

        Throttle(Progress progress, String id, String status, long total) {
            this.progress = progress;
            this.id = id;
            this.status = status;
            this.total = total;
        }

        void update(long current) {
            long now = System.nanoTime();
            if (current >= total || now - last >= 100_000_000L) {
                last = now;
                progress.progress(id, status, current, total);
            }
        }
    }
}
