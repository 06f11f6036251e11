package io.berth.events.journal.internal;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the part of the current cycle file just ahead of the journal writer into the page cache,
 * on a thread of its own. Chronicle's files are sparse: the first write to a page of a hole faults
 * it in, and the kernel allocates and zeroes it on the writer thread; on the 2-core VM of
 * docs/benchmarks.md that was about 40% of an unsynced append. Reading a hole does the same
 * allocating and zeroing into a clean page, so the warmer only reads: it dirties nothing, takes no
 * lock the writer takes, and changes nothing but which thread pays for the zeroing.
 */
final class PageWarmer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PageWarmer.class);

    /** How far ahead of the writer pages are brought in. */
    static final long AHEAD = 4L << 20;
    private static final int CHUNK = 256 << 10;
    private static final long IDLE_PARK_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Thread thread;
    private volatile File file;
    private volatile long writeEnd;
    private volatile long warmedTo;
    private volatile boolean closed;

    PageWarmer() {
        thread = Thread.ofPlatform().daemon().name("berth-journal-warmer").unstarted(this::run);
        thread.start();
    }

    /**
     * The writer has written up to offset {@code end} of {@code current}. Wakes the warmer only when
     * the writer is past half its lead, so a busy writer pays a wake-up every couple of MiB.
     */
    void wrote(File current, long end) {
        boolean moved = !current.equals(file);
        if (moved) {
            file = current;
        }
        writeEnd = end;
        if (moved || end + AHEAD / 2 > warmedTo) {
            LockSupport.unpark(thread);
        }
    }

    /** How far the current file has been brought in (tests). */
    long warmedTo() {
        return warmedTo;
    }

    private void run() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK);
        FileChannel channel = null;
        File open = null;
        long warmed = 0;
        try {
            while (!closed) {
                File f = file;
                long end = writeEnd;
                if (f == null || f.equals(open) && warmed >= end + AHEAD) {
                    LockSupport.parkNanos(this, IDLE_PARK_NANOS);
                    continue;
                }
                if (!f.equals(open)) {
                    close(channel);
                    channel = FileChannel.open(f.toPath(), StandardOpenOption.READ);
                    open = f;
                    warmed = 0;
                }
                warmed = Math.max(warmed, end);
                long to = Math.min(end + AHEAD, channel.size());
                int n = to <= warmed ? -1 : channel.read(buffer.clear().limit((int) Math.min(CHUNK, to - warmed)), warmed);
                if (n <= 0) {
                    // The file ends here for now: Chronicle grows it a chunk at a time, ahead of the writer.
                    warmed = end + AHEAD;
                } else {
                    warmed += n;
                }
                warmedTo = warmed;
            }
        } catch (IOException e) {
            // Only a lost optimisation: the writer faults its pages in itself, as without a warmer.
            LOG.debug("journal page warmer stopped", e);
        } finally {
            close(channel);
        }
    }

    private static void close(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.debug("closing journal page warmer channel", e);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
