package io.berth.daemon.runtime.runc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What a failed create or exec has to take back, so the host looks as if it was never attempted:
 * taken before conmon runs, it remembers which entries the touched directories already had and
 * whether the log file existed; {@link #run} removes everything that appeared since (conmon's FIFOs,
 * sockets and pid files, our links and stderr file, a log conmon created, a directory we made).
 */
final class Undo {
    private final Map<Path, Set<Path>> before = new HashMap<>();
    private final Path file;
    private final boolean fileExisted;

    /** Snapshots {@code dirs} (top level only) and {@code file} (may be null). */
    Undo(List<Path> dirs, Path file) {
        for (Path dir : dirs) {
            before.putIfAbsent(dir, Files.isDirectory(dir) ? list(dir) : null);
        }
        this.file = file;
        this.fileExisted = file != null && Files.exists(file);
    }

    void run() {
        for (Map.Entry<Path, Set<Path>> e : before.entrySet()) {
            Path dir = e.getKey();
            if (!Files.isDirectory(dir)) {
                continue;
            }
            Set<Path> had = e.getValue();
            for (Path p : list(dir)) {
                if (had == null || !had.contains(p)) {
                    delete(p);
                }
            }
            if (had == null) {
                delete(dir);
            }
        }
        if (file != null && !fileExisted) {
            delete(file);
        }
    }

    private static Set<Path> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.collect(Collectors.toSet());
        } catch (IOException e) {
            return Set.of();
        }
    }

    private static void delete(Path p) {
        try {
            Files.deleteIfExists(p); // a link, FIFO or socket itself, never what a link points to
        } catch (IOException e) {
            // A non-empty directory someone else filled: not ours to remove.
        }
    }
}
