package io.berth.daemon.api;

import io.berth.daemon.events.DockerEvent;
import io.berth.daemon.events.EventFilter;
import io.berth.daemon.events.EventStreams;
import io.berth.daemon.events.EventTimes;
import io.berth.errors.EngineException;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /events}: Docker's event stream, newline-delimited JSON, from the journal.
 *
 * <p>Parameters as dockerd's: {@code since} and {@code until} (seconds with an optional fraction,
 * as the CLI sends them; see {@link EventTimes}) and {@code filters}. {@code since} is exclusive:
 * a client that reconnects with the last {@code timeNano} it saw gets the events after it, none
 * twice (journal times are unique). Berth extension: each event carries
 * {@code "berth": {"seq": N}}, its journal sequence, and {@code since-seq=N} resumes exactly after
 * sequence N. An {@code until} before {@code since} gives an empty stream that ends.
 */
public final class EventRoutes {

    private final EventStreams streams;

    public EventRoutes(EventStreams streams) {
        this.streams = streams;
    }

    public void register(Routes r) {
        r.get("/events", this::events);
    }

    private void events(ApiRequest r) {
        long now = nowNanos();
        ZoneId zone = ZoneId.systemDefault();
        long since = EventTimes.parse(r.query("since"), "since", EventTimes.NO_SINCE, now, zone);
        long until = EventTimes.parse(r.query("until"), "until", EventTimes.NO_UNTIL, now, zone);
        long afterSeq = sinceSeq(r.query("since-seq"));
        Filters f = Filters.parse(r.query("filters"), EventFilter.KEYS);
        Map<String, Set<String>> values = new LinkedHashMap<>();
        for (String name : f.names()) {
            values.put(name, f.get(name));
        }
        EventStreams.Request request = new EventStreams.Request(since, until, afterSeq, EventFilter.of(values));
        HttpServerResponse response = r.response();
        response.setStatusCode(200).setChunked(true).putHeader("Content-Type", "application/json");
        if (request.hasSince() && request.hasUntil() && until < since) {
            response.end();
            return;
        }
        // The head goes out now, as dockerd flushes it: the client knows it is subscribed.
        response.writeHead();
        EventStreams.Subscription s = streams.subscribe(request, Vertx.currentContext(), response, EventRoutes::encode);
        response.closeHandler(v -> s.cancel());
        response.exceptionHandler(t -> s.cancel());
    }

    private static long sinceSeq(String v) {
        if (v == null || v.isEmpty()) {
            return -1;
        }
        try {
            long n = Long.parseLong(v);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // Refused below.
        }
        throw EngineException.invalid("invalid since-seq: " + v + " (a journal sequence, 0 or more)");
    }

    private static long nowNanos() {
        Instant t = Instant.now();
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    /**
     * One event as dockerd writes it for API versions before 1.52: the legacy {@code status},
     * {@code id} and {@code from} for containers and images, then {@code Type}, {@code Action},
     * {@code Actor}, {@code scope}, {@code time}, {@code timeNano}; and Berth's {@code berth.seq}.
     */
    public static String encode(DockerEvent e) {
        JsonObject o = new JsonObject();
        boolean container = DockerEvent.CONTAINER.equals(e.type());
        if (container || DockerEvent.IMAGE.equals(e.type())) {
            o.put("status", e.action()).put("id", e.actorId());
            String image = e.attribute("image");
            if (container && image != null && !image.isEmpty()) {
                o.put("from", image);
            }
        }
        Map<String, Object> attributes = new LinkedHashMap<>(e.attributes());
        o.put("Type", e.type()).put("Action", e.action())
                .put("Actor", new JsonObject().put("ID", e.actorId()).put("Attributes", new JsonObject(attributes)))
                .put("scope", "local")
                .put("time", Math.floorDiv(e.timeNanos(), 1_000_000_000L))
                .put("timeNano", e.timeNanos())
                .put("berth", new JsonObject().put("seq", e.seq()));
        return o.encode();
    }
}
