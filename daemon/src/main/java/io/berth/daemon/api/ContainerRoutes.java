package io.berth.daemon.api;

import io.berth.daemon.container.AttachSession;
import io.berth.daemon.container.ContainerArchive;
import io.berth.daemon.container.ContainerPaths;
import io.berth.daemon.container.ContainerService;
import io.berth.daemon.container.LogReader;
import io.berth.daemon.container.Signals;
import io.berth.daemon.container.Top;
import io.berth.errors.EngineException;
import io.berth.events.state.Container;
import io.berth.events.state.ContainerState;
import io.berth.events.state.EngineState;
import io.berth.events.state.Image;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** The {@code /containers} routes: decode the request, call the service, encode Docker's answer. */
public final class ContainerRoutes {

    private static final Set<String> LIST_FILTERS = Set.of("id", "name", "label", "status", "exited", "ancestor",
            "before", "since");

    private final ContainerService service;
    private final ContainerPaths paths;
    private final LogReader logs;
    private final Top top;
    private final ContainerArchive archive;

    public ContainerRoutes(ContainerService service, ContainerPaths paths, LogReader logs, Top top) {
        this.service = service;
        this.paths = paths;
        this.logs = logs;
        this.top = top;
        this.archive = new ContainerArchive(paths, service.ids());
    }

    public void register(Routes r) {
        r.post("/containers/create", this::create);
        r.get("/containers/json", this::list);
        r.post("/containers/prune", this::prune);
        r.get("/containers/{id}/json", this::inspect);
        r.post("/containers/{id}/start", req -> req.reply(service.start(req.param("id")), 204));
        r.post("/containers/{id}/stop", req -> req.reply(service.stop(req.param("id"), timeout(req),
                req.query("signal")), 204));
        r.post("/containers/{id}/restart", req -> req.reply(service.restart(req.param("id"), timeout(req),
                req.query("signal")), 204));
        r.post("/containers/{id}/kill", req -> req.reply(service.kill(req.param("id"),
                Signals.parse(req.query("signal", "KILL"))), 204));
        r.post("/containers/{id}/pause", req -> req.reply(service.pause(req.param("id")), 204));
        r.post("/containers/{id}/unpause", req -> req.reply(service.unpause(req.param("id")), 204));
        r.post("/containers/{id}/rename", req -> req.reply(service.rename(req.param("id"), req.query("name")), 204));
        r.post("/containers/{id}/update", req -> req.reply(req.jsonBody().compose(b -> service.update(req.param("id"), b))
                .map(v -> new JsonObject().put("Warnings", new JsonArray())), 200));
        r.delete("/containers/{id}", req -> req.reply(service.remove(req.param("id"), req.queryBool("force", false),
                req.queryBool("v", false)), 204));
        r.post("/containers/{id}/wait", this::waitFor);
        r.post("/containers/{id}/attach", this::attach);
        r.post("/containers/{id}/resize", this::resize);
        r.get("/containers/{id}/logs", this::logs);
        r.get("/containers/{id}/top", this::top);
        r.head("/containers/{id}/archive", this::statPath);
        r.get("/containers/{id}/archive", this::getArchive);
        r.put("/containers/{id}/archive", this::putArchive);
        r.get("/containers/{id}/changes", req -> req.reply(service.changes(req.param("id")).map(list -> {
            JsonArray out = new JsonArray();
            list.forEach(c -> out.add(new JsonObject().put("Path", c.path()).put("Kind", c.kind().ordinal())));
            return out;
        }), 200));
        r.get("/containers/{id}/export", this::export);
    }

    private void statPath(ApiRequest r) {
        String path = r.query("path");
        service.withRootfs(r.param("id"), id -> () -> archive.stat(id, path)).onSuccess(st ->
                r.response().putHeader("X-Docker-Container-Path-Stat", st.header()).setStatusCode(200).end())
                .onFailure(r::fail);
    }

    private void getArchive(ApiRequest r) {
        String path = r.query("path");
        service.withRootfs(r.param("id"), id -> () -> archive.stat(id, path)).onFailure(r::fail).onSuccess(st -> {
            r.response().putHeader("X-Docker-Container-Path-Stat", st.header()).putHeader("Content-Type", "application/x-tar")
                    .setStatusCode(200).setChunked(true);
            OutputStream out = Streams.outputStream(r.response());
            service.withRootfs(r.param("id"), id -> () -> {
                archive.read(id, path, out);
                return null;
            }).onComplete(ar -> {
                if (ar.failed()) {
                    r.response().reset();
                } else {
                    r.response().end();
                }
            });
        });
    }

    private void export(ApiRequest r) {
        // Errors (no such container) are answered before the first byte; afterwards only a reset can tell.
        if (service.state().findContainer(r.param("id")) == null) {
            r.fail(EngineException.notFound("No such container: " + r.param("id")));
            return;
        }
        r.response().putHeader("Content-Type", "application/x-tar").setStatusCode(200).setChunked(true);
        service.export(r.param("id"), Streams.outputStream(r.response())).onComplete(ar -> {
            if (ar.failed()) {
                r.response().reset();
            } else {
                r.response().end();
            }
        });
    }

    private void putArchive(ApiRequest r) {
        String path = r.query("path");
        boolean copyUidGid = r.queryBool("copyUIDGID", false);
        InputStream in = Streams.inputStream(r.http(), ImageRoutes.MAX_UPLOAD);
        r.reply(service.withRootfs(r.param("id"), id -> () -> {
            archive.write(id, path, in, copyUidGid);
            return null;
        }), 200);
    }

    private static Integer timeout(ApiRequest r) {
        String t = r.query("t");
        if (t == null || t.isEmpty()) {
            return null;
        }
        try {
            return Integer.parseInt(t);
        } catch (NumberFormatException e) {
            throw EngineException.invalid("invalid value for t: " + t);
        }
    }

    private void create(ApiRequest r) {
        String name = r.query("name");
        r.reply(r.jsonBody().compose(body -> service.create(name, body))
                .map(id -> new JsonObject().put("Id", id).put("Warnings", new JsonArray())), 201);
    }

    private void inspect(ApiRequest r) {
        Container c = service.find(r.param("id"));
        EngineState s = service.state();
        Map<String, String> points = new HashMap<>();
        s.volumes().values().forEach(v -> points.put(v.name(), v.mountpoint()));
        r.ok(ContainerJson.inspect(c, s.execsOf(c.id()), paths, System.currentTimeMillis() * 1_000_000L,
                s.networksOf(c.id()), points));
    }

    private void list(ApiRequest r) {
        boolean all = r.queryBool("all", false);
        long limit = r.queryLong("limit", -1);
        boolean size = r.queryBool("size", false);
        Filters f = Filters.parse(r.query("filters"), LIST_FILTERS);
        EngineState s = service.state();
        if (limit > 0) {
            all = true;
        }
        long beforeCreated = f.has("before") ? created(s, f.get("before").iterator().next()) : Long.MAX_VALUE;
        long sinceCreated = f.has("since") ? created(s, f.get("since").iterator().next()) : Long.MIN_VALUE;
        List<Container> matched = new ArrayList<>();
        for (Container c : s.containers().values()) {
            boolean running = c.state() instanceof ContainerState.Running || c.state() instanceof ContainerState.Paused
                    || c.state() instanceof ContainerState.Restarting;
            if (!all && !running && !f.has("status") && !f.has("exited")) {
                continue;
            }
            if (!f.any("id", v -> c.id().startsWith(v))
                    || !f.any("name", v -> Pattern.compile(v.startsWith("/") ? v.substring(1) : v).matcher(c.name()).find())
                    || !f.any("status", v -> v.equals(c.state().status().word()))
                    || !f.any("exited", v -> c.state() instanceof ContainerState.Exited && v.equals(String.valueOf(c.exitCode())))
                    || !f.any("ancestor", v -> ancestor(s, c, v))
                    || !f.labels(c.spec().labels())
                    || c.createdNanos() >= beforeCreated || c.createdNanos() <= sinceCreated) {
                continue;
            }
            matched.add(c);
        }
        matched.sort(Comparator.comparingLong(Container::createdNanos).reversed());
        if (limit > 0 && matched.size() > limit) {
            matched = matched.subList(0, (int) limit);
        }
        long now = System.currentTimeMillis() * 1_000_000L;
        List<Container> result = matched;
        if (!size) {
            JsonArray out = new JsonArray();
            result.forEach(c -> out.add(ContainerJson.summary(c, now, null, service.state().networksOf(c.id()))));
            r.ok(out);
            return;
        }
        r.reply(service.blockingSizes(result).map(sizes -> {
            JsonArray out = new JsonArray();
            for (int i = 0; i < result.size(); i++) {
                out.add(ContainerJson.summary(result.get(i), now, sizes.get(i),
                        service.state().networksOf(result.get(i).id())));
            }
            return out;
        }), 200);
    }

    private static long created(EngineState s, String ref) {
        Container c = s.findContainer(ref);
        if (c == null) {
            throw EngineException.notFound("No such container: " + ref);
        }
        return c.createdNanos();
    }

    private static boolean ancestor(EngineState s, Container c, String ref) {
        if (c.spec().image().equals(ref) || c.spec().imageId().equals(ref) || c.spec().imageId().startsWith("sha256:" + ref)) {
            return true;
        }
        for (Image img : s.images().values()) {
            if (img.id().equals(c.spec().imageId()) && img.tags().stream().anyMatch(t -> t.equals(ref)
                    || t.endsWith("/" + ref) || t.endsWith("/" + ref + ":latest"))) {
                return true;
            }
        }
        return false;
    }

    private void prune(ApiRequest r) {
        r.reply(service.prune().map(ids -> new JsonObject().put("ContainersDeleted", Json.array(ids))
                .put("SpaceReclaimed", 0)), 200);
    }

    private void waitFor(ApiRequest r) {
        Future<ContainerService.WaitResult> f = service.waitFor(r.param("id"), r.query("condition"));
        if (f.failed()) {
            r.fail(f.cause());
            return;
        }
        // Tell the client the wait is in place before the container can exit: docker run relies on it.
        r.response().setStatusCode(200).setChunked(true).putHeader("Content-Type", "application/json");
        r.response().writeHead();
        f.onComplete(ar -> {
            JsonObject body = ar.succeeded() ? new JsonObject().put("StatusCode", ar.result().statusCode()).putNull("Error")
                    : new JsonObject().put("StatusCode", -1).put("Error", new JsonObject().put("Message", ar.cause().getMessage()));
            r.response().end(body.encode() + "\n");
        });
    }

    private void attach(ApiRequest r) {
        Container c = service.find(r.param("id"));
        boolean stream = r.queryBool("stream", false);
        boolean stdin = r.queryBool("stdin", false) && c.spec().openStdin();
        boolean stdout = r.queryBool("stdout", false);
        boolean stderr = r.queryBool("stderr", false);
        boolean tty = c.spec().tty();
        if (!stream) {
            throw EngineException.invalid("attaching without stream=1 is not supported");
        }
        Hijack.accept(r, tty).onSuccess(socket -> {
            AttachSession session = new AttachSession(socket, stdin, stdout, stderr, tty, c.spec().stdinOnce());
            service.attach(service.find(c.id()), session).onFailure(err -> session.abort());
        }).onFailure(r::fail);
    }

    private void resize(ApiRequest r) {
        r.reply(service.resize(r.param("id"), (int) r.queryLong("h", 0), (int) r.queryLong("w", 0)), 200);
    }

    private void logs(ApiRequest r) {
        Container c = service.find(r.param("id"));
        boolean stdout = r.queryBool("stdout", false);
        boolean stderr = r.queryBool("stderr", false);
        if (!stdout && !stderr) {
            throw EngineException.invalid("You must choose at least one stream");
        }
        LogReader.Options o = new LogReader.Options(stdout, stderr, r.queryBool("follow", false),
                r.queryBool("timestamps", false), tail(r.query("tail")), LogReader.parseTime(r.query("since")),
                LogReader.parseTime(r.query("until")));
        r.response().setStatusCode(200).setChunked(true).putHeader("Content-Type",
                c.spec().tty() ? "application/vnd.docker.raw-stream" : "application/vnd.docker.multiplexed-stream");
        logs.stream(c.id(), c.spec().tty(), o, r.response());
    }

    private static long tail(String t) {
        if (t == null || t.isEmpty() || "all".equals(t)) {
            return -1;
        }
        try {
            return Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw EngineException.invalid("invalid value for tail: " + t);
        }
    }

    private void top(ApiRequest r) {
        Container c = service.find(r.param("id"));
        if (!(c.state() instanceof ContainerState.Running || c.state() instanceof ContainerState.Paused)) {
            throw EngineException.conflict("container " + c.id() + " is not running");
        }
        r.reply(top.run(c.id(), r.query("ps_args", "-ef")), 200);
    }
}
