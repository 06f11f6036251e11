import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.URLEncoder;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code docker events} benchmark client, driven by {@code bench/events.sh}: raw HTTP on an
 * engine's UNIX socket, JDK only, run as a single-file program ({@code java bench/EventsBench.java}).
 *
 * <pre>
 * latency SOCKET SUBSCRIBERS SAMPLES WARMUP
 *     SUBSCRIBERS clients stream /events (filtered to image tags); SAMPLES times, one client tags
 *     busybox and, once the API has answered, waits until every subscriber has the event. Prints
 *     p50, p99 and max of (event received - response received) over all deliveries, in
 *     microseconds, and the share of deliveries that came before the response (counted as 0).
 * throughput SOCKET EVENTS PRODUCERS
 *     One subscriber streams renames while PRODUCERS clients each rename a container of their own as
 *     fast as the API answers, EVENTS in all; then a new subscriber reads them back from history.
 *     Prints the production rate, the rate at which the live subscriber received them, and the
 *     history replay rate, in events/s.
 * </pre>
 */
public final class EventsBench {

    private static final Pattern NAME = Pattern.compile("\"name\":\"([^\"]+)\"");

    public static void main(String[] args) throws Exception {
        Path socket = Path.of(args[1]);
        switch (args[0]) {
            case "latency" -> latency(socket, Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
            case "throughput" -> throughput(socket, Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    // ---- HTTP on a UNIX socket

    static SocketChannel connect(Path socket) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(socket));
        return ch;
    }

    static void send(SocketChannel ch, String method, String path, String body) throws IOException {
        byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        String head = method + " " + path + " HTTP/1.1\r\nHost: bench\r\n"
                + (body == null ? "Content-Length: 0\r\n" : "Content-Type: application/json\r\nContent-Length: " + b.length + "\r\n")
                + "\r\n";
        ByteBuffer buf = ByteBuffer.allocate(head.length() + b.length);
        buf.put(head.getBytes(StandardCharsets.US_ASCII)).put(b).flip();
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    /** Reads one whole response (Content-Length or chunked) on a blocking keep-alive connection; returns its status. */
    static int response(SocketChannel ch, ByteBuffer buf) throws IOException {
        ByteArrayOutputStream acc = new ByteArrayOutputStream();
        while (true) {
            String text = acc.toString(StandardCharsets.ISO_8859_1);
            int headEnd = text.indexOf("\r\n\r\n");
            if (headEnd >= 0) {
                String head = text.substring(0, headEnd).toLowerCase();
                int status = Integer.parseInt(text.substring(9, 12));
                String rest = text.substring(headEnd + 4);
                Matcher cl = Pattern.compile("content-length: *(\\d+)").matcher(head);
                if (cl.find() ? rest.length() >= Integer.parseInt(cl.group(1))
                        : !head.contains("chunked") || rest.contains("0\r\n\r\n")) {
                    return status;
                }
            }
            buf.clear();
            if (ch.read(buf) < 0) {
                throw new IOException("connection closed");
            }
            acc.write(buf.array(), 0, buf.position());
        }
    }

    static int request(SocketChannel ch, String method, String path, String body, ByteBuffer buf) throws IOException {
        send(ch, method, path, body);
        return response(ch, buf);
    }

    /** Subscribes on a new connection and waits for the response head. */
    static SocketChannel subscribe(Path socket, String query) throws IOException {
        SocketChannel ch = connect(socket);
        send(ch, "GET", "/events?" + query, null);
        ByteBuffer one = ByteBuffer.allocate(1);
        StringBuilder head = new StringBuilder();
        while (head.indexOf("\r\n\r\n") < 0) {
            one.clear();
            if (ch.read(one) < 0) {
                throw new IOException("closed before the head: " + head);
            }
            head.append((char) one.get(0));
        }
        if (!head.toString().startsWith("HTTP/1.1 200")) {
            throw new IOException("subscription refused: " + head);
        }
        return ch;
    }

    static String filters(String json) {
        return "filters=" + URLEncoder.encode(json, StandardCharsets.UTF_8);
    }

    /**
     * Reads every subscriber's stream on one thread and calls {@code onEvent(subscriber, name,
     * nanoTime)} for each complete event line.
     */
    static Thread reader(List<SocketChannel> subs, EventSink onEvent) throws IOException {
        Selector sel = Selector.open();
        StringBuilder[] pending = new StringBuilder[subs.size()];
        for (int i = 0; i < subs.size(); i++) {
            subs.get(i).configureBlocking(false);
            subs.get(i).register(sel, SelectionKey.OP_READ, i);
            pending[i] = new StringBuilder();
        }
        Thread t = Thread.ofPlatform().daemon().name("events-reader").start(() -> {
            ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
            byte[] bytes = new byte[1 << 20];
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    sel.select(100);
                    long now = System.nanoTime();
                    for (SelectionKey k : sel.selectedKeys()) {
                        int i = (Integer) k.attachment();
                        buf.clear();
                        int n = ((SocketChannel) k.channel()).read(buf);
                        if (n <= 0) {
                            if (n < 0) {
                                k.cancel();
                            }
                            continue;
                        }
                        buf.flip();
                        buf.get(bytes, 0, n);
                        StringBuilder p = pending[i];
                        p.append(new String(bytes, 0, n, StandardCharsets.UTF_8));
                        int nl;
                        while ((nl = p.indexOf("\n")) >= 0) {
                            String line = p.substring(0, nl);
                            p.delete(0, nl + 1);
                            if (line.startsWith("{")) {
                                Matcher m = NAME.matcher(line);
                                if (m.find()) {
                                    onEvent.event(i, m.group(1), now);
                                }
                            }
                        }
                    }
                    sel.selectedKeys().clear();
                }
            } catch (java.nio.channels.ClosedChannelException e) {
                // The benchmark is over.
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        return t;
    }

    @FunctionalInterface
    interface EventSink {
        void event(int subscriber, String name, long nanoTime);
    }

    // ---- latency

    static void latency(Path socket, int nsubs, int samples, int warmup) throws Exception {
        int total = warmup + samples;
        String run = Long.toString(System.nanoTime() % 1_000_000, 36);
        List<SocketChannel> subs = new ArrayList<>();
        for (int i = 0; i < nsubs; i++) {
            subs.add(subscribe(socket, filters("{\"type\":[\"image\"],\"event\":[\"tag\"]}")));
        }
        long[][] arrived = new long[total][nsubs];
        AtomicIntegerArray count = new AtomicIntegerArray(total);
        String prefix = "lat" + run + ":";
        Thread main = Thread.currentThread();
        Thread reader = reader(subs, (sub, name, t) -> {
            if (name.startsWith(prefix)) {
                int n = Integer.parseInt(name.substring(prefix.length()));
                arrived[n][sub] = t;
                if (count.incrementAndGet(n) == nsubs) {
                    LockSupport.unpark(main);
                }
            }
        });
        long[] responded = new long[total];
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        try (SocketChannel api = connect(socket)) {
            for (int n = 0; n < total; n++) {
                int status = request(api, "POST", "/images/busybox/tag?repo=lat" + run + "&tag=" + n, null, buf);
                responded[n] = System.nanoTime();
                if (status != 201) {
                    throw new IOException("tag answered " + status);
                }
                long deadline = System.nanoTime() + 10_000_000_000L;
                // Parked, not spinning: on a small machine a spinning client takes a core from the daemon.
                while (count.get(n) < nsubs) {
                    if (System.nanoTime() > deadline) {
                        throw new IOException("event " + n + " reached " + count.get(n) + " of " + nsubs + " subscribers");
                    }
                    LockSupport.parkNanos(1_000_000);
                }
            }
        }
        reader.interrupt();
        for (SocketChannel s : subs) {
            s.close();
        }
        long[] lat = new long[samples * nsubs];
        int early = 0;
        int k = 0;
        for (int n = warmup; n < total; n++) {
            for (int s = 0; s < nsubs; s++) {
                long d = arrived[n][s] - responded[n];
                if (d < 0) {
                    early++;
                }
                lat[k++] = Math.max(0, d);
            }
        }
        Arrays.sort(lat);
        System.out.printf("%.0f %.0f %.0f %.2f%n", pct(lat, 50) / 1e3, pct(lat, 99) / 1e3, lat[lat.length - 1] / 1e3,
                (double) early / lat.length);
    }

    static double pct(long[] sorted, double p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    // ---- throughput

    static void throughput(Path socket, int events, int producers) throws Exception {
        String run = Long.toString(System.nanoTime() % 1_000_000, 36);
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        try (SocketChannel api = connect(socket)) {
            for (int p = 0; p < producers; p++) {
                int s = request(api, "POST", "/containers/create?name=tp" + run + "-" + p + "-0",
                        "{\"Image\":\"busybox\",\"Cmd\":[\"true\"]}", buf);
                if (s != 201) {
                    throw new IOException("create answered " + s);
                }
            }
        }
        long since = System.currentTimeMillis();
        AtomicLong received = new AtomicLong();
        AtomicLong firstAt = new AtomicLong();
        AtomicLong lastAt = new AtomicLong();
        String prefix = "tp" + run + "-";
        SocketChannel live = subscribe(socket, filters("{\"event\":[\"rename\"]}"));
        Thread reader = reader(List.of(live), (sub, name, t) -> {
            if (name.startsWith(prefix)) {
                firstAt.compareAndSet(0, t);
                lastAt.set(t);
                received.incrementAndGet();
            }
        });
        int each = events / producers;
        long start = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int id = p;
            threads.add(Thread.ofPlatform().start(() -> {
                ByteBuffer b = ByteBuffer.allocate(64 * 1024);
                try (SocketChannel api = connect(socket)) {
                    for (int i = 1; i <= each; i++) {
                        String from = prefix + id + "-" + (i - 1);
                        int s = request(api, "POST", "/containers/" + from + "/rename?name=" + prefix + id + "-" + i, null, b);
                        if (s != 204) {
                            throw new IOException("rename answered " + s);
                        }
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        long produced = System.nanoTime() - start;
        int expected = each * producers;
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (received.get() < expected && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        reader.interrupt();
        live.close();
        if (received.get() < expected) {
            throw new IOException("the live subscriber got " + received.get() + " of " + expected);
        }
        double produceRate = expected / (produced / 1e9);
        double liveRate = expected / ((lastAt.get() - start) / 1e9);

        // History: the same events read back by a new subscriber.
        AtomicLong replayed = new AtomicLong();
        AtomicLong replayLast = new AtomicLong();
        long t0 = System.nanoTime();
        SocketChannel history = subscribe(socket, "since=" + (since / 1000 - 1) + "&until=" + (System.currentTimeMillis() / 1000 + 1)
                + "&" + filters("{\"event\":[\"rename\"]}"));
        Thread r2 = reader(List.of(history), (sub, name, t) -> {
            if (name.startsWith(prefix)) {
                replayed.incrementAndGet();
                replayLast.set(t);
            }
        });
        deadline = System.nanoTime() + 60_000_000_000L;
        while (replayed.get() < expected && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        r2.interrupt();
        history.close();
        double replayRate = replayed.get() / ((replayLast.get() - t0) / 1e9);
        System.out.printf("%.0f %.0f %.0f%n", produceRate, liveRate, replayRate);
    }
}
