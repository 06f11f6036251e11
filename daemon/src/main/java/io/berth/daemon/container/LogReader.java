package io.berth.daemon.container;

import io.berth.daemon.api.Json;
import io.berth.daemon.api.Streams;
import io.berth.errors.EngineException;
import io.berth.events.state.Container;
import io.berth.events.state.ContainerState;
import io.berth.events.state.EngineState;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.time.OffsetDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code docker logs}: reads the container's log as its shim wrote it (k8s-file lines:
 * {@code TIME STREAM F|P TEXT}) and streams it in Docker's framing, with tail, since/until,
 * timestamps, and follow until the container stops.
 */
public final class LogReader {

    private static final Logger LOG = LoggerFactory.getLogger(LogReader.class);

    /** What to send. {@code tail} -1 means all; times are nanoseconds since the epoch, 0 for none. */
    public record Options(boolean stdout, boolean stderr, boolean follow, boolean timestamps, long tail,
                          long sinceNanos, long untilNanos) {}

    /** One log line. */
    record Entry(long timeNanos, boolean stderr, boolean partial, String text) {}

    private final ContainerPaths paths;
    private final Supplier<EngineState> state;
    private final ExecutorService pumps;

    public LogReader(ContainerPaths paths, Supplier<EngineState> state, ExecutorService pumps) {
        this.paths = paths;
        this.state = state;
        this.pumps = pumps;
    }

    /** Docker's {@code since}/{@code until}: seconds since the epoch with an optional fraction. */
    public static long parseTime(String s) {
        if (s == null || s.isEmpty() || "0".equals(s)) {
            return 0;
        }
        try {
            java.math.BigDecimal d = new java.math.BigDecimal(s);
            return d.movePointRight(9).longValue();
        } catch (NumberFormatException e) {
            throw EngineException.invalid("invalid timestamp: " + s);
        }
    }

    /** Streams the log into {@code response} (head not yet written) on a worker thread, then ends it. */
    public void stream(String id, boolean tty, Options o, HttpServerResponse response) {
        response.writeHead();
        pumps.execute(() -> {
            try (OutputStream out = Streams.outputStream(response)) {
                copy(id, tty, o, out);
            } catch (IOException | RuntimeException e) {
                LOG.debug("logs of {} ended: {}", id, e.getMessage());
            } finally {
                if (!response.ended() && !response.closed()) {
                    response.end();
                }
            }
        });
    }

    private void copy(String id, boolean tty, Options o, OutputStream out) throws IOException {
        Path log = paths.log(id);
        long offset = 0;
        List<Entry> first = new ArrayList<>();
        if (Files.exists(log)) {
            try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
                byte[] all = new byte[(int) f.length()];
                f.readFully(all);
                offset = lastNewline(all) + 1;
                for (String line : new String(all, 0, (int) offset, StandardCharsets.UTF_8).split("\n")) {
                    Entry e = parse(line);
                    if (e != null && wanted(e, o)) {
                        first.add(e);
                    }
                }
            }
        }
        if (o.tail() >= 0) {
            first = tail(first, o.tail());
        }
        for (Entry e : first) {
            write(e, tty, o, out);
        }
        out.flush();
        if (!o.follow()) {
            return;
        }
        follow(id, log, offset, tty, o, out);
    }

    private void follow(String id, Path log, long offset, boolean tty, Options o, OutputStream out) throws IOException {
        try (WatchService watch = log.getFileSystem().newWatchService()) {
            Files.createDirectories(log.getParent());
            log.getParent().register(watch, StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_CREATE);
            long pos = offset;
            while (true) {
                boolean live = running(id);
                pos = readFrom(log, pos, tty, o, out);
                if (!live) {
                    // The shim writes the last lines before the exit is known: one more read gets them.
                    readFrom(log, pos, tty, o, out);
                    return;
                }
                var key = watch.poll(250, TimeUnit.MILLISECONDS);
                if (key != null) {
                    key.pollEvents();
                    key.reset();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean running(String id) {
        Container c = state.get().container(id);
        return c != null && (c.state() instanceof ContainerState.Running || c.state() instanceof ContainerState.Paused
                || c.state() instanceof ContainerState.Restarting || c.state() instanceof ContainerState.Created);
    }

    private long readFrom(Path log, long pos, boolean tty, Options o, OutputStream out) throws IOException {
        if (!Files.exists(log)) {
            return pos;
        }
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long len = f.length();
            if (len < pos) {
                pos = 0;
            }
            if (len == pos) {
                return pos;
            }
            byte[] chunk = new byte[(int) Math.min(len - pos, 8 << 20)];
            f.seek(pos);
            f.readFully(chunk);
            int end = lastNewline(chunk) + 1;
            for (String line : new String(chunk, 0, end, StandardCharsets.UTF_8).split("\n")) {
                Entry e = parse(line);
                if (e != null && wanted(e, o)) {
                    write(e, tty, o, out);
                }
            }
            out.flush();
            return pos + end;
        }
    }

    private static int lastNewline(byte[] b) {
        for (int i = b.length - 1; i >= 0; i--) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    static Entry parse(String line) {
        int a = line.indexOf(' ');
        int b = a < 0 ? -1 : line.indexOf(' ', a + 1);
        int c = b < 0 ? -1 : line.indexOf(' ', b + 1);
        if (c < 0) {
            return null;
        }
        try {
            OffsetDateTime t = OffsetDateTime.parse(line.substring(0, a));
            long nanos = t.toEpochSecond() * 1_000_000_000L + t.getNano();
            boolean stderr = line.startsWith("stderr", a + 1);
            boolean partial = line.charAt(b + 1) == 'P';
            return new Entry(nanos, stderr, partial, line.substring(c + 1));
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static boolean wanted(Entry e, Options o) {
        return (e.stderr() ? o.stderr() : o.stdout())
                && (o.sinceNanos() == 0 || e.timeNanos() >= o.sinceNanos())
                && (o.untilNanos() == 0 || e.timeNanos() <= o.untilNanos());
    }

    /** The last {@code n} lines, counting a run of partial entries and its end as one line. */
    static List<Entry> tail(List<Entry> entries, long n) {
        ArrayDeque<Entry> out = new ArrayDeque<>();
        long lines = 0;
        for (int i = entries.size() - 1; i >= 0; i--) {
            Entry e = entries.get(i);
            if (!e.partial()) {
                if (lines == n) {
                    break;
                }
                lines++;
            }
            out.addFirst(e);
        }
        return new ArrayList<>(out);
    }

    private static void write(Entry e, boolean tty, Options o, OutputStream out) throws IOException {
        String text = (o.timestamps() ? Json.time(e.timeNanos()) + " " : "") + e.text() + (e.partial() ? "" : "\n");
        byte[] data = text.getBytes(StandardCharsets.UTF_8);
        if (!tty) {
            out.write(AttachSession.frameHeader(e.stderr() ? 2 : 1, data.length));
        }
        out.write(data);
    }
}
