package io.berth.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * {@code docker events} through the stock CLI: Docker's shape and order, every filter kind, since
 * and until windows, history across a daemon restart, resuming without gap or duplicate, and a
 * client that stops reading while the engine keeps working.
 */
class EventsIT extends DaemonTest {

    private long now() {
        return DockerEvents.now();
    }

    private static String unix(long nanos) {
        return DockerEvents.unix(nanos);
    }

    private List<JsonObject> events(String... options) throws Exception {
        return new DockerEvents(docker).events(options);
    }

    private List<JsonObject> window(long since, long until, String... filters) throws Exception {
        return new DockerEvents(docker).window(since, until, filters);
    }

    private static List<String> actions(List<JsonObject> events) {
        return DockerEvents.actions(events);
    }

    private static String attr(JsonObject e, String name) {
        return DockerEvents.attr(e, name);
    }

    private Api raw() {
        return new Api(berth);
    }

    private JsonObject info() throws IOException {
        return new JsonObject(raw().get("/info").body());
    }

    /** Waits until the daemon counts {@code n} events clients. */
    private void awaitSubscribers(int n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (info().getInteger("NEventsListener") != n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("expected " + n + " events clients, the daemon has "
                        + info().getInteger("NEventsListener"));
            }
            Thread.sleep(20);
        }
    }

    @Test
    void runStopAndRemoveInDockerdsOrderAndShape() throws Exception {
        long t0 = now();
        ok("run", "-d", "--name", "ev1", "--label", "team=a", "busybox", "sleep", "600");
        ok("stop", "-t", "1", "ev1");
        ok("rm", "ev1");
        ok("run", "--rm", "--name", "ev2", "busybox", "true");
        List<JsonObject> ev = window(t0, now(), "type=container");

        List<JsonObject> ev1 = ev.stream().filter(e -> "ev1".equals(attr(e, "name"))).toList();
        // The container lines of the dockerd recording (../shared/testdata/docker-events-sample.jsonl, anchor-ev1).
        assertEquals(List.of("create", "start", "kill", "kill", "die", "stop", "destroy"), actions(ev1));
        String id = ev1.get(0).getJsonObject("Actor").getString("ID");
        assertTrue(id.matches("[0-9a-f]{64}"), id);
        long previous = 0;
        for (JsonObject e : ev1) {
            assertEquals("container", e.getString("Type"));
            assertEquals(e.getString("Action"), e.getString("status"), "the legacy status");
            assertEquals(id, e.getString("id"));
            assertEquals("busybox", e.getString("from"));
            assertEquals("local", e.getString("scope"));
            assertEquals("busybox", attr(e, "image"));
            assertEquals("a", attr(e, "team"), "container labels are attributes");
            long timeNano = e.getLong("timeNano");
            assertEquals(timeNano / 1_000_000_000L, e.getLong("time"));
            assertTrue(timeNano > previous && timeNano > t0, "strictly increasing journal times");
            previous = timeNano;
        }
        assertEquals("15", attr(ev1.get(2), "signal"));
        assertEquals("9", attr(ev1.get(3), "signal"), "busybox sleep ignores SIGTERM as PID 1: SIGKILL after 1 s");
        assertEquals("137", attr(ev1.get(4), "exitCode"));

        List<String> ev2 = actions(ev.stream().filter(e -> "ev2".equals(attr(e, "name"))).toList());
        assertEquals(List.of("create", "attach", "start", "die", "destroy"), ev2, "docker run --rm, attached");
        assertEquals("0", attr(ev.stream().filter(e -> "ev2".equals(attr(e, "name")) && "die".equals(e.getString("Action")))
                .findFirst().orElseThrow(), "exitCode"));
    }

    @Test
    void anOomKillComesBeforeTheDieOfItsRun() throws Exception {
        long t0 = now();
        Docker.Result r = docker.run("run", "--name", "oomer", "-m", "8m", "--memory-swap", "8m", "busybox", "sh", "-c",
                "x=$(head -c 64000000 /dev/zero | tr '\\0' a); echo ${#x}");
        assertEquals(137, r.exit(), r.toString());
        List<JsonObject> ev = window(t0, now(), "container=oomer");
        assertEquals(List.of("create", "attach", "start", "oom", "die"), actions(ev));
        assertEquals("137", attr(ev.get(4), "exitCode"));
        ok("rm", "oomer");
    }

    @Test
    void everyOtherContainerAndImageAction() throws Exception {
        long t0 = now();
        ok("run", "-d", "--name", "acts", "busybox", "sleep", "600");
        assertEquals(3, docker.run("exec", "acts", "sh", "-c", "exit 3").exit());
        ok("pause", "acts");
        ok("unpause", "acts");
        ok("rename", "acts", "acts2");
        ok("update", "--restart", "on-failure:2", "acts2");
        ok("restart", "-t", "1", "acts2");
        ok("kill", "-s", "KILL", "acts2");
        ok("rm", "acts2");
        ok("tag", "busybox", "evimg:1");
        ok("rmi", "evimg:1");
        ok("save", "-o", berth.root().resolve("bb.tar").toString(), "busybox");
        List<JsonObject> ev = window(t0, now());

        List<JsonObject> c = ev.stream().filter(e -> "container".equals(e.getString("Type"))).toList();
        assertEquals(List.of("create", "start", "exec_create: sh -c exit 3", "exec_start: sh -c exit 3", "exec_die",
                "pause", "unpause", "rename", "update", "kill", "kill", "die", "stop", "start", "restart", "kill", "die",
                "destroy"), actions(c));
        String execId = attr(c.get(2), "execID");
        assertTrue(execId.matches("[0-9a-f]{64}"), c.get(2).encode());
        assertEquals(execId, attr(c.get(3), "execID"));
        assertEquals(execId, attr(c.get(4), "execID"));
        assertEquals("3", attr(c.get(4), "exitCode"));
        assertEquals("acts", attr(c.get(6), "name"));
        assertEquals("acts2", attr(c.get(7), "name"));
        assertEquals("/acts", attr(c.get(7), "oldName"));
        assertEquals("acts2", attr(c.get(17), "name"), "the name at the time of the event");

        List<JsonObject> img = ev.stream().filter(e -> "image".equals(e.getString("Type"))).toList();
        assertEquals(List.of("tag", "untag", "save"), actions(img));
        assertEquals("evimg:1", attr(img.get(0), "name"));
        assertTrue(img.get(0).getString("id").startsWith("sha256:"), img.get(0).encode());
        assertFalse(img.get(0).containsKey("from"), "images have no from");
    }

    @Test
    void eachFilterKindAsDockerdCombinesThem() throws Exception {
        long t0 = now();
        String a = ok("create", "--name", "fa", "--label", "tier=front", "--label", "env=prod", "busybox", "true").trimmed();
        ok("create", "--name", "fb", "--label", "tier=back", "busybox", "true");
        ok("tag", "busybox", "filt:1");
        ok("rm", "fa", "fb");
        long t1 = now();

        assertEquals(List.of("tag"), actions(window(t0, t1, "type=image")));
        assertEquals(List.of("create", "create", "destroy", "destroy"), actions(window(t0, t1, "type=container")));
        assertEquals(List.of("create", "create", "tag", "destroy", "destroy"),
                actions(window(t0, t1, "type=container", "type=image")), "same key: either");
        assertEquals(List.of("destroy", "destroy"), actions(window(t0, t1, "event=destroy")));
        assertEquals(List.of("create", "destroy"), actions(window(t0, t1, "container=fa")), "by name");
        assertEquals(List.of("create", "destroy"), actions(window(t0, t1, "container=" + a.substring(0, 12))), "by id");
        assertEquals(4, window(t0, t1, "container=fa", "container=fb").size());
        assertEquals(List.of("create"), actions(window(t0, t1, "container=fa", "event=create")), "different keys: both");
        assertEquals(List.of(), window(t0, t1, "container=fa", "type=image"));
        assertEquals(4, window(t0, t1, "image=busybox").size(), "the containers from busybox (the tag is named filt)");
        assertEquals(List.of("tag"), actions(window(t0, t1, "image=filt:1")));
        assertEquals(List.of("fa", "fa"), window(t0, t1, "label=tier=front").stream().map(e -> attr(e, "name")).toList());
        assertEquals(4, window(t0, t1, "label=tier").size());
        assertEquals(List.of(), window(t0, t1, "label=tier=front", "label=env=dev"), "every label must match");
    }

    @Test
    void sinceAndUntilWindows() throws Exception {
        long t0 = now();
        ok("tag", "busybox", "win:a");
        long t1 = now();
        ok("tag", "busybox", "win:b");
        long t2 = now();
        // The CLI sends relative times in whole seconds: let the second of t2 pass.
        Thread.sleep(1100);
        assertEquals(List.of("win:a"), names(window(t0, t1, "event=tag")));
        assertEquals(List.of("win:b"), names(window(t1, t2, "event=tag")));
        assertEquals(List.of("win:a", "win:b"), names(events("--since", "10m", "--until", "0s", "--filter", "event=tag",
                "--filter", "image=win")), "relative times, as the CLI turns them into seconds");
        assertEquals(List.of(), events("--since", unix(t2), "--until", unix(t1)), "until before since: nothing, and it ends");
        Api.Response empty = raw().get("/events?since=" + unix(t2) + "&until=" + unix(t1));
        assertEquals(200, empty.status());
        assertEquals("", empty.body());

        // An until in the future: the stream shows what happens until then, then ends by itself.
        long until = now() + TimeUnit.SECONDS.toNanos(2);
        Watcher w = new Watcher("--since", unix(t1), "--until", unix(until), "--filter", "event=tag");
        try {
            w.await(l -> l.contains("win:b"), 20);
            ok("tag", "busybox", "win:c");
            assertTrue(w.process.waitFor(20, TimeUnit.SECONDS), "the stream ended at until");
            assertTrue(now() >= until, "not before until");
            assertEquals(List.of("win:b", "win:c"), w.lines.stream().map(l -> attr(new JsonObject(l), "name")).toList());
        } finally {
            w.close();
        }
    }

    private static List<String> names(List<JsonObject> events) {
        return events.stream().map(e -> attr(e, "name")).toList();
    }

    @Test
    void badTimesAndFiltersAreDockerds400s() throws Exception {
        Api.Response since = raw().get("/events?since=yesterday");
        assertEquals(400, since.status());
        assertEquals("invalid since timestamp: strconv.ParseInt: parsing \"yesterday\": invalid syntax",
                new JsonObject(since.body()).getString("message"));
        Api.Response until = raw().get("/events?until=12.x");
        assertEquals(400, until.status());
        assertEquals("invalid until timestamp: strconv.ParseInt: parsing \"x\": invalid syntax",
                new JsonObject(until.body()).getString("message"));
        Api.Response malformed = raw().get("/events?filters=%7Bnope");
        assertEquals(400, malformed.status());
        assertEquals("invalid filter", new JsonObject(malformed.body()).getString("message"));
        Api.Response unknown = raw().get("/events?filters=%7B%22colour%22%3A%5B%22red%22%5D%7D");
        assertEquals(400, unknown.status());
        assertEquals("invalid filter 'colour'", new JsonObject(unknown.body()).getString("message"));
        assertEquals(400, raw().get("/events?since-seq=-4").status());
        Docker.Result cli = docker.run("events", "--filter", "colour=red", "--until", "0s");
        assertTrue(cli.exit() != 0 && cli.err().contains("invalid filter 'colour'"), cli.toString());
    }

    @Test
    void aClientThatReconnectsWithTheLastTimeGetsNoGapAndNoDuplicate() throws Exception {
        long t0 = now();
        int baseline = info().getInteger("NEventsListener");
        Watcher first = new Watcher("--filter", "event=tag", "--filter", "image=rc");
        List<String> seen;
        try {
            awaitSubscribers(baseline + 1);
            for (int i = 1; i <= 10; i++) {
                ok("tag", "busybox", "rc:" + i);
            }
            first.await(l -> l.contains("rc:5"), 20);
        } finally {
            first.close();
            seen = List.copyOf(first.lines);
        }
        awaitSubscribers(baseline);
        for (int i = 11; i <= 20; i++) {
            ok("tag", "busybox", "rc:" + i);
        }
        long last = new JsonObject(seen.get(seen.size() - 1)).getLong("timeNano");
        List<JsonObject> rest = events("--since", unix(last), "--until", unix(now()), "--filter", "event=tag",
                "--filter", "image=rc");
        List<String> all = new ArrayList<>();
        seen.forEach(l -> all.add(attr(new JsonObject(l), "name")));
        rest.forEach(e -> all.add(attr(e, "name")));
        assertEquals(IntStream.rangeClosed(1, 20).mapToObj(i -> "rc:" + i).toList(), all,
                "the first connection's events then the second's: each tag once, in order");

        // Berth's extension: the journal sequence of each event, and resuming exactly after one.
        List<JsonObject> byTime = rawEvents("since=" + unix(t0) + "&until=" + unix(now()));
        JsonObject fifth = byTime.stream().filter(e -> "rc:5".equals(attr(e, "name"))).findFirst().orElseThrow();
        long seq = fifth.getJsonObject("berth").getLong("seq");
        List<JsonObject> after = rawEvents("since-seq=" + seq + "&until=" + unix(now()));
        assertEquals(IntStream.rangeClosed(6, 20).mapToObj(i -> "rc:" + i).toList(), after.stream()
                .filter(e -> "tag".equals(e.getString("Action"))).map(e -> attr(e, "name")).toList());
        long previous = seq;
        for (JsonObject e : after) {
            long s = e.getJsonObject("berth").getLong("seq");
            assertTrue(s > previous, "sequences increase");
            previous = s;
        }
    }

    private List<JsonObject> rawEvents(String query) throws IOException {
        Api.Response r = raw().get("/events?" + query);
        assertEquals(200, r.status(), r.body());
        return r.body().lines().filter(l -> !l.isBlank()).map(JsonObject::new).toList();
    }

    /** Also the daemon filter: the restart's stop and start are the daemon's events. */
    @Test
    void historySurvivesADaemonRestartAndRetentionIsShown() throws Exception {
        long t0 = now();
        ok("tag", "busybox", "hist:1");
        berth.stop();
        // Kept for the rest of the class: nothing it runs is old or large enough to be deleted.
        Files.writeString(berth.root().resolve("daemon.json"),
                "{\"events-retention\": {\"max-age\": \"720h\", \"max-size\": \"2GB\"}}\n");
        berth.launch();
        ok("tag", "busybox", "hist:2");
        long t1 = now();
        List<JsonObject> ev = window(t0, t1);
        assertEquals(List.of("image tag hist:1", "daemon stop", "daemon start", "image tag hist:2"), ev.stream()
                .map(e -> e.getString("Type") + " " + e.getString("Action")
                        + ("image".equals(e.getString("Type")) ? " " + attr(e, "name") : "")).toList());

        String daemonId = info().getString("ID");
        List<JsonObject> daemon = window(t0, t1, "daemon=" + daemonId);
        assertEquals(List.of("stop", "start"), actions(daemon));
        assertEquals("daemon", daemon.get(0).getString("Type"));
        assertEquals(daemonId, daemon.get(1).getJsonObject("Actor").getString("ID"));
        assertEquals(List.of("stop", "start"), actions(window(t0, t1, "daemon=" + attr(daemon.get(0), "name"))),
                "by host name");
        assertEquals(List.of(), window(t0, t1, "daemon=" + daemonId, "type=image"));

        String text = ok("info").out();
        assertTrue(text.contains(" Events Retention: max-age 720h, max-size 2GB"), text);
        JsonObject retention = info().getJsonObject("BerthJournal").getJsonObject("Retention");
        assertEquals(720 * 3600, retention.getLong("MaxAgeSeconds"));
        assertEquals(2_000_000_000L, retention.getLong("MaxSizeBytes"));
    }

    /**
     * A client that never reads while 1,000 events are made: the API keeps answering at once, a
     * second client gets every event live, the stalled one holds its place and, once it reads, gets
     * them all too.
     */
    @Test
    void aStalledSubscriberBlocksNothingAndLosesNothing() throws Exception {
        int baseline = info().getInteger("NEventsListener");
        // Big events (a 4 KiB label) so that 1,000 of them overflow every buffer on the way.
        ok("create", "--name", "st0", "--label", "big=" + "x".repeat(4096), "busybox", "true");
        try (SocketChannel stalled = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            stalled.connect(UnixDomainSocketAddress.of(berth.socket()));
            stalled.write(ByteBuffer.wrap("GET /events?filters=%7B%22event%22%3A%5B%22rename%22%5D%7D HTTP/1.1\r\nHost: berth\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII)));
            Watcher live = new Watcher("--filter", "event=rename", "--format", "{{.Actor.Attributes.name}}");
            try {
                awaitSubscribers(baseline + 2);
                long worst = 0;
                long start = System.nanoTime();
                boolean sawStall = false;
                for (int i = 1; i <= 1000; i++) {
                    long t = System.nanoTime();
                    Api.Response r = raw().post("/containers/st" + (i - 1) + "/rename?name=st" + i, null);
                    worst = Math.max(worst, System.nanoTime() - t);
                    assertEquals(204, r.status(), r.body());
                    if (i % 100 == 0) {
                        sawStall |= info().getJsonObject("BerthEvents").getInteger("WaitingForClients") == 1;
                    }
                }
                long total = System.nanoTime() - start;
                assertTrue(sawStall, "the stalled client's write queue filled up and its reader waited");
                assertTrue(TimeUnit.NANOSECONDS.toMillis(worst) < 2000, "slowest rename " + worst / 1_000_000 + " ms");
                assertTrue(TimeUnit.NANOSECONDS.toSeconds(total) < 60, "1,000 renames took " + total / 1_000_000 + " ms");
                live.await(l -> l.equals("st1000"), 30);
                assertEquals(IntStream.rangeClosed(1, 1000).mapToObj(i -> "st" + i).toList(), List.copyOf(live.lines),
                        "the second client got every event, in order, while the first stalled");
                assertEquals("st1000\n", ok("ps", "-a", "--filter", "name=st1000", "--format", "{{.Names}}").out());
            } finally {
                live.close();
            }

            // Now the stalled client reads: everything is there, in order, nothing lost.
            List<String> got = readEvents(stalled, 1000, 30);
            assertEquals(IntStream.rangeClosed(1, 1000).mapToObj(i -> "st" + i).toList(), got);
        }
        awaitSubscribers(baseline);
        ok("rm", "st1000");
    }

    /** Reads a raw chunked {@code /events} response until {@code n} events have come; returns their names. */
    private static List<String> readEvents(SocketChannel ch, int n, int timeoutSeconds) throws IOException {
        ch.configureBlocking(false);
        StringBuilder text = new StringBuilder();
        ByteBuffer buf = ByteBuffer.allocate(1 << 20);
        List<String> names = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        while (names.size() < n && System.nanoTime() < deadline) {
            int r = ch.read(buf);
            if (r < 0) {
                break;
            }
            if (r == 0) {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                continue;
            }
            bytes.write(buf.array(), 0, buf.position());
            buf.clear();
            text.setLength(0);
            text.append(bytes.toString(StandardCharsets.UTF_8));
            names.clear();
            // Chunk framing aside, each event is one JSON object on its own line; the last may be partial.
            for (String line : text.substring(0, text.lastIndexOf("\n") + 1).split("\r?\n")) {
                if (line.startsWith("{\"status\":\"rename\"")) {
                    names.add(attr(new JsonObject(line), "name"));
                }
            }
        }
        return names;
    }

    /** A live {@code docker events} process whose output lines are collected as they come. */
    private final class Watcher implements AutoCloseable {
        final Process process;
        final List<String> lines = new CopyOnWriteArrayList<>();
        private final Thread reader;

        Watcher(String... options) throws IOException {
            List<String> cmd = new ArrayList<>(List.of("docker", "events"));
            List<String> opts = List.of(options);
            if (!opts.contains("--format")) {
                cmd.addAll(List.of("--format", "{{json .}}"));
            }
            cmd.addAll(opts);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
            pb.environment().put("DOCKER_HOST", berth.host());
            pb.environment().put("DOCKER_CONFIG", berth.root().resolve("docker-config").toString());
            process = pb.start();
            reader = Thread.ofPlatform().daemon().start(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    String l;
                    while ((l = in.readLine()) != null) {
                        if (!l.isBlank()) {
                            lines.add(l);
                        }
                    }
                } catch (IOException e) {
                    // The process was stopped.
                }
            });
        }

        void await(Predicate<String> line, int seconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (lines.stream().noneMatch(line)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no such event after " + seconds + " s; got " + lines);
                }
                Thread.sleep(10);
            }
        }

        @Override
        public void close() {
            process.destroy();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
                reader.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
