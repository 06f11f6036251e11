package io.berth.scripting;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@link PolicyEngine} in step with a directory of {@code *.js} files: each file is a policy
 * named after it without {@code .js}.
 *
 * <p>{@link #start} loads every file, then a watcher thread follows the directory (not its
 * subdirectories). Changes are debounced: once the directory has been quiet for the debounce time
 * (or 10 times that under constant change), the whole directory is compared with what is loaded, by
 * content hash, so an editor's save by temporary file and rename, a symlink swap or a lost event all
 * end in the same state. A changed file is loaded; a file that fails is rejected and the previous
 * version stays active; a file gone is removed. Hidden files ({@code .x.js}), editor backups and
 * files not ending in {@code .js} are ignored; a file over 1 MiB or not UTF-8 is rejected.
 *
 * <p>Every outcome goes to the listener, on the thread that found it (the caller of {@link #start}
 * or {@link #rescan}, else the watcher): it must return quickly and not throw. A file whose content
 * did not change gives nothing. Policies loaded into the engine by other means are left alone.
 */
public final class PolicyDirectory implements AutoCloseable {

    /** The default debounce: long enough for an editor's save, short enough to feel immediate. */
    public static final Duration DEBOUNCE = Duration.ofMillis(250);

    private static final Logger log = LoggerFactory.getLogger(PolicyDirectory.class);
    private static final long MAX_FILE_BYTES = 1 << 20;

    private final Path dir;
    private final PolicyEngine engine;
    private final Consumer<PolicyChange> listener;
    private final Duration debounce;
    private final Set<String> owned = new HashSet<>();
    private WatchService watcher;
    private Thread thread;
    private volatile boolean closed;

    public PolicyDirectory(Path dir, PolicyEngine engine, Consumer<PolicyChange> listener) {
        this(dir, engine, listener, DEBOUNCE);
    }

    public PolicyDirectory(Path dir, PolicyEngine engine, Consumer<PolicyChange> listener, Duration debounce) {
        this.dir = dir.toAbsolutePath().normalize();
        this.engine = Objects.requireNonNull(engine);
        this.listener = Objects.requireNonNull(listener);
        this.debounce = debounce;
    }

    /**
     * Loads every policy file (telling the listener of each), then starts watching. Blocks while
     * the scripts' top levels run.
     *
     * @throws NoSuchFileException   if the directory does not exist
     * @throws NotDirectoryException if it is not a directory
     */
    public synchronized void start() throws IOException {
        if (thread != null || closed) {
            throw new IllegalStateException("policy directory " + dir + " already started or closed");
        }
        if (!Files.exists(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "no such policy directory");
        }
        if (!Files.isDirectory(dir)) {
            throw new NotDirectoryException(dir.toString());
        }
        watcher = dir.getFileSystem().newWatchService();
        dir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                StandardWatchEventKinds.ENTRY_DELETE);
        rescan();
        thread = Thread.ofPlatform().name("berth-policy-watch").daemon().start(this::watch);
    }

    /** Compares the directory with what is loaded and applies the differences now. */
    public synchronized void rescan() {
        Map<String, Path> files = new TreeMap<>();
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "*.js")) {
                for (Path p : entries) {
                    String file = p.getFileName().toString();
                    if (!file.startsWith(".") && !file.startsWith("#") && Files.isRegularFile(p)) {
                        files.put(file.substring(0, file.length() - ".js".length()), p);
                    }
                }
            } catch (IOException | UncheckedIOException e) {
                log.warn("cannot list policy directory {}: {}", dir, e.toString());
                return;
            }
        }
        files.forEach(this::sync);
        for (String name : Set.copyOf(owned)) {
            if (!files.containsKey(name)) {
                owned.remove(name);
                engine.remove(name).ifPresent(this::tell);
            }
        }
    }

    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            closed = true;
            t = thread;
        }
        try {
            if (watcher != null) {
                watcher.close();
            }
        } catch (IOException e) {
            log.debug("closing the policy watcher: {}", e.toString());
        }
        if (t != null) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void sync(String name, Path path) {
        String file = path.toString();
        String source;
        try {
            source = read(path);
        } catch (NoSuchFileException e) {
            return; // gone since listed; the next event removes it
        } catch (IOException e) {
            owned.add(name);
            tell(new PolicyChange.Rejected(name, file, 0, 0, "cannot read the file: " + e.getMessage(),
                    engine.policy(name).map(PolicyEngine.PolicyInfo::versionHash).orElse(null)));
            return;
        }
        String hash = PolicyEngine.versionHash(source);
        PolicyEngine.PolicyInfo known = engine.policy(name).orElse(null);
        if (known != null && (hash.equals(known.versionHash()) && known.rejection() == null
                || known.rejection() != null && hash.equals(known.rejection().versionHash()))) {
            return;
        }
        owned.add(name);
        tell(engine.load(name, file, source));
    }

    private static String read(Path path) throws IOException {
        long size = Files.size(path);
        if (size > MAX_FILE_BYTES) {
            throw new IOException("larger than " + (MAX_FILE_BYTES >> 20) + " MiB (" + size + " bytes)");
        }
        byte[] bytes = Files.readAllBytes(path);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IOException("not UTF-8");
        }
    }

    private void tell(PolicyChange change) {
        try {
            listener.accept(change);
        } catch (RuntimeException e) {
            log.warn("policy listener failed on {}", change, e);
        }
    }

    private void watch() {
        long quiet = debounce.toNanos();
        try {
            while (!closed) {
                WatchKey key = watcher.take();
                boolean valid = drain(key);
                long until = System.nanoTime() + 10 * quiet;
                for (WatchKey more; (more = watcher.poll(quiet, TimeUnit.NANOSECONDS)) != null; ) {
                    valid &= drain(more);
                    if (System.nanoTime() - until > 0) {
                        break;
                    }
                }
                synchronized (this) {
                    if (closed) {
                        return;
                    }
                    rescan();
                }
                if (!valid) {
                    log.warn("policy directory {} is gone: no longer watching it", dir);
                    return;
                }
            }
        } catch (ClosedWatchServiceException | InterruptedException e) {
            // closed
        } catch (RuntimeException e) {
            log.error("policy directory watcher failed; policies are no longer reloaded", e);
        }
    }

    private static boolean drain(WatchKey key) {
        key.pollEvents();
        return key.reset();
    }
}
