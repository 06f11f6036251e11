package io.berth.daemon.image.registry;

import io.berth.errors.EngineException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a registry domain is reached, after dockerd's rules: Docker Hub ({@code docker.io}) through
 * the {@code registry-mirrors} first and then registry-1.docker.io; other domains over HTTPS, and over
 * plain HTTP too when they are in {@code insecure-registries} (a host[:port] or a CIDR) or on loopback.
 *
 * @param mirrors    mirror base URLs for Docker Hub, tried in order
 * @param insecure   {@code insecure-registries} entries
 * @param maxDownloads layers of one pull fetched at once ({@code max-concurrent-downloads})
 * @param maxUploads   layers of one push sent at once ({@code max-concurrent-uploads})
 */
public record RegistryHosts(List<URI> mirrors, List<String> insecure, int maxDownloads, int maxUploads) {
    public static final String DOCKER_HUB = "docker.io";
    private static final URI HUB = URI.create("https://registry-1.docker.io");

    public RegistryHosts {
        mirrors = List.copyOf(mirrors);
        insecure = List.copyOf(insecure);
        if (maxDownloads < 1 || maxUploads < 1) {
            throw EngineException.invalid("max-concurrent-downloads and max-concurrent-uploads must be at least 1");
        }
    }

    /** Docker's defaults: no mirrors, nothing insecure but loopback, 3 downloads and 5 uploads at once. */
    public static RegistryHosts defaults() {
        return new RegistryHosts(List.of(), List.of(), 3, 5);
    }

    /**
     * One place a registry answers.
     *
     * @param base     {@code scheme://host[:port]} (a mirror may add a path)
     * @param mirror   whether it stands in for Docker Hub
     * @param fallback a plain-HTTP retry is allowed when TLS fails (insecure registries)
     */
    public record Endpoint(URI base, boolean mirror, boolean fallback) {
        public Endpoint withHttp() {
            return new Endpoint(URI.create("http://" + base.getRawAuthority() + (base.getRawPath() == null ? "" : base.getRawPath())),
                    mirror, false);
        }
    }

    /** The endpoints to try for {@code domain}, in order. */
    public List<Endpoint> endpoints(String domain, boolean push) {
        List<Endpoint> out = new ArrayList<>();
        if (domain.equals(DOCKER_HUB)) {
            if (!push) {
                for (URI m : mirrors) {
                    out.add(new Endpoint(m, true, false));
                }
            }
            out.add(new Endpoint(HUB, false, false));
            return out;
        }
        out.add(new Endpoint(URI.create("https://" + domain), false, isInsecure(domain)));
        return out;
    }

    /** Whether {@code domain} ({@code host[:port]}) may be reached over plain HTTP. */
    public boolean isInsecure(String domain) {
        String host = hostOf(domain);
        for (String entry : insecure) {
            if (entry.equals(domain) || entry.equals(host)) {
                return true;
            }
        }
        InetAddress addr = literal(host);
        if (host.equals("localhost") || (addr != null && addr.isLoopbackAddress())) {
            return true;
        }
        if (addr != null) {
            for (String entry : insecure) {
                if (entry.contains("/") && inCidr(addr, entry)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String hostOf(String domain) {
        if (domain.startsWith("[")) {
            return domain.substring(1, domain.indexOf(']'));
        }
        int colon = domain.lastIndexOf(':');
        return colon < 0 ? domain : domain.substring(0, colon);
    }

    /** The address if {@code host} is an IP literal; never a DNS lookup. */
    private static InetAddress literal(String host) {
        if (!host.matches("[0-9.]+|[0-9a-fA-F:]*:[0-9a-fA-F:.]*")) {
            return null;
        }
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    static boolean inCidr(InetAddress addr, String cidr) {
        int slash = cidr.indexOf('/');
        InetAddress net = literal(cidr.substring(0, slash));
        int bits;
        try {
            bits = Integer.parseInt(cidr.substring(slash + 1));
        } catch (NumberFormatException e) {
            return false;
        }
        if (net == null) {
            return false;
        }
        byte[] a = addr.getAddress();
        byte[] n = net.getAddress();
        if (a.length != n.length || bits < 0 || bits > a.length * 8) {
            return false;
        }
        for (int i = 0; i < bits; i++) {
            int mask = 0x80 >> (i % 8);
            if ((a[i / 8] & mask) != (n[i / 8] & mask)) {
                return false;
            }
        }
        return true;
    }
}
