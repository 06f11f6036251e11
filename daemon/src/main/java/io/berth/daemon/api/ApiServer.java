package io.berth.daemon.api;

import io.berth.daemon.BerthVersion;
import io.berth.daemon.config.ConfigLoader;
import io.berth.daemon.config.DaemonConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.impl.ConnectionBase;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Docker Engine API on UNIX sockets and, with mutual TLS, on TCP: strips the version prefix, finds the route, and turns
 * anything thrown into Docker's error body. The socket is mode 0660, group {@code berth} if that
 * group exists, as dockerd does with {@code docker}.
 */
public final class ApiServer {

    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);

    /** Told of each request when its response ends: method, route template ("unmatched" for none), status, time. */
    @FunctionalInterface
    public interface RequestObserver {
        void observe(String method, String route, int status, long nanos);
    }

    private final Vertx vertx;
    private final Routes routes;
    private final RequestObserver observer;
    private final List<HttpServer> servers = new ArrayList<>();

    public ApiServer(Vertx vertx, Routes routes, RequestObserver observer) {
        this.vertx = vertx;
        this.routes = routes;
        this.observer = observer;
    }

    /** Listens on {@code socket}; must be called on the context that will serve requests. */
    public Future<Void> listen(Path socket) {
        try {
            Files.createDirectories(socket.getParent());
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            return Future.failedFuture(e);
        }
        HttpServer server = server(options());
        return server.listen(SocketAddress.domainSocketAddress(socket.toString())).map(s -> {
            secure(socket);
            LOG.info("API listening on unix://{}", socket);
            return null;
        });
    }

    /**
     * Listens on {@code tcp://ADDR:PORT}: with mutual TLS when {@code tls.verify()}, so a client
     * without a certificate signed by the CA is refused in the handshake, before any handler runs;
     * in plain TCP only when that was forced.
     */
    public Future<Void> listenTcp(String host, DaemonConfig.Tls tls) {
        InetSocketAddress addr = ConfigLoader.tcpAddress(host);
        HttpServerOptions options = options();
        if (tls.verify()) {
            options.setSsl(true)
                    .setKeyCertOptions(new PemKeyCertOptions().setCertPath(tls.cert().toString())
                            .setKeyPath(tls.key().toString()))
                    .setTrustOptions(new PemTrustOptions().addCertPath(tls.ca().toString()))
                    .setClientAuth(ClientAuth.REQUIRED);
        } else {
            LOG.warn("API on {} WITHOUT TLS: anyone who can reach it controls this host as root", host);
        }
        HttpServer server = server(options);
        return server.listen(addr.getPort(), addr.getHostString()).map(s -> {
            LOG.info("API listening on {} ({})", host, tls.verify() ? "mutual TLS" : "plain TCP");
            return null;
        });
    }

    private static HttpServerOptions options() {
        return new HttpServerOptions()
                .setMaxInitialLineLength(64 * 1024)
                .setMaxHeaderSize(64 * 1024)
                .setCompressionSupported(false)
                .setHttp2ClearTextEnabled(false);
    }

    private HttpServer server(HttpServerOptions options) {
        HttpServer server = vertx.createHttpServer(options);
        server.connectionHandler(ApiServer::allowPostUpgrades);
        server.requestHandler(this::handle);
        servers.add(server);
        return server;
    }

    private static void secure(Path socket) {
        try {
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw----"));
            GroupPrincipal group = socket.getFileSystem().getUserPrincipalLookupService()
                    .lookupPrincipalByGroupName("berth");
            Files.getFileAttributeView(socket, PosixFileAttributeView.class).setGroup(group);
        } catch (UserPrincipalNotFoundException e) {
            LOG.debug("no berth group: the socket stays root-only");
        } catch (IOException | UnsupportedOperationException e) {
            LOG.warn("cannot set the socket's mode or group: {}", e.getMessage());
        }
    }

    /** Vert.x exposes a connection's Netty channel only on its implementation class. */
    private static void allowPostUpgrades(HttpConnection conn) {
        if (conn instanceof ConnectionBase base) {
            // A hijacked client closes its writing side when its input ends and keeps reading.
            base.channel().config().setOption(io.netty.channel.ChannelOption.ALLOW_HALF_CLOSURE, true);
            var pipeline = base.channel().pipeline();
            String decoder = pipeline.names().contains("httpDecoder") ? "httpDecoder" : null;
            if (decoder != null && pipeline.get("berthPostUpgrade") == null) {
                pipeline.addAfter(decoder, "berthPostUpgrade", new PostUpgrade());
            } else if (decoder == null) {
                LOG.warn("no HTTP decoder in the pipeline {}: attach and exec cannot upgrade", pipeline.names());
            }
        }
    }

    private void handle(HttpServerRequest req) {
        req.response().putHeader("Api-Version", ApiVersion.CURRENT)
                .putHeader("Docker-Experimental", "false")
                .putHeader("Ostype", "linux")
                .putHeader("Server", "Berth/" + BerthVersion.VERSION + " (linux)");
        ApiRequest api = null;
        long t0 = System.nanoTime();
        try {
            ApiVersion.Split split = ApiVersion.split(req.path());
            boolean[] known = {false};
            String realMethod = req.getHeader(PostUpgrade.METHOD_HEADER);
            HttpMethod method = realMethod != null
                    ? HttpMethod.valueOf(realMethod) : req.method();
            Routes.Match m = routes.match(method, split.path(), known);
            String route = m == null ? "unmatched" : m.template();
            req.response().endHandler(v -> {
                long nanos = System.nanoTime() - t0;
                observer.observe(method.name(), route, req.response().getStatusCode(), nanos);
                LOG.debug("{} {} -> {} in {} us", method, req.uri(), req.response().getStatusCode(), nanos / 1000);
            });
            api = new ApiRequest(req, m == null ? Map.of() : m.params(), split.version());
            if (m == null) {
                String message = known[0] ? "method not allowed" : "page not found";
                req.response().setStatusCode(known[0] ? 405 : 404).putHeader("Content-Type", "application/json")
                        .end(new JsonObject().put("message", message).encode() + "\n");
                return;
            }
            m.handler().handle(api);
        } catch (Throwable t) {
            (api != null ? api : new ApiRequest(req, Map.of(), ApiVersion.CURRENT)).fail(t);
        }
    }

    public Future<Void> close() {
        return Future.join(servers.stream().map(HttpServer::close).toList()).mapEmpty();
    }
}
