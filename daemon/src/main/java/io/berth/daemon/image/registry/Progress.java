package io.berth.daemon.image.registry;

import io.vertx.core.json.JsonObject;
import java.util.Locale;

/**
 * Where a pull or push reports what it does, as the lines of Docker's JSON progress stream
 * ({@code {"status": "Downloading", "id": "a3ed95caeb02", "progressDetail": {"current": 1, "total": 2}}})
 * that the CLI draws as progress bars. Called from worker threads; implementations are thread-safe.
 */
@FunctionalInterface
public interface Progress {

    Progress NONE = m -> { };

    void emit(JsonObject message);

    /** A line without an id: {@code Pulling from ...}, {@code Digest: ...}. */
    default void status(String status) {
        emit(new JsonObject().put("status", status));
    }

    /** A line for one layer (the CLI keeps one line per id). */
    default void status(String id, String status) {
        emit(new JsonObject().put("status", status).put("progressDetail", new JsonObject()).put("id", id));
    }

    /** A progress bar for one layer. */
    default void progress(String id, String status, long current, long total) {
        emit(new JsonObject().put("status", status)
                .put("progressDetail", new JsonObject().put("current", current).put("total", total))
                .put("progress", bar(current, total)).put("id", id));
    }

    /** The legacy text bar older clients print, such as {@code [=====>     ]  1.2MB/3.4MB}. */
    static String bar(long current, long total) {
        int width = 50;
        String sizes = human(current) + "/" + human(total);
        if (total <= 0) {
            return sizes;
        }
        int filled = (int) Math.min(width, current * width / total);
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < width; i++) {
            b.append(i < filled ? '=' : i == filled ? '>' : ' ');
        }
        return b.append("] ").append(sizes).toString();
    }

    /** Sizes in decimal units as the Docker CLI prints them ({@code 2.1MB}). */
    static String human(long bytes) {
        String[] units = {"B", "kB", "MB", "GB", "TB"};
        double v = bytes;
        int u = 0;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return u == 0 ? bytes + "B" : String.format(Locale.ROOT, "%.3g%s", v, units[u]);
    }
}
