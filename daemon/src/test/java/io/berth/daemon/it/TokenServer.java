package io.berth.daemon.it;

import static org.junit.jupiter.api.Assertions.assertTrue;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The token server of a registry set up for bearer authentication, as the distribution token spec
 * describes it: {@code GET /token} with basic credentials (and {@code offline_token=true} for a refresh
 * token), {@code POST /token} with a refresh-token grant. Tokens are JWTs signed RS256 by a key openssl
 * made, with the certificate in {@code x5c}; the real registry verifies them against that certificate.
 * Records each request's grant and scopes for the test to assert on.
 */
final class TokenServer implements AutoCloseable {
    static final String SERVICE = "berth-test-registry";
    static final String ISSUER = "berth-test-issuer";

    /** One answered request: how the client authenticated ({@code basic} or {@code refresh_token}) and the scopes granted. */
    record Grant(String how, List<String> scopes, boolean offline) {}

    private final HttpServer server;
    private final String user;
    private final String password;
    private final PrivateKey key;
    private final String certDer;
    private final Set<String> refreshTokens = ConcurrentHashMap.newKeySet();
    final Path certificate;
    final List<Grant> grants = new CopyOnWriteArrayList<>();

    private TokenServer(Path dir, String user, String password) throws Exception {
        this.user = user;
        this.password = password;
        Files.createDirectories(dir);
        certificate = dir.resolve("token-cert.pem");
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", dir.resolve("token-key.pem").toString(), "-out", certificate.toString(), "-days", "2",
                "-subj", "/CN=berth-test-token").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "openssl: " + out);
        key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pem(dir.resolve("token-key.pem"))));
        certDer = Base64.getEncoder().encodeToString(CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(certificate))).getEncoded());
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/token", this::token);
        server.start();
    }

    /** Starts one that knows the single account {@code user}/{@code password}. */
    static TokenServer start(Path dir, String user, String password) throws Exception {
        return new TokenServer(dir, user, password);
    }

    String realm() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    private void token(HttpExchange x) throws IOException {
        try (x) {
            String query = x.getRequestMethod().equals("POST")
                    ? new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)
                    : x.getRequestURI().getRawQuery();
            List<String[]> params = params(query);
            String how;
            if (x.getRequestMethod().equals("POST")) {
                if (!"refresh_token".equals(param(params, "grant_type")) || !refreshTokens.contains(param(params, "refresh_token"))) {
                    answer(x, 401, new JsonObject().put("error", "invalid_grant"));
                    return;
                }
                how = "refresh_token";
            } else {
                String basic = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
                if (!basic.equals(x.getRequestHeaders().getFirst("Authorization"))) {
                    answer(x, 401, new JsonObject().put("details", "incorrect username or password"));
                    return;
                }
                how = "basic";
            }
            List<String> scopes = new ArrayList<>();
            JsonArray access = new JsonArray();
            for (String[] p : params) {
                if (p[0].equals("scope")) {
                    scopes.add(p[1]);
                    int first = p[1].indexOf(':');
                    int last = p[1].lastIndexOf(':');
                    access.add(new JsonObject().put("type", p[1].substring(0, first))
                            .put("name", p[1].substring(first + 1, last))
                            .put("actions", new JsonArray(List.of(p[1].substring(last + 1).split(",")))));
                }
            }
            if (!SERVICE.equals(param(params, "service"))) {
                answer(x, 400, new JsonObject().put("error", "unknown service"));
                return;
            }
            boolean offline = how.equals("basic") && "true".equals(param(params, "offline_token"));
            grants.add(new Grant(how, List.copyOf(scopes), offline));
            long now = System.currentTimeMillis() / 1000;
            JsonObject claims = new JsonObject().put("iss", ISSUER).put("sub", user).put("aud", SERVICE)
                    .put("exp", now + 300).put("nbf", now - 10).put("iat", now).put("jti", UUID.randomUUID().toString())
                    .put("access", access);
            JsonObject body = new JsonObject().put("token", jwt(claims)).put("expires_in", 300);
            if (offline) {
                String refresh = UUID.randomUUID().toString();
                refreshTokens.add(refresh);
                body.put("refresh_token", refresh);
            }
            answer(x, 200, body);
        } catch (Exception e) {
            x.sendResponseHeaders(500, -1);
        }
    }

    private String jwt(JsonObject claims) throws Exception {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        JsonObject header = new JsonObject().put("typ", "JWT").put("alg", "RS256").put("x5c", new JsonArray().add(certDer));
        String signed = b64.encodeToString(header.encode().getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8));
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initSign(key);
        s.update(signed.getBytes(StandardCharsets.US_ASCII));
        return signed + "." + b64.encodeToString(s.sign());
    }

    private static void answer(HttpExchange x, int status, JsonObject body) throws IOException {
        byte[] b = body.encode().getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", "application/json");
        x.sendResponseHeaders(status, b.length);
        x.getResponseBody().write(b);
    }

    private static List<String[]> params(String query) {
        List<String[]> out = new ArrayList<>();
        if (query == null || query.isEmpty()) {
            return out;
        }
        for (String kv : query.split("&")) {
            int eq = kv.indexOf('=');
            String k = eq < 0 ? kv : kv.substring(0, eq);
            String v = eq < 0 ? "" : kv.substring(eq + 1);
            out.add(new String[] {URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8)});
        }
        return out;
    }

    private static String param(List<String[]> params, String name) {
        return params.stream().filter(p -> p[0].equals(name)).map(p -> p[1]).findFirst().orElse(null);
    }

    private static byte[] pem(Path file) throws IOException {
        String text = Files.readString(file).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return Base64.getDecoder().decode(text);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
