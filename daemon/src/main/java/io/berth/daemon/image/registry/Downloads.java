package io.berth.daemon.image.registry;

import io.berth.daemon.image.Digests;
import io.berth.errors.EngineException;
import io.berth.errors.ErrorKind;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;

/**
 * Layer blobs on their way from a registry into the image store, so that a failed pull resumes: a
 * partial download ({@code <hex>.part}) continues with a {@code Range} request, and a verified one
 * ({@code <hex>}) is not fetched again. Nothing here is in the store; the store takes a blob only after
 * its digest was checked here and its diffID there. Verified blobs are released once their image is
 * stored; leftovers older than a day go at start. Blocking; thread-safe (one download per digest at a time).
 */
public final class Downloads {
    private static final Duration KEEP = Duration.ofDays(1);
    /**
     * How long a blob's body may send nothing before the download is given up (and kept for resuming).
     * The HTTP client's timeout covers the response's headers only; a registry that stalls mid-body
     * would otherwise hold the pull forever. {@code -Dberth.registry.stall-seconds} changes it.
     */
    static final Duration STALL = Duration.ofSeconds(Long.getLong("berth.registry.stall-seconds", 60));
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r ->
            Thread.ofPlatform().daemon().name("berth-download-watchdog").unstarted(r));

    private final Path dir;
    private final ConcurrentHashMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    public Downloads(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
            Instant cutoff = Instant.now().minus(KEEP);
            try (DirectoryStream<Path> old = Files.newDirectoryStream(dir)) {
                for (Path p : old) {
                    if (Files.getLastModifiedTime(p).toInstant().isBefore(cutoff)) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        } catch (IOException e) {
            throw EngineException.internal("cannot open the download directory " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * The verified blob of {@code layer}, fetched through {@code client} unless already here;
     * {@code progress} hears the bytes held so far.
     *
     * @throws EngineException INVALID_ARGUMENT when the bytes do not match the digest (the partial file is
     *                         dropped); UNAVAILABLE when the transfer broke (the partial file is kept)
     */
    public Path fetch(RegistryClient client, Descriptor layer, LongConsumer progress) {
        String hex = Digests.hexOf(layer.digest(), "layer digest");
        ReentrantLock lock = locks.computeIfAbsent(hex, k -> new ReentrantLock());
        lock.lock();
        try {
            Path done = dir.resolve(hex);
            if (Files.isRegularFile(done)) {
                progress.accept(layer.size());
                return done;
            }
            Path part = dir.resolve(hex + ".part");
            long have = Files.isRegularFile(part) ? Files.size(part) : 0;
            if (have > layer.size()) {
                Files.delete(part);
                have = 0;
            }
            MessageDigest sha = Digests.sha256();
            if (have > 0) {
                try (InputStream in = Files.newInputStream(part)) {
                    hash(in, sha);
                }
            }
            HttpResponse<InputStream> r = client.blob(layer.digest(), have);
            if (r.statusCode() == 200 && have > 0) { // the registry ignored the range: start over
                sha.reset();
                have = 0;
                Files.deleteIfExists(part);
            }
            Stall stall = new Stall(Thread.currentThread());
            try (InputStream in = r.body();
                 OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                byte[] buf = new byte[65536];
                long total = have;
                progress.accept(total);
                for (int n; (n = in.read(buf)) > 0; ) {
                    stall.heard();
                    total += n;
                    if (total > layer.size()) {
                        out.close();
                        Files.deleteIfExists(part);
                        throw mismatch(layer, "more bytes than the manifest's " + layer.size());
                    }
                    out.write(buf, 0, n);
                    sha.update(buf, 0, n);
                    progress.accept(total);
                }
                if (total < layer.size()) {
                    throw new EngineException(ErrorKind.UNAVAILABLE, "unexpected EOF downloading " + layer.digest()
                            + ": " + total + " of " + layer.size() + " bytes; pull again to resume");
                }
            } catch (IOException e) {
                if (stall.end()) {
                    throw new EngineException(ErrorKind.UNAVAILABLE, "download of " + layer.digest() + " stalled: no data for "
                            + STALL.toSeconds() + " s; pull again to resume", e);
                }
                throw new EngineException(ErrorKind.UNAVAILABLE, "download of " + layer.digest() + " broke off: "
                        + e.getMessage() + "; pull again to resume", e);
            } finally {
                stall.end();
            }
            String got = Digests.hex(sha);
            if (!got.equals(hex)) {
                Files.deleteIfExists(part);
                throw mismatch(layer, "got sha256:" + got);
            }
            Files.move(part, done, StandardCopyOption.ATOMIC_MOVE);
            Files.setLastModifiedTime(done, FileTime.from(Instant.now()));
            return done;
        } catch (IOException e) {
            throw EngineException.internal("cannot keep the download of " + layer.digest() + ": " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Watches one download: when nothing arrived for {@link #STALL}, interrupts the thread blocked
     * reading the body, which makes the read fail.
     */
    private static final class Stall {
        private final Thread reader;
        private final ScheduledFuture<?> check;
        private volatile long lastHeard = System.nanoTime();
        private boolean fired;
        private boolean ended;

        Stall(Thread reader) {
            this.reader = reader;
            long period = Math.max(1, STALL.toMillis() / 4);
            check = WATCHDOG.scheduleAtFixedRate(this::check, period, period, TimeUnit.MILLISECONDS);
        }

        void heard() {
            lastHeard = System.nanoTime();
        }

        private synchronized void check() {
            if (!ended && !fired && System.nanoTime() - lastHeard > STALL.toNanos()) {
                fired = true;
                reader.interrupt();
            }
        }

        /** Stops watching; whether the watch fired (the reader's interrupt is then cleared). */
        synchronized boolean end() {
            if (!ended) {
                ended = true;
                check.cancel(false);
                if (fired) {
                    Thread.interrupted();
                }
            }
            return fired;
        }
    }

    /** Drops a verified blob once the store holds its layer. */
    public void release(Descriptor layer) {
        try {
            Files.deleteIfExists(dir.resolve(Digests.hexOf(layer.digest(), "layer digest")));
        } catch (IOException e) {
            // Removed at a later start.
        }
    }

    /** A scratch file for a push's compressed layer; the caller deletes it. */
    Path scratch() throws IOException {
        return Files.createTempFile(dir, "push-", ".tmp");
    }

    private static EngineException mismatch(Descriptor layer, String why) {
        return EngineException.invalid("filesystem layer verification failed for digest " + layer.digest() + ": " + why);
    }

    private static void hash(InputStream in, MessageDigest sha) throws IOException {
        byte[] buf = new byte[65536];
        for (int n; (n = in.read(buf)) > 0; ) {
            sha.update(buf, 0, n);
        }
    }
}
