package io.berth.daemon.api;

import io.berth.errors.EngineException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One API request as handlers see it: path parameters, typed query parameters, a capped JSON body,
 * and the ways to answer. Errors go through {@link ErrorMapper} and become Docker's JSON body.
 */
public final class ApiRequest {

    private static final Logger LOG = LoggerFactory.getLogger(ApiRequest.class);

    /** JSON bodies larger than this are refused. */
    public static final int MAX_JSON_BODY = 4 << 20;

    private final HttpServerRequest http;
    private final Map<String, String> params;
    private final String version;

    ApiRequest(HttpServerRequest http, Map<String, String> params, String version) {
        this.http = http;
        this.params = params;
        this.version = version;
    }

    public HttpServerRequest http() {
        return http;
    }

    public HttpServerResponse response() {
        return http.response();
    }

    /** The API version the client asked for. */
    public String version() {
        return version;
    }

    /** True when the client's API version is at least {@code v}. */
    public boolean atLeast(String v) {
        return ApiVersion.compare(version, v) >= 0;
    }

    public String param(String name) {
        return params.get(name);
    }

    public String query(String name) {
        return http.getParam(name);
    }

    public String query(String name, String dflt) {
        String v = http.getParam(name);
        return v == null ? dflt : v;
    }

    /** Docker's boolean query values: 1/true/True; absent or empty is {@code dflt}. */
    public boolean queryBool(String name, boolean dflt) {
        String v = http.getParam(name);
        if (v == null || v.isEmpty()) {
            return dflt;
        }
        String l = v.toLowerCase(Locale.ROOT);
        return !(l.equals("0") || l.equals("false") || l.equals("no"));
    }

    public long queryLong(String name, long dflt) {
        String v = http.getParam(name);
        if (v == null || v.isEmpty()) {
            return dflt;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw EngineException.invalid("invalid value for " + name + ": " + v);
        }
    }

    /** The body as a JSON object; an empty body is an empty object. Capped at {@link #MAX_JSON_BODY}. */
    public Future<JsonObject> jsonBody() {
        return cappedBody().map(b -> {
            if (b.length() == 0) {
                return new JsonObject();
            }
            Object v = io.vertx.core.json.Json.decodeValue(b);
            if (v instanceof JsonObject o) {
                return o;
            }
            throw EngineException.invalid("invalid JSON: the body must be an object");
        });
    }

    private Future<Buffer> cappedBody() {
        String cl = http.getHeader("Content-Length");
        if (cl != null) {
            try {
                if (Long.parseLong(cl) > MAX_JSON_BODY) {
                    return Future.failedFuture(EngineException.invalid("request body is larger than "
                            + MAX_JSON_BODY + " bytes"));
                }
            } catch (NumberFormatException e) {
                return Future.failedFuture(EngineException.invalid("bad Content-Length"));
            }
        }
        Promise<Buffer> p = Promise.promise();
        Buffer acc = Buffer.buffer();
        http.handler(chunk -> {
            if (acc.length() + chunk.length() > MAX_JSON_BODY) {
                http.handler(null);
                p.tryFail(EngineException.invalid("request body is larger than " + MAX_JSON_BODY + " bytes"));
                return;
            }
            acc.appendBuffer(chunk);
        });
        http.exceptionHandler(p::tryFail);
        http.endHandler(v -> p.tryComplete(acc));
        return p.future();
    }

    /** Answers {@code body} as JSON and a newline, as dockerd does, encoded straight to UTF-8 bytes. */
    public void json(int status, Object body) {
        Buffer bytes = body instanceof JsonObject o ? o.toBuffer() : body instanceof JsonArray a ? a.toBuffer()
                : Json.encodeToBuffer(body);
        response().setStatusCode(status).putHeader("Content-Type", "application/json").end(bytes.appendByte((byte) '\n'));
    }

    public void ok(Object body) {
        json(200, body);
    }

    /** Answers with a status and no body (204, 304, ...). */
    public void status(int status) {
        response().setStatusCode(status).end();
    }

    /** Answers with the error's status and Docker's {@code {"message": ...}} body. */
    public void fail(Throwable t) {
        EngineException e = ErrorMapper.classify(t);
        int status = ErrorMapper.status(e.kind());
        if (status >= 500) {
            LOG.error("{} {} failed", http.method(), http.path(), e);
        } else {
            LOG.debug("{} {}: {} {}", http.method(), http.path(), status, e.getMessage());
        }
        HttpServerResponse r = response();
        if (r.headWritten()) {
            r.reset();
            return;
        }
        if (status == 304) {
            r.setStatusCode(304).end();
            return;
        }
        r.setStatusCode(status).putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("message", e.getMessage()).encode() + "\n");
    }

    /** Completes the request from a future: its value as JSON with {@code status}, or its error. */
    public void reply(Future<?> f, int status) {
        f.onComplete(ar -> {
            if (ar.failed()) {
                fail(ar.cause());
            } else if (status == 204 || status == 304 || ar.result() == null) {
                status(status);
            } else {
                json(status, ar.result());
            }
        });
    }
}
