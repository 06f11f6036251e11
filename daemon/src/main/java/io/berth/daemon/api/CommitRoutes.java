package io.berth.daemon.api;

import io.berth.daemon.container.ContainerService;
import io.berth.daemon.image.ImageService;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** {@code POST /commit}: a container's changes as a new image, answered as dockerd does ({@code 201 {"Id"}}). */
public final class CommitRoutes {

    private final ContainerService containers;
    private final ImageService images;

    public CommitRoutes(ContainerService containers, ImageService images) {
        this.containers = containers;
        this.images = images;
    }

    public void register(Routes r) {
        r.post("/commit", this::commit);
    }

    private void commit(ApiRequest r) {
        List<String> changes = r.http().params().getAll("changes").stream()
                .flatMap(c -> c.lines())
                .filter(c -> !c.isBlank())
                .toList();
        ImageService.CommitOptions options = new ImageService.CommitOptions(r.query("repo"), r.query("tag"),
                r.query("author"), r.query("comment"), changes);
        r.reply(containers.commit(r.query("container"), r.queryBool("pause", true), images, options)
                .map(id -> new JsonObject().put("Id", id)), 201);
    }
}
