package io.berth.exporters;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The Prometheus endpoint: {@code GET /metrics} on a TCP address, in OpenMetrics when the scraper
 * accepts it, else in the Prometheus text format. The exposition is written on a worker thread: it
 * reads cached values only, but thousands of series still take milliseconds the event loop should not.
 */
final class MetricsServer {

    static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    static final String TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final Vertx vertx;
    private final PrometheusMeterRegistry registry;
    private HttpServer server;

    MetricsServer(Vertx vertx, PrometheusMeterRegistry registry) {
        this.vertx = vertx;
        this.registry = registry;
    }

    /** Listens on {@code host:port} (port 0 picks one); the future holds the port bound. */
    Future<Integer> listen(String host, int port) {
        server = vertx.createHttpServer().requestHandler(this::handle);
        return server.listen(port, host).map(HttpServer::actualPort);
    }

    private void handle(HttpServerRequest req) {
        if (!req.path().equals("/metrics")) {
            req.response().setStatusCode(404).putHeader("Content-Type", "text/plain; charset=utf-8")
                    .end("metrics are at /metrics\n");
            return;
        }
        if (req.method() != HttpMethod.GET && req.method() != HttpMethod.HEAD) {
            req.response().setStatusCode(405).putHeader("Allow", "GET, HEAD").end();
            return;
        }
        String type = contentType(req.getHeader("Accept"));
        vertx.executeBlocking(() -> scrape(type), false).onComplete(r -> {
            if (r.succeeded()) {
                req.response().putHeader("Content-Type", type).end(r.result());
            } else {
                req.response().setStatusCode(500).putHeader("Content-Type", "text/plain; charset=utf-8")
                        .end("scrape failed: " + r.cause() + "\n");
            }
        });
    }

    private Buffer scrape(String type) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
        try {
            registry.scrape(out, type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Buffer.buffer(out.toByteArray());
    }

    /** OpenMetrics when {@code accept} names it (Prometheus asks for it first), else the text format. */
    static String contentType(String accept) {
        return accept != null && accept.contains("application/openmetrics-text")
                ? OPENMETRICS : TEXT;
    }

    Future<Void> close() {
        return server == null ? Future.succeededFuture() : server.close();
    }
}
