package io.berth.daemon.api;

import io.berth.daemon.volume.VolumeService;
import io.berth.errors.EngineException;
import io.berth.events.state.EngineState;
import io.berth.events.state.Volume;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The {@code /volumes} routes, in Docker's JSON shapes. */
public final class VolumeRoutes {

    private final VolumeService service;

    public VolumeRoutes(VolumeService service) {
        this.service = service;
    }

    public void register(Routes r) {
        r.get("/volumes", this::list);
        r.post("/volumes/create", this::create);
        r.post("/volumes/prune", this::prune);
        r.get("/volumes/{name}", req -> {
            Volume v = service.state().volumes().get(req.param("name"));
            if (v == null) {
                throw EngineException.notFound("get " + req.param("name") + ": no such volume");
            }
            req.ok(json(v));
        });
        r.delete("/volumes/{name}", req -> req.reply(service.remove(req.param("name"), req.queryBool("force", false)), 204));
    }

    private void list(ApiRequest r) {
        Filters f = Filters.parse(r.query("filters"), Set.of("name", "label", "dangling", "driver"));
        EngineState s = service.state();
        List<Volume> vols = new ArrayList<>(s.volumes().values());
        vols.sort(Comparator.comparing(Volume::name));
        JsonArray out = new JsonArray();
        for (Volume v : vols) {
            if ((!f.has("name") || f.any("name", x -> v.name().contains(x)))
                    && (!f.has("dangling") || f.any("dangling", x -> Boolean.parseBoolean(x) == s.volumeUsers(v.name()).isEmpty()))
                    && f.labels(v.labels())) {
                out.add(json(v));
            }
        }
        r.ok(new JsonObject().put("Volumes", out).put("Warnings", null));
    }

    private void create(ApiRequest r) {
        r.reply(r.jsonBody().compose(b -> {
            Map<String, String> labels = new LinkedHashMap<>();
            Json.obj(b, "Labels").forEach(e -> labels.put(e.getKey(), String.valueOf(e.getValue())));
            return service.create(Json.str(b, "Name"), Json.str(b, "Driver"), labels);
        }).map(VolumeRoutes::json), 201);
    }

    private void prune(ApiRequest r) {
        Filters f = Filters.parse(r.query("filters"), Set.of("label", "all"));
        // As dockerd (API 1.42+): without all=true only anonymous volumes are pruned.
        boolean all = f.any("all", v -> v.equals("true") || v.equals("1")) || !r.atLeast("1.42");
        r.reply(service.prune(v -> (all || v.anonymous()) && f.labels(v.labels())).map(res -> new JsonObject()
                .put("VolumesDeleted", new JsonArray(res.getKey())).put("SpaceReclaimed", res.getValue())), 200);
    }

    static JsonObject json(Volume v) {
        return new JsonObject().put("CreatedAt", Json.time(v.createdNanos())).put("Driver", v.driver())
                .put("Labels", Json.object(v.labels())).put("Mountpoint", v.mountpoint()).put("Name", v.name())
                .put("Options", null).put("Scope", "local");
    }
}
