package io.berth.daemon.image;

import io.berth.daemon.container.ImageResolver;
import io.berth.daemon.engine.Engine;
import io.berth.daemon.image.registry.Distribution;
import io.berth.daemon.image.registry.Progress;
import io.berth.daemon.image.registry.RegistryAuth;
import io.berth.errors.EngineException;
import io.berth.events.Event;
import io.berth.events.ImageEvent;
import io.berth.events.state.Container;
import io.berth.events.state.ContainerState;
import io.berth.events.state.EngineState;
import io.berth.events.state.Image;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Images as the API sees them: names resolved against the journal's tags, content in the
 * {@link ImageStore}, and every change journaled once the content is in place. Runs on the engine's
 * context; store work runs on workers.
 */
public final class ImageService implements ImageResolver {

    private static final Pattern HEX = Pattern.compile("[a-f0-9]{1,64}");

    /** One line of a {@code docker rmi} answer: an untagged reference or a deleted id. */
    public record Removal(String untagged, String deleted) {}

    private final Engine engine;
    private final ImageStore store;
    private final Distribution registries;

    public ImageService(Engine engine, ImageStore store, Distribution registries) {
        this.engine = engine;
        this.store = store;
        this.registries = registries;
    }

    public ImageStore store() {
        return store;
    }

    // ---- lookup

    @Override
    public Image resolve(String ref) {
        Image img = find(engine.state(), ref);
        if (img == null) {
            throw EngineException.notFound("No such image: " + display(ref));
        }
        return img;
    }

    /** The image {@code ref} names in {@code s}, or null: a tag first, then an id or a unique id prefix. */
    public static Image find(EngineState s, String ref) {
        if (ref == null || ref.isEmpty()) {
            return null;
        }
        try {
            ImageReference parsed = ImageReference.parse(ref);
            if (parsed.digest() != null && parsed.tag() == null) {
                String byDigest = parsed.name() + "@" + parsed.digest();
                for (Image img : s.images().values()) {
                    if (img.repoDigests().contains(byDigest)) {
                        return img;
                    }
                }
            }
            String normalized = parsed.withDefaultTag().toString();
            String id = s.tags().get(normalized);
            if (id != null) {
                return s.images().get(id);
            }
        } catch (EngineException notAName) {
            // Maybe an id.
        }
        String hex = ref.startsWith("sha256:") ? ref.substring(7) : ref;
        if (!HEX.matcher(hex).matches()) {
            return null;
        }
        Image found = null;
        for (Image img : s.images().values()) {
            if (img.id().startsWith("sha256:" + hex)) {
                if (found != null) {
                    return null;
                }
                found = img;
            }
        }
        return found;
    }

    /** A reference as Docker's messages show it: familiar, with a tag. */
    static String display(String ref) {
        try {
            ImageReference r = ImageReference.parse(ref);
            return HEX.matcher(ref).matches() ? ref : r.withDefaultTag().familiar();
        } catch (EngineException e) {
            return ref;
        }
    }

    @Override
    public ImageConfig config(String imageId) {
        return store.config(imageId);
    }

    @Override
    public List<Path> layerDirs(String imageId) {
        return store.layerDirs(imageId);
    }

    // ---- changes

    /** {@code docker import}: a rootfs tarball becomes an image, tagged {@code repo:tag} if given. */
    public Future<String> importTarball(InputStream tarball, String repo, String tag, List<String> changes,
                                        String message) {
        String ref;
        try {
            ref = repo == null || repo.isEmpty() ? "" : withTag(repo, tag);
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
        long now = System.currentTimeMillis() * 1_000_000L;
        return engine.exclusive("images", () -> engine.blocking(() ->
                        store.importRootfs(tarball, new ImportOptions(changes, message == null ? "" : message, now)))
                .compose(img -> engine.commit(new ImageEvent.Imported(img.id(), info(img), ref)).map(e -> img.id())));
    }

    /** {@code docker load}: every image in the archive, with its tags; returns them. */
    public Future<List<LoadedImage>> load(InputStream archive) {
        return engine.exclusive("images", () -> engine.blocking(() -> store.load(archive)).compose(loaded -> {
            List<Event> events = new ArrayList<>();
            for (LoadedImage li : loaded) {
                events.add(new ImageEvent.Loaded(li.image().id(), info(li.image()), li.tags()));
            }
            return engine.commitAll(events).map(v -> loaded);
        }));
    }

    /** {@code docker save}: writes the images the references name, with their tags, on a worker. */
    public Future<Void> save(List<String> refs, OutputStream out) {
        List<SaveRequest> requests = new ArrayList<>();
        try {
            Map<String, List<String>> byId = new LinkedHashMap<>();
            for (String ref : refs) {
                Image img = resolve(ref);
                List<String> tags = byId.computeIfAbsent(img.id(), k -> new ArrayList<>());
                // Saved by id, Docker records no tag for the image.
                String normalized = normalizedOrNull(ref);
                if (normalized != null && img.tags().contains(normalized)) {
                    tags.add(normalized);
                }
            }
            byId.forEach((id, tags) -> requests.add(new SaveRequest(id, tags)));
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
        return engine.blocking(() -> {
            store.save(requests, out);
            return null;
        }).compose(v -> {
            List<Event> saved = new ArrayList<>();
            requests.forEach(r -> saved.add(new ImageEvent.Saved(r.imageId())));
            // The archive is written whatever happens to the images meanwhile; only the record is lost.
            return engine.commitAll(saved).recover(err -> Future.succeededFuture());
        });
    }

    private static String normalizedOrNull(String ref) {
        if (HEX.matcher(ref).matches() || ref.startsWith("sha256:")) {
            return null;
        }
        try {
            return ImageReference.parse(ref).withDefaultTag().toString();
        } catch (EngineException e) {
            return null;
        }
    }

    /** {@code docker tag}. */
    public Future<Void> tag(String source, String repo, String tag) {
        try {
            Image img = resolve(source);
            String target = withTag(repo, tag);
            return engine.commit(new ImageEvent.Tagged(img.id(), target)).mapEmpty();
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }

    /** {@code repo} with {@code tag}; without one, the tag {@code repo} may carry, else {@code latest}. */
    private static String withTag(String repo, String tag) {
        ImageReference r = ImageReference.parse(repo);
        return (tag == null || tag.isEmpty() ? r.withDefaultTag() : r.withTag(tag)).toString();
    }

    /** {@code docker rmi}, with Docker's rules for tags, ids, and images in use. */
    public Future<List<Removal>> remove(String ref, boolean force, boolean prune) {
        return engine.exclusive("images", () -> {
            EngineState s = engine.state();
            Image img = resolve(ref);
            String normalized = normalizedOrNull(ref);
            boolean byTag = normalized != null && img.tags().contains(normalized);
            List<Removal> out = new ArrayList<>();
            // The last tag of an image others are built on goes, the image stays: dockerd's quiet conflict.
            if (byTag && (img.tags().size() > 1 || hasChildren(s, img.id()))) {
                return engine.commit(new ImageEvent.Untagged(img.id(), normalized))
                        .map(e -> List.of(new Removal(familiar(normalized), null)));
            }
            if (!byTag && hasChildren(s, img.id())) {
                throw EngineException.conflict("conflict: unable to delete " + shortId(img.id())
                        + " (cannot be forced) - image has dependent child images");
            }
            if (!byTag && img.tags().size() > 1 && !force) {
                throw EngineException.conflict("conflict: unable to delete " + shortId(img.id())
                        + " (must be forced) - image is referenced in multiple repositories");
            }
            Container user = usedBy(s, img.id());
            if (user != null) {
                boolean running = user.state() instanceof ContainerState.Running
                        || user.state() instanceof ContainerState.Paused
                        || user.state() instanceof ContainerState.Restarting;
                if (running && force) {
                    throw EngineException.conflict("conflict: unable to delete " + shortId(img.id())
                            + " (cannot be forced) - image is being used by running container " + shortId(user.id()));
                }
                if (!force) {
                    throw EngineException.conflict(byTag
                            ? "conflict: unable to remove repository reference \"" + ref + "\" (must force) - container "
                                + shortId(user.id()) + " is using its referenced image " + shortId(img.id())
                            : "conflict: unable to delete " + shortId(img.id()) + " (must be forced) - image is being used by stopped container "
                                + shortId(user.id()));
                }
            }
            List<Event> events = new ArrayList<>();
            for (String t : img.tags()) {
                events.add(new ImageEvent.Untagged(img.id(), t));
                out.add(new Removal(familiar(t), null));
            }
            if (user != null) {
                // Forced while a stopped container uses it: Docker keeps the image, untagged.
                return engine.commitAll(events).map(v -> out);
            }
            events.add(new ImageEvent.Removed(img.id()));
            out.add(new Removal(null, img.id()));
            Set<String> keep = new HashSet<>(s.images().keySet());
            keep.remove(img.id());
            if (prune) {
                removeUnusedParents(s, img, events, out, keep);
            }
            return engine.commitAll(events).compose(v -> engine.blocking(() -> {
                for (Removal r : out) {
                    if (r.deleted() != null) {
                        store.delete(r.deleted(), keep);
                    }
                }
                return out;
            }));
        });
    }

    /**
     * With {@code img} gone, its parent goes too when nothing else holds it (no tag, no other child,
     * no container), and so on up: {@code docker rmi} without {@code --no-prune}, as dockerd.
     */
    private static void removeUnusedParents(EngineState s, Image img, List<Event> events, List<Removal> out,
                                            Set<String> keep) {
        Set<String> gone = new HashSet<>(Set.of(img.id()));
        for (Image parent = s.images().get(img.parentId()); parent != null; parent = s.images().get(parent.parentId())) {
            Image p = parent;
            boolean otherChild = s.images().values().stream()
                    .anyMatch(i -> i.parentId().equals(p.id()) && !gone.contains(i.id()));
            if (!p.tags().isEmpty() || otherChild || usedBy(s, p.id()) != null) {
                return;
            }
            events.add(new ImageEvent.Removed(p.id()));
            out.add(new Removal(null, p.id()));
            keep.remove(p.id());
            gone.add(p.id());
        }
    }

    /** Whether a commit was made on {@code imageId}: dockerd's "dependent child images". */
    public static boolean hasChildren(EngineState s, String imageId) {
        for (Image i : s.images().values()) {
            if (i.parentId().equals(imageId)) {
                return true;
            }
        }
        return false;
    }

    private static Container usedBy(EngineState s, String imageId) {
        for (Container c : s.containers().values()) {
            if (c.spec().imageId().equals(imageId)) {
                return c;
            }
        }
        return null;
    }

    static String shortId(String id) {
        String hex = id.startsWith("sha256:") ? id.substring(7) : id;
        return hex.substring(0, Math.min(12, hex.length()));
    }

    public static String familiar(String normalized) {
        try {
            return ImageReference.parse(normalized).familiar();
        } catch (EngineException e) {
            return normalized;
        }
    }

    /**
     * What {@code docker commit} makes a layer of: a container's overlayfs upper directory over its
     * image's layer directories, without the files the runtime mounts over ({@code skip}); the
     * container's effective {@code config}, and the command that ran, for the history.
     */
    public record CommitSource(String containerId, String imageId, Path upper, List<Path> lowers, Set<String> skip,
                               ImageConfig config, String createdBy) {}

    /** {@code docker commit}'s options: the tag to give, author, message, and Dockerfile {@code changes}. */
    public record CommitOptions(String repo, String tag, String author, String comment, List<String> changes) {}

    /** {@code docker commit}: the container's changes become a new layer on its image; returns the new id. */
    public Future<String> commit(CommitSource src, CommitOptions o) {
        String ref;
        JsonObject config;
        try {
            ref = o.repo() == null || o.repo().isEmpty() ? "" : withTag(o.repo(), o.tag());
            config = DockerfileChanges.apply(src.config(), o.changes());
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
        long now = System.currentTimeMillis() * 1_000_000L;
        return engine.exclusive("images", () -> engine.blocking(() -> store.commit(src.imageId(),
                        out -> TreeTar.layer(src.upper(), src.lowers(), src.skip(), out, store.ids()),
                        (parent, diffId) -> ImageConfigJson.forCommit(parent, config, diffId, src.containerId(),
                                o.author(), o.comment(), src.createdBy(), now)))
                .compose(img -> engine.commit(new ImageEvent.Committed(img.id(), info(img), ref, src.containerId()))
                        .map(e -> img.id())));
    }

    /** What an image prune removed, and the bytes of the images it deleted. */
    public record Pruned(List<Removal> removals, long reclaimed) {}

    /**
     * {@code docker image prune}: the images no container uses and no commit was made on that
     * {@code filter} keeps, only the untagged ones unless {@code all} ({@code -a}), removed one after another.
     */
    public Future<Pruned> prune(boolean all, Predicate<Image> filter) {
        EngineState s = engine.state();
        List<Image> victims = new ArrayList<>();
        for (Image img : s.images().values()) {
            if ((all || img.tags().isEmpty()) && usedBy(s, img.id()) == null && !hasChildren(s, img.id()) && filter.test(img)) {
                victims.add(img);
            }
        }
        List<Removal> removed = new ArrayList<>();
        long[] reclaimed = {0};
        Future<Void> chain = Future.succeededFuture();
        for (Image img : victims) {
            chain = chain.compose(v -> remove(img.id(), true, true).map(list -> {
                removed.addAll(list);
                reclaimed[0] += img.sizeBytes();
                return (Void) null;
            }).recover(err -> Future.succeededFuture())); // taken meanwhile (a new container, a rmi): not pruned
        }
        return chain.map(v -> new Pruned(removed, reclaimed[0]));
    }

    private static ImageEvent.ImageInfo info(StoredImage img) {
        return new ImageEvent.ImageInfo(img.id(), img.sizeBytes(), img.createdNanos(), img.diffIds());
    }

    // ---- registries

    /**
     * {@code docker pull}: {@code image} with {@code tag} (a tag, or a digest such as {@code sha256:…});
     * progress goes to {@code progress}. Answers whether the tag already named the pulled image. Holds
     * the image lock throughout, so no removal can free a layer between storing the image and journaling it.
     */
    public Future<Boolean> pull(String image, String tag, RegistryAuth auth, Progress progress) {
        ImageReference ref;
        try {
            ref = pullReference(image, tag);
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
        return engine.exclusive("images", () -> engine.blocking(() -> registries.pull(ref, auth, progress))
                .compose(pulled -> {
                    EngineState s = engine.state();
                    String id = pulled.image().id();
                    boolean upToDate = ref.digest() == null ? id.equals(s.tags().get(ref.toString())) : s.images().containsKey(id);
                    return engine.commit(new ImageEvent.Pulled(id, info(pulled.image()), ref.toString(), pulled.repoDigest()))
                            .map(e -> {
                                progress.status("Digest: " + pulled.repoDigest().substring(pulled.repoDigest().indexOf('@') + 1));
                                progress.status((upToDate ? "Status: Image is up to date for " : "Status: Downloaded newer image for ")
                                        + ref.familiar());
                                return upToDate;
                            });
                }));
    }

    /** The reference a pull asks for: the tag parameter may carry a digest, and no tag means latest. */
    static ImageReference pullReference(String image, String tag) {
        ImageReference ref = ImageReference.parse(image);
        if (tag == null || tag.isEmpty()) {
            return ref.withDefaultTag();
        }
        if (tag.contains(":")) {
            return ImageReference.parse(ref.name() + "@" + tag);
        }
        return ref.withTag(tag);
    }

    /**
     * {@code docker push}: the image tagged {@code name:tag}, or every tag of repository {@code name}
     * when {@code tag} is empty. Answers the pushed manifests' digests.
     */
    public Future<List<String>> push(String name, String tag, RegistryAuth auth, Progress progress) {
        List<ImageReference> refs = new ArrayList<>();
        ImageReference repo;
        try {
            repo = ImageReference.parse(name);
            if (repo.digest() != null) {
                throw EngineException.invalid("cannot push a digest reference");
            }
            if (tag != null && !tag.isEmpty()) {
                refs.add(repo.withTag(tag));
            } else if (repo.tag() != null) {
                refs.add(repo);
            } else {
                for (String t : engine.state().tags().keySet()) {
                    ImageReference r = ImageReference.parse(t);
                    if (r.name().equals(repo.name()) && r.tag() != null) {
                        refs.add(r);
                    }
                }
            }
            if (refs.isEmpty()) {
                throw EngineException.notFound("An image does not exist locally with the tag: " + repo.familiarName());
            }
            for (ImageReference r : refs) {
                if (engine.state().tags().get(r.toString()) == null) {
                    throw EngineException.notFound("tag does not exist: " + r.familiar());
                }
            }
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
        progress.status("The push refers to repository [" + repo.familiarName() + "]");
        Future<List<String>> chain = Future.succeededFuture(new ArrayList<>());
        for (ImageReference r : refs) {
            chain = chain.compose(done -> {
                Image img = resolve(r.toString());
                return engine.blocking(() -> {
                            byte[] raw = store.rawConfig(img.id());
                            List<String> diffIds = ImageConfigJson.diffIds(ImageConfigJson.read(raw, img.id()), img.id());
                            return registries.push(r, raw, diffIds, auth, progress);
                        })
                        .compose(pushed -> engine.commit(new ImageEvent.Pushed(img.id(), r.toString(),
                                r.name() + "@" + pushed.digest())).map(e -> {
                            done.add(pushed.digest());
                            return done;
                        }));
            });
        }
        return chain;
    }

    /**
     * {@code docker login}: checks the credentials with the registry; the CLI keeps them, or the identity
     * token this answers when the registry's token server handed one out.
     */
    public Future<String> login(String serverAddress, RegistryAuth auth) {
        return engine.blocking(() -> registries.login(serverAddress, auth));
    }
}
