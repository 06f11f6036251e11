package io.berth.daemon.api;

import io.berth.daemon.container.ContainerStats;
import io.berth.events.state.Container;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.util.function.Function;

/**
 * {@code GET /containers/{id}/stats}: one frame, or a frame a second while the client reads, as
 * dockerd. Without {@code stream}, dockerd waits for a second reading so the CPU share is not 0,
 * unless {@code one-shot} says not to wait. Readings are taken on a worker thread.
 */
public final class StatsRoutes {

    /** dockerd's collection interval, the pace of a stream. */
    private static final long INTERVAL_MILLIS = 1000;

    private final Vertx vertx;
    private final Function<String, Container> find;
    private final ContainerStats stats;
    private final long hostMemory;

    /**
     * @param find       the container a reference names, throwing not-found as the other routes
     * @param hostMemory the host's memory, which an unlimited container's limit shows as
     */
    public StatsRoutes(Vertx vertx, Function<String, Container> find, ContainerStats stats, long hostMemory) {
        this.vertx = vertx;
        this.find = find;
        this.stats = stats;
        this.hostMemory = hostMemory;
    }

    public void register(Routes r) {
        r.get("/containers/{id}/stats", this::stats);
    }

    private void stats(ApiRequest r) {
        String ref = r.param("id");
        find.apply(ref);
        boolean stream = r.queryBool("stream", true);
        boolean oneShot = r.queryBool("one-shot", false);
        HttpServerResponse resp = r.response();
        if (!stream) {
            Future<JsonObject> first = frame(ref, null);
            (oneShot ? first : first.compose(f -> after(INTERVAL_MILLIS).compose(v -> frame(ref, f))))
                    .onSuccess(r::ok).onFailure(r::fail);
            return;
        }
        resp.setStatusCode(200).setChunked(true).putHeader("Content-Type", "application/json");
        boolean[] closed = {false};
        resp.closeHandler(v -> closed[0] = true);
        next(ref, resp, null, closed);
    }

    private void next(String ref, HttpServerResponse resp, JsonObject previous, boolean[] closed) {
        frame(ref, previous).onComplete(ar -> {
            if (closed[0]) {
                return;
            }
            if (ar.failed()) {
                // The container went away mid-stream: the stream ends, as dockerd's does.
                resp.end();
                return;
            }
            resp.write(ar.result().encode() + "\n");
            vertx.setTimer(INTERVAL_MILLIS, t -> next(ref, resp, ar.result(), closed));
        });
    }

    private Future<JsonObject> frame(String ref, JsonObject previous) {
        return vertx.executeBlocking(() -> {
            Container c = find.apply(ref);
            return StatsJson.frame(c, stats.read(c), hostMemory, previous);
        }, false);
    }

    private Future<Void> after(long millis) {
        Promise<Void> p = Promise.promise();
        vertx.setTimer(millis, t -> p.complete());
        return p.future();
    }
}
