package io.berth.daemon.runtime.oom;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link CgroupV2OomMonitor} against fake v2 cgroups: a regular file {@code memory.events}, which
 * inotify reports modified as kernfs does the real one.
 */
class OomMonitorV2Test extends OomMonitorContract {
    private long max;

    @Override
    CgroupOomMonitor<?> create(Path cgroups) {
        return new CgroupV2OomMonitor(cgroups);
    }

    @Override
    void makeCgroup(String id, long kills) throws Exception {
        Files.createDirectories(cgroups.resolve(id));
        Files.writeString(cgroups.resolve(id).resolve("memory.events"), events(kills));
    }

    private String events(long kills) {
        return "low 0\nhigh 0\nmax " + (++max) + "\noom " + kills + "\noom_kill " + kills + "\noom_group_kill 0\n";
    }

    @Override
    void kernelCounts(String id, long kills) throws Exception {
        kernelWrites(id, events(kills));
    }

    @Override
    void kernelWrites(String id, String text) throws Exception {
        // In place, as the kernel's file changes: a new file would not be the inode being watched.
        // Written before truncated, so no read can find it empty (a longer old tail is cut at once).
        try (FileChannel file = FileChannel.open(cgroups.resolve(id).resolve("memory.events"), StandardOpenOption.WRITE)) {
            file.write(ByteBuffer.wrap(text.getBytes(US_ASCII)));
            file.truncate(text.length());
        }
    }

    @Override
    void kernelRemoves(String id) throws Exception {
        Files.delete(cgroups.resolve(id).resolve("memory.events"));
        Files.delete(cgroups.resolve(id));
    }

    @Test
    void aWatchTheKernelDroppedIsForgottenThoughTheFileIsBack() throws Exception {
        makeCgroup("c1", 0);
        makeCgroup("c2", 0);
        monitor.start(notices::add);
        monitor.watch("c1");
        monitor.watch("c2");
        // A new inode under the old name: the watched one is gone (IN_IGNORED), yet the name reads fine.
        Path replacement = cgroups.resolve("c1").resolve("memory.events.new");
        Files.writeString(replacement, "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n");
        // ATOMIC_MOVE is a plain rename(2); REPLACE_EXISTING would unlink the old file first.
        Files.move(replacement, cgroups.resolve("c1").resolve("memory.events"), StandardCopyOption.ATOMIC_MOVE);
        awaitWatched(Set.of("c2"));
        assertQuiet();
    }
}
