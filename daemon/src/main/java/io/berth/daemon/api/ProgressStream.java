package io.berth.daemon.api;

import io.berth.daemon.image.registry.Progress;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/**
 * Docker's JSON progress stream as a response: lines are written on the request's context in the order
 * they were emitted from workers, the 200 and its headers go out with the first line, and an error
 * after that becomes an {@code errorDetail} line (before it, an ordinary error response with its status).
 */
final class ProgressStream implements Progress {
    private final ApiRequest request;
    private final Context context;
    private boolean started; // touched on the context only

    /** Call on the request's context. */
    ProgressStream(ApiRequest request) {
        this.request = request;
        this.context = Vertx.currentContext();
    }

    @Override
    public void emit(JsonObject message) {
        context.runOnContext(v -> {
            HttpServerResponse r = request.response();
            if (!r.closed() && !r.ended()) {
                start(r);
                r.write(message.encode() + "\r\n");
            }
        });
    }

    private void start(HttpServerResponse r) {
        if (!started) {
            started = true;
            r.setStatusCode(200).setChunked(true).putHeader("Content-Type", "application/json");
        }
    }

    /** Ends the stream when {@code done} completes, after every line emitted before. */
    void endWith(Future<?> done) {
        done.onComplete(ar -> context.runOnContext(v -> {
            HttpServerResponse r = request.response();
            if (r.closed() || r.ended()) {
                return;
            }
            if (ar.succeeded()) {
                start(r);
                r.end();
            } else if (!started) {
                request.fail(ar.cause());
            } else {
                String m = ErrorMapper.classify(ar.cause()).getMessage();
                r.end(new JsonObject().put("errorDetail", new JsonObject().put("message", m)).put("error", m).encode() + "\r\n");
            }
        }));
    }
}
