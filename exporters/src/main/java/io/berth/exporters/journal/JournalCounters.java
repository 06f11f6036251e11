package io.berth.exporters.journal;

import io.berth.events.ContainerEvent;
import io.berth.events.EventCatalog;
import io.berth.events.EventEnvelope;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The counters metrics derive from the journal: entries by type and action, and per container its
 * restarts by reason and its OOM kills. A fold: {@link #apply} in journal order, by one thread; the
 * counts may be read from any thread. {@link #toJson}/{@link #fromJson} checkpoint the fold with the
 * sequence it covers, so a restarted daemon continues from there and the counts stay exact.
 */
public final class JournalCounters {

    /** What ended the run a restart follows, and who decided to restart. */
    public record RestartKey(String reason, String decidedBy) {}

    /** An event's logical name split at its first dot: {@code container.oom-killed} is ({@code container}, {@code oom-killed}). */
    public record EventKey(String type, String action) {}

    /** One container's counts, and what the fold needs to know of its current run. */
    public static final class PerContainer {
        final Map<RestartKey, AtomicLong> restarts = new ConcurrentHashMap<>();
        final AtomicLong ooms = new AtomicLong();
        boolean runOomKilled;
        int runExitCode;

        public Map<RestartKey, AtomicLong> restarts() {
            return restarts;
        }

        public AtomicLong ooms() {
            return ooms;
        }
    }

    private final Map<EventKey, AtomicLong> events = new ConcurrentHashMap<>();
    private final Map<String, PerContainer> containers = new ConcurrentHashMap<>();
    private volatile long seq;

    /** The sequence of the last entry folded in, 0 for none. */
    public long seq() {
        return seq;
    }

    public Map<EventKey, AtomicLong> events() {
        return events;
    }

    /** Per container id, for containers created and not removed. */
    public Map<String, PerContainer> containers() {
        return containers;
    }

    /** Folds in the next entry; entries at or below {@link #seq} were counted already and are ignored. */
    public void apply(EventEnvelope e) {
        if (e.seq() <= seq) {
            return;
        }
        String name = EventCatalog.of(e.event().getClass()).name();
        int dot = name.indexOf('.');
        events.computeIfAbsent(new EventKey(name.substring(0, dot), name.substring(dot + 1)), k -> new AtomicLong())
                .incrementAndGet();
        if (e.event() instanceof ContainerEvent ce) {
            container(ce);
        }
        seq = e.seq();
    }

    private void container(ContainerEvent ce) {
        switch (ce) {
            case ContainerEvent.Created c -> containers.put(c.id(), new PerContainer());
            case ContainerEvent.Removed r -> containers.remove(r.id());
            default -> {
                PerContainer p = containers.get(ce.id());
                if (p != null) {
                    run(p, ce);
                }
            }
        }
    }

    private static void run(PerContainer p, ContainerEvent ce) {
        switch (ce) {
            case ContainerEvent.Started s -> {
                p.runOomKilled = false;
                p.runExitCode = 0;
            }
            case ContainerEvent.OomKilled o -> {
                p.runOomKilled = true;
                p.ooms.incrementAndGet();
            }
            case ContainerEvent.Exited x -> p.runExitCode = x.exitCode();
            case ContainerEvent.Restarting r -> p.restarts.computeIfAbsent(
                    new RestartKey(reason(p), decidedBy(r.reason())), k -> new AtomicLong()).incrementAndGet();
            default -> { }
        }
    }

    /** {@code oom} after an OOM kill, {@code error} after a non-zero exit, else {@code exit}. */
    private static String reason(PerContainer p) {
        return p.runOomKilled ? "oom" : p.runExitCode != 0 ? "error" : "exit";
    }

    /**
     * The decider named at the head of a restart's reason: {@code policy:NAME} for a scripted policy
     * ("policy NAME (onExit) after ..."), else the Docker restart policy ("on-failure:3 after ...").
     */
    static String decidedBy(String reason) {
        if (reason == null || reason.isBlank()) {
            return "unknown";
        }
        String[] words = reason.strip().split("\\s+");
        if (words[0].equals("policy") && words.length > 1) {
            return "policy:" + words[1];
        }
        int colon = words[0].indexOf(':');
        return colon > 0 ? words[0].substring(0, colon) : words[0];
    }

    /** The fold as a checkpoint. */
    public JsonObject toJson() {
        JsonArray ev = new JsonArray();
        events.forEach((k, v) -> ev.add(new JsonObject().put("type", k.type()).put("action", k.action()).put("n", v.get())));
        JsonObject cs = new JsonObject();
        containers.forEach((id, p) -> {
            JsonArray rs = new JsonArray();
            p.restarts.forEach((k, v) -> rs.add(new JsonObject().put("reason", k.reason())
                    .put("decidedBy", k.decidedBy()).put("n", v.get())));
            cs.put(id, new JsonObject().put("ooms", p.ooms.get()).put("restarts", rs)
                    .put("runOomKilled", p.runOomKilled).put("runExitCode", p.runExitCode));
        });
        return new JsonObject().put("version", 1).put("seq", seq).put("events", ev).put("containers", cs);
    }

    /** A fold restored from {@link #toJson}. */
    public static JournalCounters fromJson(JsonObject json) {
        if (json.getInteger("version", 0) != 1) {
            throw new IllegalArgumentException("unknown counters checkpoint version " + json.getValue("version"));
        }
        JournalCounters c = new JournalCounters();
        for (Object o : json.getJsonArray("events")) {
            JsonObject e = (JsonObject) o;
            c.events.put(new EventKey(e.getString("type"), e.getString("action")), new AtomicLong(e.getLong("n")));
        }
        JsonObject cs = json.getJsonObject("containers");
        for (String id : cs.fieldNames()) {
            JsonObject j = cs.getJsonObject(id);
            PerContainer p = new PerContainer();
            p.ooms.set(j.getLong("ooms"));
            p.runOomKilled = j.getBoolean("runOomKilled");
            p.runExitCode = j.getInteger("runExitCode");
            for (Object o : j.getJsonArray("restarts")) {
                JsonObject r = (JsonObject) o;
                p.restarts.put(new RestartKey(r.getString("reason"), r.getString("decidedBy")), new AtomicLong(r.getLong("n")));
            }
            c.containers.put(id, p);
        }
        c.seq = json.getLong("seq");
        return c;
    }
}
