package io.berth.daemon.api;

import io.berth.daemon.image.ImageService;
import io.berth.daemon.image.LoadedImage;
import io.berth.daemon.image.registry.RegistryAuth;
import io.berth.errors.EngineException;
import io.berth.events.state.EngineState;
import io.berth.events.state.Image;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/** The {@code /images} routes. */
public final class ImageRoutes {

    /** Uploads (import, load) may be large; this is the cap. */
    public static final long MAX_UPLOAD = 8L << 30;

    private static final Set<String> LIST_FILTERS = Set.of("dangling", "label", "reference", "before", "since");

    private final ImageService images;
    private final Supplier<EngineState> state;

    public ImageRoutes(ImageService images, Supplier<EngineState> state) {
        this.images = images;
        this.state = state;
    }

    public void register(Routes r) {
        r.get("/images/json", this::list);
        r.post("/images/create", this::create);
        r.post("/images/load", this::load);
        r.get("/images/get", req -> save(req, req.http().params().getAll("names")));
        r.get("/images/{name:.+}/json", this::inspect);
        r.get("/images/{name:.+}/history", this::history);
        r.get("/images/{name:.+}/get", req -> save(req, List.of(req.param("name"))));
        r.post("/images/{name:.+}/tag", req -> req.reply(images.tag(req.param("name"), req.query("repo"),
                req.query("tag")), 201));
        r.post("/images/prune", this::prune);
        r.delete("/images/{name:.+}", this::remove);
        r.post("/images/{name:.+}/push", this::push);
        r.post("/auth", this::login);
    }

    private void list(ApiRequest r) {
        Filters f = Filters.parse(r.query("filters"), LIST_FILTERS);
        EngineState s = state.get();
        boolean all = r.queryBool("all", false);
        List<Image> out = new ArrayList<>();
        for (Image img : s.images().values()) {
            boolean untagged = img.tags().isEmpty();
            boolean intermediate = untagged && ImageService.hasChildren(s, img.id());
            if (intermediate && !all) {
                continue; // as dockerd: an untagged image others are built on shows only with -a
            }
            boolean dangling = untagged && !intermediate;
            if (f.has("dangling") && !f.any("dangling", v -> Boolean.parseBoolean(v) == dangling)) {
                continue;
            }
            if (!f.any("reference", v -> img.tags().stream().anyMatch(t -> matchesReference(t, v)))) {
                continue;
            }
            out.add(img);
        }
        out.sort(Comparator.comparingLong(Image::createdNanos).reversed());
        JsonArray a = new JsonArray();
        for (Image img : out) {
            JsonObject o = new JsonObject()
                    .put("Id", img.id())
                    .put("ParentId", img.parentId())
                    .put("RepoTags", tags(img))
                    .put("RepoDigests", new JsonArray(img.repoDigests()))
                    .put("Created", img.createdNanos() / 1_000_000_000L)
                    .put("Size", img.sizeBytes())
                    .put("SharedSize", -1)
                    .put("Labels", Json.object(images.config(img.id()).labels()))
                    .put("Containers", -1);
            if (!r.atLeast("1.44")) {
                o.put("VirtualSize", img.sizeBytes());
            }
            a.add(o);
        }
        r.ok(a);
    }

    private static boolean matchesReference(String normalizedTag, String pattern) {
        String familiar = ImageService.familiar(normalizedTag);
        String repo = familiar.contains(":") ? familiar.substring(0, familiar.lastIndexOf(':')) : familiar;
        String glob = pattern.replace(".", "\\.").replace("*", "[^/]*").replace("?", ".");
        return familiar.matches(glob) || repo.matches(glob);
    }

    private static JsonArray tags(Image img) {
        JsonArray t = new JsonArray();
        img.tags().forEach(x -> t.add(ImageService.familiar(x)));
        return t;
    }

    private void inspect(ApiRequest r) {
        Image img = images.resolve(r.param("name"));
        JsonObject raw = new JsonObject(new String(images.store().rawConfig(img.id()), StandardCharsets.UTF_8));
        JsonArray history = raw.getJsonArray("history", new JsonArray());
        String comment = history.isEmpty() ? "" : history.getJsonObject(history.size() - 1).getString("comment", "");
        JsonObject rootfs = raw.getJsonObject("rootfs", new JsonObject());
        JsonObject o = new JsonObject()
                .put("Id", img.id())
                .put("RepoTags", tags(img))
                .put("RepoDigests", new JsonArray(img.repoDigests()))
                .put("Parent", img.parentId())
                .put("Comment", comment)
                .put("Created", raw.getString("created", Json.time(img.createdNanos())))
                .put("DockerVersion", raw.getString("docker_version", ""))
                .put("Author", raw.getString("author", ""))
                .put("Config", raw.getJsonObject("config", new JsonObject()))
                .put("Architecture", raw.getString("architecture", "amd64"))
                .put("Os", raw.getString("os", "linux"))
                .put("Size", img.sizeBytes())
                .put("GraphDriver", new JsonObject().put("Name", "overlay2").put("Data", new JsonObject()))
                .put("RootFS", new JsonObject().put("Type", rootfs.getString("type", "layers"))
                        .put("Layers", rootfs.getJsonArray("diff_ids", new JsonArray())))
                .put("Metadata", new JsonObject().put("LastTagTime", Json.ZERO_TIME));
        if (!r.atLeast("1.44")) {
            o.put("VirtualSize", img.sizeBytes());
        }
        r.ok(o);
    }

    private void history(ApiRequest r) {
        Image img = images.resolve(r.param("name"));
        JsonObject raw = new JsonObject(new String(images.store().rawConfig(img.id()), StandardCharsets.UTF_8));
        JsonArray out = new JsonArray();
        JsonArray history = raw.getJsonArray("history", new JsonArray());
        for (int i = history.size() - 1; i >= 0; i--) {
            JsonObject h = history.getJsonObject(i);
            long created = 0;
            try {
                created = OffsetDateTime.parse(h.getString("created", raw.getString("created"))).toEpochSecond();
            } catch (RuntimeException ignored) {
                // Shown as 0.
            }
            out.add(new JsonObject().put("Id", i == history.size() - 1 ? img.id() : "<missing>").put("Created", created)
                    .put("CreatedBy", h.getString("created_by", "")).put("Tags", i == history.size() - 1 ? tags(img) : null)
                    .put("Size", i == history.size() - 1 ? img.sizeBytes() : 0).put("Comment", h.getString("comment", "")));
        }
        r.ok(out);
    }

    private void create(ApiRequest r) {
        String from = r.query("fromSrc");
        if (from == null) {
            pull(r);
            return;
        }
        if (!"-".equals(from)) {
            throw EngineException.invalid("importing from a URL is not supported; send the tarball as the body");
        }
        InputStream body = Streams.inputStream(r.http(), MAX_UPLOAD);
        List<String> changes = r.http().params().getAll("changes");
        images.importTarball(body, r.query("repo"), r.query("tag"), changes, r.query("message"))
                .onSuccess(id -> r.response().setStatusCode(200).putHeader("Content-Type", "application/json")
                        .end(new JsonObject().put("status", id).encode() + "\n"))
                .onFailure(r::fail);
    }

    private void load(ApiRequest r) {
        InputStream body = Streams.inputStream(r.http(), MAX_UPLOAD);
        images.load(body).onSuccess(loaded -> {
            StringBuilder sb = new StringBuilder();
            for (LoadedImage li : loaded) {
                if (li.tags().isEmpty()) {
                    sb.append(new JsonObject().put("stream", "Loaded image ID: " + li.image().id() + "\n").encode()).append('\n');
                }
                for (String t : li.tags()) {
                    sb.append(new JsonObject().put("stream", "Loaded image: " + ImageService.familiar(t) + "\n").encode())
                            .append('\n');
                }
            }
            // quiet only silences progress bars, which a local load does not have; the result lines stay.
            r.response().setStatusCode(200).putHeader("Content-Type", "application/json").end(sb.toString());
        }).onFailure(r::fail);
    }

    private void save(ApiRequest r, List<String> names) {
        if (names == null || names.isEmpty()) {
            throw EngineException.invalid("no images given");
        }
        for (String n : names) {
            images.resolve(n);
        }
        r.response().setStatusCode(200).setChunked(true).putHeader("Content-Type", "application/x-tar");
        OutputStream out = Streams.outputStream(r.response());
        images.save(names, out).onComplete(ar -> {
            if (ar.failed()) {
                r.response().reset();
            } else {
                r.response().end();
            }
        });
    }

    private void remove(ApiRequest r) {
        r.reply(images.remove(r.param("name"), r.queryBool("force", false), !r.queryBool("noprune", false))
                .map(ImageRoutes::removals), 200);
    }

    private static JsonArray removals(List<ImageService.Removal> list) {
        JsonArray a = new JsonArray();
        for (ImageService.Removal x : list) {
            a.add(x.untagged() != null ? new JsonObject().put("Untagged", x.untagged())
                    : new JsonObject().put("Deleted", x.deleted()));
        }
        return a;
    }

    /** {@code docker image prune}: dangling images only unless the filter says {@code dangling=false} ({@code -a}). */
    private void prune(ApiRequest r) {
        Filters f = Filters.parse(r.query("filters"), Set.of("dangling", "label"));
        boolean all = f.any("dangling", v -> v.equals("false") || v.equals("0"));
        r.reply(images.prune(all, img -> !f.has("label") || f.labels(images.config(img.id()).labels())).map(p -> new JsonObject()
                .put("ImagesDeleted", p.removals().isEmpty() ? null : removals(p.removals()))
                .put("SpaceReclaimed", p.reclaimed())), 200);
    }

    // ---- registries

    private static RegistryAuth auth(ApiRequest r) {
        return RegistryAuth.fromHeader(r.http().getHeader("X-Registry-Auth"));
    }

    private void pull(ApiRequest r) {
        String image = r.query("fromImage", "");
        String platform = r.query("platform", "");
        if (!platform.isEmpty() && !platform.startsWith("linux/amd64") && !platform.equals("linux")) {
            throw EngineException.invalid("pulling for platform " + platform + " is not supported on linux/amd64");
        }
        ProgressStream progress = new ProgressStream(r);
        progress.endWith(images.pull(image, r.query("tag"), auth(r), progress));
    }

    private void push(ApiRequest r) {
        ProgressStream progress = new ProgressStream(r);
        progress.endWith(images.push(r.param("name"), r.query("tag"), auth(r), progress));
    }

    private void login(ApiRequest r) {
        r.jsonBody().compose(body -> images.login(body.getString("serveraddress", ""), RegistryAuth.fromJson(body)))
                .onSuccess(token -> r.ok(new JsonObject().put("Status", "Login Succeeded").put("IdentityToken", token)))
                .onFailure(r::fail);
    }
}
