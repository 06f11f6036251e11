package io.berth.daemon.api;

import io.berth.daemon.network.NetworkService;
import io.berth.events.state.Container;
import io.berth.events.state.EngineState;
import io.berth.events.state.Network;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The {@code /networks} routes, in Docker's JSON shapes. */
public final class NetworkRoutes {

    private static final Set<String> FILTERS = Set.of("name", "id", "label", "driver", "type", "dangling", "scope");

    private final NetworkService service;

    public NetworkRoutes(NetworkService service) {
        this.service = service;
    }

    public void register(Routes r) {
        r.get("/networks", this::list);
        r.post("/networks/create", this::create);
        r.post("/networks/prune", this::prune);
        r.get("/networks/{id}", req -> req.ok(json(service.find(req.param("id")), service.state())));
        r.delete("/networks/{id}", req -> req.reply(service.remove(req.param("id")), 204));
        r.post("/networks/{id}/connect", req -> req.reply(req.jsonBody().compose(b -> service.connect(req.param("id"),
                Json.str(b, "Container"), Json.strings(Json.obj(b, "EndpointConfig").getValue("Aliases")))), 200));
        r.post("/networks/{id}/disconnect", req -> req.reply(req.jsonBody().compose(b -> service.disconnect(
                req.param("id"), Json.str(b, "Container"), Json.flag(b, "Force"))), 200));
    }

    private void list(ApiRequest r) {
        Filters f = Filters.parse(r.query("filters"), FILTERS);
        EngineState s = service.state();
        List<Network> nets = new ArrayList<>(s.networks().values());
        nets.sort(Comparator.comparing(Network::name));
        JsonArray out = new JsonArray();
        for (Network n : nets) {
            if (matches(f, n)) {
                out.add(json(n, s));
            }
        }
        r.ok(out);
    }

    private static boolean matches(Filters f, Network n) {
        return (!f.has("name") || f.any("name", v -> n.name().contains(v)))
                && (!f.has("id") || f.any("id", v -> n.id().startsWith(v)))
                && (!f.has("driver") || f.any("driver", v -> v.equals(n.driver())))
                && (!f.has("type") || f.any("type", v -> v.equals(n.builtin() ? "builtin" : "custom")))
                && (!f.has("dangling") || f.any("dangling", v -> Boolean.parseBoolean(v) == n.members().isEmpty()))
                && f.labels(n.labels());
    }

    private void create(ApiRequest r) {
        r.reply(r.jsonBody().compose(b -> {
            JsonObject ipam = Json.obj(b, "IPAM");
            JsonArray configs = ipam.getJsonArray("Config", new JsonArray());
            JsonObject first = configs.isEmpty() ? new JsonObject() : configs.getJsonObject(0);
            Map<String, String> labels = new LinkedHashMap<>();
            Json.obj(b, "Labels").forEach(e -> labels.put(e.getKey(), String.valueOf(e.getValue())));
            return service.create(Json.str(b, "Name"), Json.str(b, "Driver"), first.getString("Subnet", ""),
                    first.getString("Gateway", ""), Json.flag(b, "Internal"), labels);
        }).map(id -> new JsonObject().put("Id", id).put("Warning", "")), 201);
    }

    private void prune(ApiRequest r) {
        Filters f = Filters.parse(r.query("filters"), Set.of("label", "until"));
        r.reply(service.prune(n -> f.labels(n.labels())).map(names -> new JsonObject()
                .put("NetworksDeleted", new JsonArray(names))), 200);
    }

    /** Docker's network object. */
    static JsonObject json(Network n, EngineState s) {
        JsonObject containers = new JsonObject();
        for (Map.Entry<String, Network.Member> m : n.membersById().entrySet()) {
            Container c = s.container(m.getKey());
            var e = m.getValue().endpoint();
            if (c == null || e == null) {
                continue;
            }
            containers.put(c.id(), new JsonObject().put("Name", c.name()).put("EndpointID", "")
                    .put("MacAddress", e.macAddress()).put("IPv4Address", e.ipAddress() + "/" + e.prefixLen())
                    .put("IPv6Address", ""));
        }
        JsonArray config = new JsonArray();
        if (n.subnet() != null && !n.subnet().isEmpty()) {
            config.add(new JsonObject().put("Subnet", n.subnet()).put("Gateway", n.gateway()));
        }
        JsonObject options = new JsonObject();
        if (n.isBridge()) {
            options.put("com.docker.network.bridge.name", n.bridge());
        }
        return new JsonObject()
                .put("Name", n.name()).put("Id", n.id()).put("Created", Json.time(n.createdNanos()))
                .put("Scope", "local").put("Driver", n.driver()).put("EnableIPv6", false)
                .put("IPAM", new JsonObject().put("Driver", "default").put("Options", null).put("Config", config))
                .put("Internal", n.internal()).put("Attachable", false).put("Ingress", false)
                .put("ConfigFrom", new JsonObject().put("Network", "")).put("ConfigOnly", false)
                .put("Containers", containers).put("Options", options).put("Labels", Json.object(n.labels()));
    }
}
