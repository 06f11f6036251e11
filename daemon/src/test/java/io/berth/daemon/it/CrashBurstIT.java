package io.berth.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@code kill -9} of berthd in the middle of a burst of lifecycle operations from 8 concurrent
 * clients: after a restart every operation a client saw succeed is in the state, an operation cut
 * short either happened or did not, the daemon's state equals a fresh replay of its journal, and
 * {@code journal verify} finds no problem.
 */
class CrashBurstIT extends DaemonTest {

    private static final int CLIENTS = 8;
    private static final int OPERATIONS = 1000;
    private static final int KILL_AFTER = 450;

    /** What one client knows about one of its containers: what its acknowledged operations left. */
    private static final class Known {
        final String firstName;
        String id;
        String name;
        String policy = "no";
        boolean running;
        boolean removed;
        /** The operation in flight when the daemon died: it may or may not have happened. */
        String uncertain;

        Known(String firstName) {
            this.firstName = firstName;
            this.name = firstName;
        }
    }

    private final AtomicInteger acknowledged = new AtomicInteger();
    private final Map<String, Known> containers = new ConcurrentHashMap<>();
    private final Set<String> tags = ConcurrentHashMap.newKeySet();
    private final Set<String> uncertainTags = ConcurrentHashMap.newKeySet();

    /** One client: its own containers, created, renamed, updated, some started, some removed; and tags. */
    private void client(int k, int operations) {
        Api api = new Api(berth);
        int done = 0;
        for (int i = 0; done < operations; i++) {
            Known c = new Known("b" + k + "-" + i);
            String tag = "burst:" + k + "-" + i;
            String step = "create";
            try {
                containers.put(c.firstName, c);
                Api.Response r = api.post("/containers/create?name=" + c.firstName,
                        "{\"Image\":\"busybox\",\"Cmd\":[\"sleep\",\"600\"]}");
                require(r, 201);
                c.id = new JsonObject(r.body()).getString("Id");
                done = ack(done);

                step = "rename";
                require(api.post("/containers/" + c.id + "/rename?name=" + c.firstName + "r", null), 204);
                c.name = c.firstName + "r";
                done = ack(done);

                step = "update";
                String policy = "on-failure:" + (1 + i % 5);
                require(api.post("/containers/" + c.id + "/update",
                        "{\"RestartPolicy\":{\"Name\":\"on-failure\",\"MaximumRetryCount\":" + (1 + i % 5) + "}}"), 200);
                c.policy = policy;
                done = ack(done);

                step = "tag";
                require(api.post("/images/busybox/tag?repo=burst&tag=" + k + "-" + i, null), 201);
                tags.add(tag);
                done = ack(done);

                if (i % 5 == 0) {
                    step = "start";
                    require(api.post("/containers/" + c.id + "/start", null), 204);
                    c.running = true;
                    done = ack(done);
                } else if (i % 3 == 0) {
                    step = "remove";
                    require(api.send("DELETE", "/containers/" + c.id, null), 204);
                    c.removed = true;
                    done = ack(done);
                }
            } catch (IOException | RuntimeException e) {
                // The daemon died under this operation: it may or may not have been done.
                c.uncertain = step;
                if (step.equals("tag")) {
                    uncertainTags.add(tag);
                }
                return;
            }
        }
    }

    private int ack(int done) {
        acknowledged.incrementAndGet();
        return done + 1;
    }

    private static void require(Api.Response r, int status) {
        if (r.status() != status) {
            throw new IllegalStateException("HTTP " + r.status() + ": " + r.body());
        }
    }

    @Test
    void everyAcknowledgedOperationSurvivesAKillInTheMiddleOfABurst() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        List<Future<?>> clients = new ArrayList<>();
        try {
            for (int k = 0; k < CLIENTS; k++) {
                int client = k;
                clients.add(pool.submit(() -> client(client, OPERATIONS / CLIENTS)));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (acknowledged.get() < KILL_AFTER && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertTrue(acknowledged.get() >= KILL_AFTER, "the burst got going: " + acknowledged.get());
            berth.kill();
            for (Future<?> f : clients) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        int seen = acknowledged.get();
        assertTrue(seen < OPERATIONS, "the kill came during the burst, after " + seen);

        berth.launch();

        Map<String, JsonObject> byName = new HashMap<>();
        for (Object o : new JsonArray(new Api(berth).get("/containers/json?all=1").body())) {
            JsonObject c = (JsonObject) o;
            byName.put(c.getJsonArray("Names").getString(0).substring(1), c);
        }
        int checked = 0;
        for (Known c : containers.values()) {
            checked += check(c, byName);
        }
        // About five operations per container: most of those the burst made are certain.
        assertTrue(checked >= KILL_AFTER / 6, "containers checked: " + checked);

        Set<String> repoTags = new HashSet<>();
        for (Object o : new JsonArray(new Api(berth).get("/images/json").body())) {
            JsonArray t = ((JsonObject) o).getJsonArray("RepoTags");
            t.forEach(x -> repoTags.add((String) x));
        }
        for (String tag : tags) {
            assertTrue(repoTags.contains(tag), "an acknowledged tag is kept: " + tag);
        }
        for (String tag : repoTags) {
            assertTrue(!tag.startsWith("burst:") || tags.contains(tag) || uncertainTags.contains(tag),
                    "no tag nobody asked for: " + tag);
        }

        JsonObject state = new JsonObject(new Api(berth).get("/info").body()).getJsonObject("BerthState");
        String verify = journalVerify();
        assertTrue(verify.contains("result     ok: no problems found"), verify);
        assertTrue(verify.contains("state      sequence " + state.getLong("Sequence") + ": "), verify + state);
        assertTrue(verify.contains(state.getString("Digest")), "the daemon's state is a fresh replay's:\n"
                + verify + state);

        // Starts the kill cut short between the CNI ADD and its journal entry hold addresses and NAT
        // rules the journal never got: removing the containers frees them all the same.
        Api api = new Api(berth);
        for (Object o : new JsonArray(api.get("/containers/json?all=1").body())) {
            String id = ((JsonObject) o).getString("Id");
            require(api.send("DELETE", "/containers/" + id + "?force=1", null), 204);
        }
        for (Known c : containers.values()) {
            if (c.id != null) {
                assertEquals(List.of(), NetHost.rulesFor(c.id), "no iptables rule left for " + c.firstName);
            }
        }
        assertEquals(List.of(), NetHost.allocations(berth), "no host-local allocation left");
    }

    /** Checks one container against what its client saw; returns 1 when its state was certain. */
    private int check(Known c, Map<String, JsonObject> byName) {
        JsonObject first = byName.get(c.firstName);
        JsonObject renamed = byName.get(c.firstName + "r");
        JsonObject found = first != null ? first : renamed;
        if (c.id == null) {
            // The create itself was cut short: the container exists or not, and nothing more happened.
            assertTrue(renamed == null, c.firstName + " was never renamed");
            return 0;
        }
        String where = c.firstName + " (cut short: " + c.uncertain + ")";
        if (c.removed || "remove".equals(c.uncertain)) {
            assertTrue(found == null || "remove".equals(c.uncertain), where + " was removed");
            return c.uncertain == null ? 1 : 0;
        }
        assertTrue(found != null, where + " exists");
        assertEquals(c.id, found.getString("Id"), where);
        if ("rename".equals(c.uncertain)) {
            return 0;
        }
        assertEquals(c.name, found.getJsonArray("Names").getString(0).substring(1), where);
        JsonObject inspect = new JsonObject(get("/containers/" + c.id + "/json"));
        String policy = inspect.getJsonObject("HostConfig").getJsonObject("RestartPolicy").getString("Name")
                + (c.policy.equals("no") ? "" : ":" + inspect.getJsonObject("HostConfig")
                        .getJsonObject("RestartPolicy").getInteger("MaximumRetryCount"));
        if (!"update".equals(c.uncertain)) {
            assertEquals(c.policy, policy, where);
        }
        if (c.running) {
            assertEquals("running", found.getString("State"), where + " kept running through the crash");
        } else if (!"start".equals(c.uncertain)) {
            assertEquals("created", found.getString("State"), where);
        }
        return c.uncertain == null ? 1 : 0;
    }

    private String get(String path) {
        try {
            return new Api(berth).get(path).body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String journalVerify() throws Exception {
        Docker.Result r = berth.journal("verify");
        assertEquals(0, r.exit(), r.toString());
        return r.out();
    }
}
