package io.berth.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Reads {@code docker events} through the stock CLI, as JSON objects, for the integration tests. */
final class DockerEvents {

    private final Docker docker;

    DockerEvents(Docker docker) {
        this.docker = docker;
    }

    /** Nanoseconds since the epoch on the daemon's clock (the same machine). */
    static long now() {
        Instant t = Instant.now();
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    /** A time as the CLI's {@code --since}/{@code --until} take it to the nanosecond. */
    static String unix(long nanos) {
        return String.format("%d.%09d", Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }

    /** {@code docker events --format '{{json .}}'} with the given options, which must end the stream. */
    List<JsonObject> events(String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("events", "--format", "{{json .}}"));
        args.addAll(List.of(options));
        Docker.Result r = docker.runWithInput(null, 60, args.toArray(String[]::new));
        assertEquals(0, r.exit(), r.toString());
        List<JsonObject> out = new ArrayList<>();
        r.out().lines().filter(l -> !l.isBlank()).forEach(l -> out.add(new JsonObject(l)));
        return out;
    }

    /** The events between two times, with {@code --filter} arguments. */
    List<JsonObject> window(long since, long until, String... filters) throws Exception {
        List<String> args = new ArrayList<>(List.of("--since", unix(since), "--until", unix(until)));
        for (String f : filters) {
            args.add("--filter");
            args.add(f);
        }
        return events(args.toArray(String[]::new));
    }

    static List<String> actions(List<JsonObject> events) {
        return events.stream().map(e -> e.getString("Action")).toList();
    }

    static String attr(JsonObject e, String name) {
        return e.getJsonObject("Actor").getJsonObject("Attributes").getString(name);
    }
}
