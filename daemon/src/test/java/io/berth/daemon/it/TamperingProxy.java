package io.berth.daemon.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A loopback HTTP proxy in front of a real registry that spoils layer downloads on demand: it flips a
 * byte of every blob larger than a config, or cuts such blobs off halfway. It records the Range
 * headers of blob requests, so a test sees a retry resume.
 */
final class TamperingProxy implements AutoCloseable {

    enum Mode { PASS, CORRUPT, TRUNCATE, STALL }

    private static final long SMALL = 16 << 10; // configs and manifests pass untouched
    private static final Set<String> HOP = Set.of("connection", "content-length", "transfer-encoding", "host",
            "keep-alive", "upgrade", "date");

    private final HttpServer server;
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private final String upstream;
    volatile Mode mode = Mode.PASS;
    final List<String> blobRanges = new CopyOnWriteArrayList<>();

    TamperingProxy(String upstreamHost) throws IOException {
        this.upstream = "http://" + upstreamHost;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::forward);
        server.start();
    }

    String host() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    private void forward(HttpExchange ex) throws IOException {
        try (ex) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(upstream + ex.getRequestURI()));
            ex.getRequestHeaders().forEach((k, vs) -> {
                if (!HOP.contains(k.toLowerCase())) {
                    vs.forEach(v -> b.header(k, v));
                }
            });
            byte[] body = ex.getRequestBody().readAllBytes();
            b.method(ex.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
            boolean blob = ex.getRequestMethod().equals("GET") && ex.getRequestURI().getPath().contains("/blobs/sha256:");
            if (blob) {
                blobRanges.add(ex.getRequestHeaders().getFirst("Range") == null ? "" : ex.getRequestHeaders().getFirst("Range"));
            }
            HttpResponse<InputStream> r;
            try {
                r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                ex.sendResponseHeaders(502, -1);
                return;
            }
            r.headers().map().forEach((k, vs) -> {
                if (!HOP.contains(k.toLowerCase())) {
                    vs.forEach(v -> ex.getResponseHeaders().add(k, v));
                }
            });
            long length = r.headers().firstValueAsLong("Content-Length").orElse(-1);
            boolean spoil = blob && mode != Mode.PASS && length > SMALL && r.statusCode() / 100 == 2;
            if (ex.getRequestMethod().equals("HEAD")) {
                ex.sendResponseHeaders(r.statusCode(), -1);
                r.body().close();
                return;
            }
            ex.sendResponseHeaders(r.statusCode(), length == 0 ? -1 : Math.max(length, 0));
            try (InputStream in = r.body(); OutputStream out = ex.getResponseBody()) {
                byte[] all = in.readAllBytes();
                if (spoil && mode == Mode.CORRUPT) {
                    all[all.length / 2] ^= 0x5a;
                }
                if (spoil && mode == Mode.TRUNCATE) {
                    out.write(all, 0, all.length / 2);
                    out.flush();
                    return;
                }
                if (spoil && mode == Mode.STALL) {
                    out.write(all, 0, all.length / 2);
                    out.flush();
                    // Sends nothing more, holding the connection, until the test moves on.
                    for (int i = 0; i < 600 && mode == Mode.STALL; i++) {
                        sleep(100);
                    }
                    return;
                }
                out.write(all);
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
