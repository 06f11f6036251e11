package io.berth.daemon.system;

import io.berth.daemon.api.ContainerJson;
import io.berth.daemon.container.ContainerService;
import io.berth.daemon.image.ImageService;
import io.berth.events.state.Container;
import io.berth.events.state.EngineState;
import io.berth.events.state.Image;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** {@code docker system df}: images with their use, containers with their writable layers. */
public final class DiskUsage {

    private final ContainerService containers;

    public DiskUsage(ContainerService containers) {
        this.containers = containers;
    }

    public Future<JsonObject> compute() {
        EngineState s = containers.state();
        List<Container> all = new ArrayList<>(s.containers().values());
        return containers.blockingSizes(all).map(sizes -> {
            long now = System.currentTimeMillis() * 1_000_000L;
            JsonArray cs = new JsonArray();
            for (int i = 0; i < all.size(); i++) {
                cs.add(ContainerJson.summary(all.get(i), now, sizes.get(i)));
            }
            JsonArray is = new JsonArray();
            long layers = 0;
            for (Image img : s.images().values()) {
                long users = all.stream().filter(c -> c.spec().imageId().equals(img.id())).count();
                JsonArray tags = new JsonArray();
                img.tags().forEach(t -> tags.add(ImageService.familiar(t)));
                is.add(new JsonObject().put("Id", img.id()).put("ParentId", "").put("RepoTags", tags)
                        .put("RepoDigests", new JsonArray(img.repoDigests()))
                        .put("Created", img.createdNanos() / 1_000_000_000L).put("Size", img.sizeBytes())
                        .put("SharedSize", 0).put("VirtualSize", img.sizeBytes()).put("Labels", new JsonObject())
                        .put("Containers", users));
                layers += img.sizeBytes();
            }
            return new JsonObject().put("LayersSize", layers).put("Images", is).put("Containers", cs)
                    .put("Volumes", new JsonArray()).put("BuildCache", new JsonArray());
        });
    }
}
