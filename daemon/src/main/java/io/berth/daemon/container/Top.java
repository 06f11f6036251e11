package io.berth.daemon.container;

import io.berth.daemon.engine.Engine;
import io.berth.daemon.runtime.OciRuntime;
import io.berth.errors.EngineException;
import io.berth.errors.ErrorKind;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code docker top}: runs the host's {@code ps} with the client's arguments, as dockerd does, and
 * keeps the rows of the container's processes.
 */
public final class Top {

    private final Engine engine;
    private final OciRuntime runtime;

    public Top(Engine engine, OciRuntime runtime) {
        this.engine = engine;
        this.runtime = runtime;
    }

    public Future<JsonObject> run(String id, String psArgs) {
        return engine.blocking(() -> {
            Set<Integer> pids = new HashSet<>(runtime.pids(id));
            List<String> cmd = new ArrayList<>();
            cmd.add("ps");
            for (String a : psArgs.trim().split("\\s+")) {
                if (!a.isEmpty()) {
                    cmd.add(a);
                }
            }
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            try {
                if (p.waitFor() != 0) {
                    throw EngineException.invalid("ps: " + out.trim());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            return parse(out, pids);
        });
    }

    /** Splits ps output into titles and the rows whose PID is in {@code pids}. */
    static JsonObject parse(String out, Set<Integer> pids) {
        String[] lines = out.split("\n");
        String[] titles = lines[0].trim().split("\\s+");
        int pidCol = -1;
        for (int i = 0; i < titles.length; i++) {
            if (titles[i].equals("PID")) {
                pidCol = i;
            }
        }
        if (pidCol < 0) {
            throw new EngineException(ErrorKind.INVALID_ARGUMENT, "Couldn't find PID field in ps output");
        }
        JsonArray processes = new JsonArray();
        for (int l = 1; l < lines.length; l++) {
            if (lines[l].isBlank()) {
                continue;
            }
            String[] fields = lines[l].trim().split("\\s+", titles.length);
            if (fields.length <= pidCol) {
                continue;
            }
            try {
                if (pids.contains(Integer.parseInt(fields[pidCol]))) {
                    processes.add(new JsonArray(List.of(fields)));
                }
            } catch (NumberFormatException ignored) {
                // Not a process row.
            }
        }
        return new JsonObject().put("Titles", new JsonArray(List.of(titles))).put("Processes", processes);
    }
}
