package io.berth.daemon.image.registry;

import io.berth.daemon.image.Digests;
import io.berth.errors.EngineException;
import io.berth.errors.ErrorKind;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The client side of the OCI distribution API for one repository on one endpoint: the version check,
 * authentication (HTTP basic, or bearer tokens from the realm a {@code WWW-Authenticate} challenge
 * names), manifests and blobs. Registry errors become engine errors with the registry's own words
 * ({@code manifest unknown: manifest unknown}). Blocking; call it from workers. Thread-safe.
 */
public final class RegistryClient {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int MAX_MANIFEST = 4 << 20;
    private static final int MAX_REDIRECTS = 5;

    private final HttpClient http;
    private final URI base;
    private final String repository;
    private final String actions;
    private final RegistryAuth auth;
    private volatile String authorization;
    private volatile String refreshToken = "";

    private RegistryClient(HttpClient http, URI base, String repository, String actions, RegistryAuth auth) {
        this.http = http;
        this.base = base;
        this.repository = repository;
        this.actions = actions;
        this.auth = auth;
    }

    /** An HTTP client as registries need it: HTTP/1.1, no automatic redirects (blob redirects drop credentials). */
    public static HttpClient newHttpClient() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /**
     * Connects to {@code repository} at the endpoint for {@code actions} ({@code pull} or {@code pull,push}):
     * checks the API version and authenticates. An insecure endpoint whose TLS fails is retried over HTTP.
     */
    public static RegistryClient open(HttpClient http, RegistryHosts.Endpoint endpoint, String repository,
                                      String actions, RegistryAuth auth) {
        RegistryClient c = new RegistryClient(http, endpoint.base(), repository, actions, auth);
        try {
            c.ping();
            return c;
        } catch (EngineException e) {
            if (!endpoint.fallback() || e.kind() != ErrorKind.UNAVAILABLE) {
                throw e;
            }
        }
        RegistryClient plain = new RegistryClient(http, endpoint.withHttp().base(), repository, actions, auth);
        plain.ping();
        return plain;
    }

    /**
     * The refresh token the token server handed out for a login's credentials ({@code offline_token}),
     * or empty; the CLI keeps it as the identity token instead of the password.
     */
    public String refreshToken() {
        return refreshToken;
    }

    /** The endpoint this client talks to, such as {@code http://127.0.0.1:5000}. */
    public URI base() {
        return base;
    }

    /** {@code GET /v2/}; answers the auth challenge if there is one, then checks the credentials work. */
    void ping() {
        HttpResponse<InputStream> r = send(request("/v2/").GET(), "Get");
        close(r);
        if (r.statusCode() == 200) {
            return;
        }
        throw failure(r, "Get", uri("/v2/"));
    }

    // ---- manifests

    /** A manifest as fetched: its bytes exactly, its media type, its digest (computed, and checked when asked by digest). */
    public record Fetched(byte[] body, String mediaType, String digest) {}

    /** The manifest {@code reference} (a tag or digest) names; {@code shownAs} is the reference as errors show it. */
    public Fetched manifest(String reference, String shownAs) {
        HttpRequest.Builder b = request("/v2/" + repository + "/manifests/" + reference).GET()
                .header("Accept", String.join(", ", Manifest.ACCEPTED));
        HttpResponse<InputStream> r = send(b, "Get");
        if (r.statusCode() != 200) {
            throw failure(r, "manifest for " + shownAs, null);
        }
        byte[] body = readCapped(r, MAX_MANIFEST, "manifest");
        String digest = Digests.PREFIX + Digests.hexOf(body);
        if (reference.startsWith("sha256:") && !reference.equals(digest)) {
            throw EngineException.invalid("manifest verification failed for digest " + reference + ": got " + digest);
        }
        return new Fetched(body, r.headers().firstValue("Content-Type").orElse(""), digest);
    }

    /** {@code PUT} a manifest under a tag; answers its digest. */
    public String putManifest(String tag, byte[] body, String mediaType) {
        HttpRequest.Builder b = request("/v2/" + repository + "/manifests/" + tag)
                .header("Content-Type", mediaType).PUT(HttpRequest.BodyPublishers.ofByteArray(body));
        HttpResponse<InputStream> r = send(b, "Put");
        close(r);
        if (r.statusCode() != 201 && r.statusCode() != 200) {
            throw failure(r, "Put", uri("/v2/" + repository + "/manifests/" + tag));
        }
        return Digests.PREFIX + Digests.hexOf(body);
    }

    // ---- blobs

    /**
     * {@code GET} a blob from {@code offset} on, following the registry's redirects (to storage that must
     * not see our credentials). The response is 200 (whole blob) or 206 (from the offset).
     */
    public HttpResponse<InputStream> blob(String digest, long offset) {
        URI target = uri("/v2/" + repository + "/blobs/" + digest);
        HttpResponse<InputStream> r = send(blobRequest(target, offset), "Get");
        for (int hops = 0; isRedirect(r.statusCode()); hops++) {
            close(r);
            String location = r.headers().firstValue("Location").orElse("");
            if (hops == MAX_REDIRECTS || location.isEmpty()) {
                throw new EngineException(ErrorKind.UNAVAILABLE, "Get \"" + target + "\": too many redirects");
            }
            target = target.resolve(location);
            r = exchange(blobRequest(target, offset).build(), "Get");
        }
        if (r.statusCode() != 200 && r.statusCode() != 206) {
            throw failure(r, "Get", target);
        }
        return r;
    }

    private static HttpRequest.Builder blobRequest(URI target, long offset) {
        HttpRequest.Builder b = HttpRequest.newBuilder(target).timeout(TIMEOUT).GET();
        return offset > 0 ? b.header("Range", "bytes=" + offset + "-") : b;
    }

    /** Whether the repository has the blob ({@code HEAD}). */
    public boolean hasBlob(String digest) {
        HttpResponse<InputStream> r = send(request("/v2/" + repository + "/blobs/" + digest)
                .method("HEAD", HttpRequest.BodyPublishers.noBody()), "Head");
        close(r);
        if (r.statusCode() == 200 || isRedirect(r.statusCode())) {
            return true;
        }
        if (r.statusCode() == 404) {
            return false;
        }
        throw failure(r, "Head", uri("/v2/" + repository + "/blobs/" + digest));
    }

    /** Uploads a blob in one request (start an upload, then {@code PUT} it with its digest). */
    public void putBlob(String digest, long size, Supplier<InputStream> content) {
        URI start = uri("/v2/" + repository + "/blobs/uploads/");
        HttpResponse<InputStream> r = send(HttpRequest.newBuilder(start).timeout(TIMEOUT)
                .POST(HttpRequest.BodyPublishers.noBody()), "Post");
        close(r);
        if (r.statusCode() != 202) {
            throw failure(r, "Post", start);
        }
        URI location = start.resolve(r.headers().firstValue("Location").orElseThrow(() ->
                new EngineException(ErrorKind.UNAVAILABLE, "the registry started an upload without a Location")));
        String sep = location.getRawQuery() == null ? "?" : "&";
        URI put = URI.create(location + sep + "digest=" + URLEncoder.encode(digest, StandardCharsets.UTF_8));
        HttpRequest.Builder b = HttpRequest.newBuilder(put).header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(content), size));
        HttpResponse<InputStream> done = send(b, "Put");
        close(done);
        if (done.statusCode() != 201) {
            throw failure(done, "Put", put);
        }
    }

    // ---- requests and authentication

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(uri(path)).timeout(TIMEOUT);
    }

    private URI uri(String path) {
        String b = base.toString();
        return URI.create((b.endsWith("/") ? b.substring(0, b.length() - 1) : b) + path);
    }

    /**
     * Sends with the current credentials; on a 401 answers the challenge and sends once more (every body
     * this client sends can be sent again). A second 401 is the caller's to report.
     */
    private HttpResponse<InputStream> send(HttpRequest.Builder b, String verb) {
        HttpResponse<InputStream> r = exchange(withAuth(b).build(), verb);
        if (r.statusCode() != 401) {
            return r;
        }
        close(r);
        authenticate(r.headers().firstValue("WWW-Authenticate").orElse(""));
        return exchange(withAuth(b).build(), verb);
    }

    private HttpRequest.Builder withAuth(HttpRequest.Builder b) {
        String a = authorization;
        if (a != null) {
            b.setHeader("Authorization", a);
        }
        return b;
    }

    private HttpResponse<InputStream> exchange(HttpRequest req, String verb) {
        try {
            return http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new EngineException(ErrorKind.UNAVAILABLE, verb + " \"" + req.uri() + "\": "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineException(ErrorKind.UNAVAILABLE, verb + " \"" + req.uri() + "\": interrupted", e);
        }
    }

    private void authenticate(String challenge) {
        int space = challenge.indexOf(' ');
        String scheme = (space < 0 ? challenge : challenge.substring(0, space)).toLowerCase(Locale.ROOT);
        Map<String, String> params = challengeParams(space < 0 ? "" : challenge.substring(space + 1));
        switch (scheme) {
            case "basic" -> {
                if (auth.username().isEmpty()) {
                    throw new EngineException(ErrorKind.UNAUTHENTICATED, "no basic auth credentials");
                }
                authorization = basic();
            }
            case "bearer" -> authorization = "Bearer " + token(params);
            default -> throw new EngineException(ErrorKind.UNAUTHENTICATED,
                    "unauthorized: the registry asks for unsupported authentication \"" + challenge + "\"");
        }
    }

    private String basic() {
        return "Basic " + Base64.getEncoder().encodeToString((auth.username() + ":" + auth.password())
                .getBytes(StandardCharsets.UTF_8));
    }

    /** A bearer token from the challenge's realm, for this repository and actions. */
    private String token(Map<String, String> params) {
        String realm = params.get("realm");
        if (realm == null || realm.isEmpty()) {
            throw new EngineException(ErrorKind.UNAUTHENTICATED, "unauthorized: bearer challenge without a realm");
        }
        StringBuilder q = new StringBuilder();
        if (params.containsKey("service")) {
            q.append("service=").append(enc(params.get("service")));
        }
        String scope = repository == null ? params.get("scope") : "repository:" + repository + ":" + actions;
        if (scope != null) {
            q.append(q.isEmpty() ? "" : "&").append("scope=").append(enc(scope));
        }
        HttpRequest.Builder b;
        URI realmUri = URI.create(realm);
        if (!auth.identityToken().isEmpty()) {
            String form = "grant_type=refresh_token&client_id=docker&refresh_token=" + enc(auth.identityToken())
                    + (q.isEmpty() ? "" : "&" + q);
            b = HttpRequest.newBuilder(realmUri).timeout(TIMEOUT).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form));
        } else {
            if (repository == null && !auth.username().isEmpty()) {
                // A login asks for a refresh token, as dockerd does, so the password need not be kept.
                q.append(q.isEmpty() ? "" : "&").append("offline_token=true&client_id=docker");
            }
            b = HttpRequest.newBuilder(URI.create(realm + (realm.contains("?") ? "&" : "?") + q)).timeout(TIMEOUT).GET();
            if (!auth.username().isEmpty()) {
                b.header("Authorization", basic());
            }
        }
        HttpResponse<InputStream> r = exchange(b.build(), "Get");
        if (r.statusCode() == 401 || r.statusCode() == 403) {
            close(r);
            throw new EngineException(ErrorKind.UNAUTHENTICATED, "Get \"" + realm + "\": unauthorized: "
                    + (auth.anonymous() ? "authentication required" : "incorrect username or password"));
        }
        if (r.statusCode() != 200) {
            throw failure(r, "Get", realmUri);
        }
        JsonObject o = json(readCapped(r, 1 << 20, "token"));
        String token = o.getString("token", o.getString("access_token", ""));
        if (token.isEmpty()) {
            throw new EngineException(ErrorKind.UNAUTHENTICATED, "unauthorized: the token server answered no token");
        }
        refreshToken = o.getString("refresh_token", refreshToken);
        return token;
    }

    static Map<String, String> challengeParams(String s) {
        Map<String, String> out = new LinkedHashMap<>();
        int i = 0;
        while (i < s.length()) {
            int eq = s.indexOf('=', i);
            if (eq < 0) {
                break;
            }
            String key = s.substring(i, eq).strip().replaceFirst("^,\\s*", "").toLowerCase(Locale.ROOT);
            String value;
            int j = eq + 1;
            if (j < s.length() && s.charAt(j) == '"') {
                StringBuilder v = new StringBuilder();
                j++;
                while (j < s.length() && s.charAt(j) != '"') {
                    if (s.charAt(j) == '\\' && j + 1 < s.length()) {
                        j++;
                    }
                    v.append(s.charAt(j++));
                }
                value = v.toString();
                j++;
            } else {
                int comma = s.indexOf(',', j);
                value = (comma < 0 ? s.substring(j) : s.substring(j, comma)).strip();
                j = comma < 0 ? s.length() : comma;
            }
            out.put(key, value);
            int comma = s.indexOf(',', j);
            i = comma < 0 ? s.length() : comma + 1;
        }
        return out;
    }

    // ---- errors

    /**
     * The error for a response that is not what was asked: the registry's {@code errors} in its own words,
     * classified by status. {@code what} prefixes the message (a verb plus {@code uri}, or a subject).
     */
    private EngineException failure(HttpResponse<InputStream> r, String what, URI uri) {
        String detail = registryErrors(r);
        int status = r.statusCode();
        ErrorKind kind = switch (status) {
            case 400 -> ErrorKind.INVALID_ARGUMENT;
            case 401 -> ErrorKind.UNAUTHENTICATED;
            case 403 -> ErrorKind.PERMISSION_DENIED;
            case 404 -> ErrorKind.NOT_FOUND;
            case 416 -> ErrorKind.INVALID_ARGUMENT;
            default -> ErrorKind.UNAVAILABLE;
        };
        String prefix = uri == null ? what + (status == 404 ? " not found" : "") : what + " \"" + uri + "\"";
        if (detail.isEmpty()) {
            detail = status == 401 ? "unauthorized: authentication required"
                    : "unexpected status from the registry: " + status;
        }
        return new EngineException(kind, prefix + ": " + detail);
    }

    private static String registryErrors(HttpResponse<InputStream> r) {
        byte[] body;
        try {
            body = readCapped(r, 64 << 10, "error");
        } catch (EngineException e) {
            return "";
        }
        try {
            JsonArray errors = new JsonObject(new String(body, StandardCharsets.UTF_8)).getJsonArray("errors");
            if (errors == null || errors.isEmpty()) {
                return "";
            }
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < errors.size(); i++) {
                JsonObject e = errors.getJsonObject(i);
                String code = e.getString("code", "unknown").toLowerCase(Locale.ROOT).replace('_', ' ');
                out.append(i == 0 ? "" : "; ").append(code).append(": ").append(e.getString("message", code));
            }
            return out.toString();
        } catch (DecodeException | ClassCastException e) {
            return "";
        }
    }

    static byte[] readCapped(HttpResponse<InputStream> r, int max, String what) {
        try (InputStream in = r.body()) {
            byte[] b = in.readNBytes(max + 1);
            if (b.length > max) {
                throw EngineException.invalid("the registry's " + what + " is larger than " + max + " bytes");
            }
            return b;
        } catch (IOException e) {
            throw new EngineException(ErrorKind.UNAVAILABLE, "cannot read the registry's " + what + ": " + e.getMessage(), e);
        }
    }

    private static JsonObject json(byte[] b) {
        try {
            return new JsonObject(new String(b, StandardCharsets.UTF_8));
        } catch (DecodeException | ClassCastException e) {
            throw new EngineException(ErrorKind.UNAVAILABLE, "the registry answered something that is not JSON");
        }
    }

    private static void close(HttpResponse<InputStream> r) {
        try {
            r.body().close();
        } catch (IOException e) {
            // Nothing left to read from it anyway.
        }
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
