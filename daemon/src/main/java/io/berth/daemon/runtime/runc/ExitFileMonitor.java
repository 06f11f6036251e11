package io.berth.daemon.runtime.runc;

import io.berth.daemon.runtime.ExitMonitor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ExitMonitor} over conmon's shared exit directory: conmon writes {@code <exitDir>/<id>}
 * holding the decimal exit code (glib's temp file {@code <id>.XXXXXX} plus rename) after the
 * container's last output is logged. One thread, {@code berth-exit-monitor}, waits on a
 * {@link WatchService} (inotify), first reports the files already there, then each one created or
 * rewritten; {@link #close} stops it.
 *
 * <p>A file is reported once per modification time, so watch-event duplicates are dropped but a
 * container that exits again after a restart is reported again. Names with a dot (glib's temp files,
 * hidden files) and contents that are not a number yet are skipped; the rename that completes a
 * write brings a new event. Container ids therefore must not contain dots (Docker's never do).
 * {@code oomKilled} is whether conmon left an {@code oom} file in the container's shim directory.
 */
public final class ExitFileMonitor implements ExitMonitor {
    private static final Logger LOG = LoggerFactory.getLogger(ExitFileMonitor.class);

    private final Path exitDir;
    private final Function<String, Path> shimDirOf;
    private final Map<String, Long> reported = new ConcurrentHashMap<>();
    private WatchService watch;
    private Thread thread;

    /**
     * @param exitDir   the directory given to every container's conmon as {@code --exit-dir}
     * @param shimDirOf a container id's shim directory (its {@code CreateRequest.shimDir()}), where
     *                  conmon drops {@code oom} after an OOM kill; null when unknown (then not OOM)
     */
    public ExitFileMonitor(Path exitDir, Function<String, Path> shimDirOf) {
        this.exitDir = exitDir;
        this.shimDirOf = shimDirOf;
    }

    @Override
    public synchronized void start(Consumer<ExitNotice> listener) {
        if (thread != null) {
            throw new IllegalStateException("already started");
        }
        try {
            Files.createDirectories(exitDir);
            watch = exitDir.getFileSystem().newWatchService();
            // Registered before the first scan, so an exit between the two is not missed.
            exitDir.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
        } catch (IOException e) {
            closeWatch();
            throw new IllegalStateException("cannot watch " + exitDir, e);
        }
        thread = Thread.ofPlatform().daemon().name("berth-exit-monitor").start(() -> run(listener));
    }

    private void run(Consumer<ExitNotice> listener) {
        try {
            scan(listener);
            while (true) {
                WatchKey key = watch.take();
                for (WatchEvent<?> event : key.pollEvents()) {
                    if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                        scan(listener); // events were lost: the directory itself is the truth
                    } else {
                        report(((Path) event.context()).toString(), listener);
                    }
                }
                key.reset();
            }
        } catch (ClosedWatchServiceException | InterruptedException e) {
            // close(): done.
        }
    }

    private void scan(Consumer<ExitNotice> listener) {
        try (Stream<Path> files = Files.list(exitDir)) {
            files.forEach(f -> report(f.getFileName().toString(), listener));
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("cannot list exit directory {}", exitDir, e);
        }
    }

    private void report(String id, Consumer<ExitNotice> listener) {
        ExitNotice notice = read(id);
        if (notice == null) {
            return;
        }
        Long previous = reported.put(id, notice.exitedAtNanos());
        if (previous != null && previous == notice.exitedAtNanos()) {
            return;
        }
        try {
            listener.accept(notice);
        } catch (RuntimeException e) {
            LOG.error("exit listener failed for {}", id, e);
        }
    }

    /** The notice for {@code exitDir/id}, or null when it is not (yet, or any more) a complete exit file. */
    ExitNotice read(String id) {
        if (id.isEmpty() || id.indexOf('.') >= 0) {
            return null;
        }
        Path file = exitDir.resolve(id);
        try {
            long at = Files.getLastModifiedTime(file).to(TimeUnit.NANOSECONDS);
            String text = Files.readString(file).strip();
            int code = Integer.parseInt(text);
            Path shimDir = shimDirOf.apply(id);
            boolean oom = shimDir != null && Files.exists(shimDir.resolve("oom"));
            return new ExitNotice(id, code, at, oom);
        } catch (NoSuchFileException e) {
            return null; // acknowledged meanwhile
        } catch (NumberFormatException e) {
            return null; // partly written: its completion brings another event
        } catch (IOException e) {
            LOG.warn("cannot read exit file {}", file, e);
            return null;
        }
    }

    @Override
    public void acknowledge(String id) {
        reported.remove(id);
        try {
            Files.deleteIfExists(exitDir.resolve(id));
        } catch (IOException e) {
            LOG.warn("cannot delete exit file for {}", id, e);
        }
    }

    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            t = thread;
            closeWatch();
        }
        if (t != null) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void closeWatch() {
        if (watch != null) {
            try {
                watch.close();
            } catch (IOException e) {
                LOG.warn("cannot close watch on {}", exitDir, e);
            }
        }
    }
}
