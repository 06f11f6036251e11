package io.berth.daemon.api;

import io.berth.daemon.container.AttachSession;
import io.berth.daemon.container.ExecService;
import io.berth.events.state.Exec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** The exec routes: create on a container, then start, inspect and resize by exec id. */
public final class ExecRoutes {

    private final ExecService execs;

    public ExecRoutes(ExecService execs) {
        this.execs = execs;
    }

    public void register(Routes r) {
        r.post("/containers/{id}/exec", req -> req.reply(req.jsonBody().compose(b -> execs.create(req.param("id"), b))
                .map(id -> new JsonObject().put("Id", id)), 201));
        r.post("/exec/{id}/start", this::start);
        r.get("/exec/{id}/json", req -> req.ok(execs.inspect(req.param("id"))));
        r.post("/exec/{id}/resize", req -> req.reply(execs.resize(req.param("id"), (int) req.queryLong("h", 0),
                (int) req.queryLong("w", 0)), 200));
    }

    private void start(ApiRequest r) {
        String id = r.param("id");
        Exec x = execs.find(id);
        r.jsonBody().onFailure(r::fail).onSuccess(body -> {
            boolean detach = Json.flag(body, "Detach");
            boolean tty = body.getValue("Tty") == null ? x.spec().tty() : Json.flag(body, "Tty");
            JsonArray size = body.getJsonArray("ConsoleSize");
            int[] consoleSize = size != null && size.size() == 2 && size.getInteger(0) > 0
                    ? new int[] {size.getInteger(0), size.getInteger(1)} : null;
            if (detach) {
                r.reply(execs.start(id, null, consoleSize), 200);
                return;
            }
            Hijack.accept(r, tty).onFailure(r::fail).onSuccess(socket -> {
                AttachSession session = new AttachSession(socket, x.spec().attachStdin(), true, true, tty, true);
                execs.start(id, session, consoleSize).onFailure(err -> {
                    socket.write(AttachSession.frame(2, ("Error: " + err.getMessage() + "\n").getBytes()));
                    session.abort();
                });
            });
        });
    }
}
