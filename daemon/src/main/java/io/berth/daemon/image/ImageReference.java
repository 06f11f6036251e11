package io.berth.daemon.image;

import io.berth.errors.EngineException;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * An image reference ({@code [domain/]path[:tag][@digest]}) parsed and normalized as Docker's
 * distribution/reference does: no domain means {@code docker.io}, a single-component Docker Hub name
 * gets {@code library/}, {@code index.docker.io} becomes {@code docker.io}. {@link #toString()} is the
 * normalized form stored in the journal ({@code docker.io/library/busybox:latest}); {@link #familiar()}
 * is what the CLI shows ({@code busybox:latest}). Immutable.
 *
 * @param domain registry host with optional port, never empty ({@code docker.io}, {@code localhost:5000})
 * @param path   repository path below the domain ({@code library/busybox})
 * @param tag    tag, or null
 * @param digest {@code algorithm:hex}, or null
 */
public record ImageReference(String domain, String path, String tag, String digest) {
    public static final String DEFAULT_DOMAIN = "docker.io";
    public static final String DEFAULT_TAG = "latest";
    private static final String LEGACY_DOMAIN = "index.docker.io";
    private static final String OFFICIAL_PREFIX = "library/";

    private static final String COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
    private static final Pattern PATH = Pattern.compile(COMPONENT + "(?:/" + COMPONENT + ")*");
    private static final String DOMAIN_PART = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    private static final Pattern DOMAIN = Pattern.compile(
            "(?:" + DOMAIN_PART + "(?:\\." + DOMAIN_PART + ")*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
    private static final Pattern DIGEST = Pattern.compile(
            "[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}");
    private static final Pattern HEX64 = Pattern.compile("[a-f0-9]{64}");
    private static final int MAX_NAME = 255;

    public ImageReference {
        if (domain == null || domain.isEmpty() || path == null || path.isEmpty()) {
            throw new IllegalArgumentException("domain and path are required");
        }
    }

    /**
     * Parses and normalizes a reference as a user types it ({@code busybox}, {@code user/app:1},
     * {@code localhost:5000/x@sha256:…}). Adds no tag; see {@link #withDefaultTag()}.
     *
     * @throws EngineException INVALID_ARGUMENT when it is not a valid reference
     */
    public static ImageReference parse(String reference) {
        if (reference == null || reference.isEmpty()) {
            throw invalid(reference, "empty reference");
        }
        String rest = reference;
        String digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = rest.substring(at + 1);
            rest = rest.substring(0, at);
            if (!DIGEST.matcher(digest).matches()) {
                throw invalid(reference, "invalid digest");
            }
        }
        String tag = null;
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            if (!TAG.matcher(tag).matches()) {
                throw invalid(reference, "invalid tag");
            }
        }
        String domain = DEFAULT_DOMAIN;
        String path = rest;
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            String first = rest.substring(0, slash);
            // Docker's rule: the first component is a registry if it looks like a host name.
            if (first.contains(".") || first.contains(":") || first.equals("localhost")
                    || !first.equals(first.toLowerCase(Locale.ROOT))) {
                domain = first;
                path = rest.substring(slash + 1);
                if (!DOMAIN.matcher(domain).matches()) {
                    throw invalid(reference, "invalid registry host \"" + domain + "\"");
                }
            }
        }
        if (domain.equals(LEGACY_DOMAIN)) {
            domain = DEFAULT_DOMAIN;
        }
        if (!PATH.matcher(path).matches()) {
            throw invalid(reference, path.equals(path.toLowerCase(Locale.ROOT))
                    ? "invalid repository name" : "repository name must be lowercase");
        }
        if (domain.equals(DEFAULT_DOMAIN) && HEX64.matcher(path).matches()) {
            throw invalid(reference, "a repository name cannot be a 64-character hexadecimal string");
        }
        if (domain.equals(DEFAULT_DOMAIN) && !path.contains("/")) {
            path = OFFICIAL_PREFIX + path;
        }
        if (domain.length() + 1 + path.length() > MAX_NAME) {
            throw invalid(reference, "repository name longer than " + MAX_NAME + " characters");
        }
        return new ImageReference(domain, path, tag, digest);
    }

    /** The normalized form of a reference with {@code :latest} added when it has neither tag nor digest. */
    public static String normalize(String reference) {
        return parse(reference).withDefaultTag().toString();
    }

    /** This reference with {@code :latest} when it has neither tag nor digest. */
    public ImageReference withDefaultTag() {
        return tag == null && digest == null ? withTag(DEFAULT_TAG) : this;
    }

    public ImageReference withTag(String newTag) {
        if (newTag == null || !TAG.matcher(newTag).matches()) {
            throw invalid(newTag, "invalid tag");
        }
        return new ImageReference(domain, path, newTag, digest);
    }

    /** {@code domain/path}: the repository, as stored ({@code docker.io/library/busybox}). */
    public String name() {
        return domain + "/" + path;
    }

    /** The repository as the CLI shows it ({@code busybox}, {@code user/app}, {@code localhost:5000/x}). */
    public String familiarName() {
        if (!domain.equals(DEFAULT_DOMAIN)) {
            return name();
        }
        boolean official = path.startsWith(OFFICIAL_PREFIX) && path.indexOf('/', OFFICIAL_PREFIX.length()) < 0;
        return official ? path.substring(OFFICIAL_PREFIX.length()) : path;
    }

    /** The whole reference as the CLI shows it ({@code busybox:latest}). */
    public String familiar() {
        return familiarName() + suffix();
    }

    /** The normalized reference ({@code docker.io/library/busybox:latest}). */
    @Override
    public String toString() {
        return name() + suffix();
    }

    private String suffix() {
        return (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
    }

    private static EngineException invalid(String reference, String why) {
        return EngineException.invalid("invalid reference format \"" + reference + "\": " + why);
    }
}
