package io.berth.daemon.image.registry;

import io.berth.daemon.image.ImageReference;
import io.berth.daemon.image.ImageStore;
import io.berth.errors.EngineException;
import io.berth.errors.ErrorKind;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.List;

/**
 * {@link Distribution} over the OCI distribution HTTP API, with the download and layer-origin caches
 * under the image store's directory.
 */
public final class RegistryDistribution implements Distribution {
    private final HttpClient http = RegistryClient.newHttpClient();
    private final RegistryHosts hosts;
    private final ImagePuller puller;
    private final ImagePusher pusher;

    /** @param dir where downloads in progress and the layer origins are kept ({@code <data-root>/image}) */
    public RegistryDistribution(RegistryHosts hosts, ImageStore store, Path dir) {
        this.hosts = hosts;
        Downloads downloads = new Downloads(dir.resolve("downloads"));
        LayerOrigins origins = new LayerOrigins(dir.resolve("distribution"));
        this.puller = new ImagePuller(http, hosts, store, downloads, origins);
        this.pusher = new ImagePusher(http, hosts, store, downloads, origins);
    }

    @Override
    public ImagePuller.Pulled pull(ImageReference ref, RegistryAuth auth, Progress progress) {
        return puller.pull(ref, auth, progress);
    }

    @Override
    public ImagePusher.Pushed push(ImageReference ref, byte[] rawConfig, List<String> diffIds, RegistryAuth auth,
                                   Progress progress) {
        return pusher.push(ref, rawConfig, diffIds, auth, progress);
    }

    @Override
    public String login(String serverAddress, RegistryAuth auth) {
        String domain = domainOf(serverAddress);
        RegistryHosts.Endpoint ep = hosts.endpoints(domain, true).getFirst();
        try {
            return RegistryClient.open(http, ep, null, "", auth).refreshToken();
        } catch (EngineException e) {
            if (e.kind() == ErrorKind.UNAUTHENTICATED) {
                throw new EngineException(ErrorKind.UNAUTHENTICATED, "login attempt to " + ep.base()
                        + "/v2/ failed with status: 401 Unauthorized");
            }
            throw e;
        }
    }

    /** The registry domain of a login's server address; Docker Hub's legacy URL is docker.io. */
    static String domainOf(String serverAddress) {
        String s = serverAddress == null || serverAddress.isBlank() ? RegistryHosts.DOCKER_HUB : serverAddress.strip();
        if (s.contains("://")) {
            URI u = URI.create(s);
            s = u.getRawAuthority();
        } else if (s.contains("/")) {
            s = s.substring(0, s.indexOf('/'));
        }
        if (s == null || s.isEmpty()) {
            throw EngineException.invalid("invalid registry address \"" + serverAddress + "\"");
        }
        return s.equals("index.docker.io") || s.equals("registry-1.docker.io") ? RegistryHosts.DOCKER_HUB : s;
    }
}
