package io.berth.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Metrics end to end: a real Prometheus server (Debian's) on loopback scrapes berthd; a container
 * that fills 48 MiB of tmpfs shows above that in container_memory_usage_bytes as Prometheus stores
 * it; the scrape passes {@code promtool check metrics}; {@code docker stats} and the stats API show
 * the same cgroup's numbers; restart counters from the journal survive a daemon restart, and a
 * removed container's series go.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MetricsIT extends DaemonTest {

    private static final long FILL = 48L << 20;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Path promDir;
    private Process prometheus;
    private int promPort;

    @Override
    String daemonJson() {
        return "{\"metrics-interval\": \"500ms\", \"metrics-labels\": [\"com.example.team\"]}\n";
    }

    @BeforeAll
    void startPrometheus() throws Exception {
        promDir = Files.createTempDirectory(Path.of("/tmp"), "btprom");
        promPort = freePort();
        writeScrapeConfig();
        prometheus = new ProcessBuilder("prometheus", "--config.file=" + promDir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + promDir.resolve("data"), "--web.listen-address=127.0.0.1:" + promPort,
                "--web.enable-lifecycle")
                .redirectErrorStream(true).redirectOutput(promDir.resolve("prometheus.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!prometheus.isAlive()) {
                fail("prometheus exited: " + Files.readString(promDir.resolve("prometheus.log")));
            }
            try {
                if (get("http://127.0.0.1:" + promPort + "/-/ready").statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        fail("prometheus not ready in 30 s: " + Files.readString(promDir.resolve("prometheus.log")));
    }

    /** Points Prometheus at the daemon's current metrics port. */
    private void writeScrapeConfig() throws IOException {
        Files.writeString(promDir.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 900ms
                scrape_configs:
                  - job_name: berth
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                """.formatted(berth.metricsPort()));
    }

    @AfterAll
    void stopPrometheus() throws Exception {
        if (prometheus != null) {
            prometheus.destroy();
            if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (promDir != null) {
            try (var walk = Files.walk(promDir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @Test
    @Order(1)
    void prometheusSeesTheContainersMemory() throws Exception {
        ok("run", "-d", "--name", "hog", "-m", "128m", "--label", "com.example.team=infra", "busybox", "sh", "-c",
                "dd if=/dev/zero of=/dev/shm/fill bs=1M count=48 && sleep 600");
        JsonObject series = awaitQuery("container_memory_usage_bytes{name=\"hog\"}",
                r -> !r.isEmpty() && value(r) > FILL);
        JsonObject labels = series.getJsonObject("metric");
        assertEquals("busybox", labels.getString("image"));
        assertEquals("/berth/" + inspect("hog").getString("Id"), labels.getString("id"));
        assertEquals("infra", labels.getString("container_label_com_example_team"), "an opted-in container label");
        JsonObject limit = awaitQuery("container_spec_memory_limit_bytes{name=\"hog\"}", r -> !r.isEmpty());
        assertEquals(128L << 20, (long) value(new JsonArray().add(limit)));
        assertFalse(query("berth_api_requests_seconds_count{route=\"/containers/create\",status=\"201\"}").isEmpty(),
                "the API's own latency, by route and status");
    }

    @Test
    @Order(2)
    void theScrapePassesPromtool() throws Exception {
        String scrape = get("http://127.0.0.1:" + berth.metricsPort() + "/metrics").body();
        for (String name : List.of("container_cpu_usage_seconds_total", "container_memory_working_set_bytes",
                "container_processes", "container_oom_events_total", "berth_container_state", "berth_events_total",
                "berth_journal_size_bytes", "berth_journal_append_seconds_count", "berth_eventloop_lag_seconds_count",
                "jvm_memory_used_bytes")) {
            assertTrue(scrape.contains("\n" + name), name + " in the scrape");
        }
        Process p = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
        p.getOutputStream().write(scrape.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertEquals("", out.strip(), "no lint problems");
        HttpResponse<String> om = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + berth.metricsPort()
                + "/metrics")).header("Accept", "application/openmetrics-text;version=1.0.0").build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(om.headers().firstValue("Content-Type").orElse("").startsWith("application/openmetrics-text"));
        assertTrue(om.body().endsWith("# EOF\n"), "OpenMetrics ends with # EOF");
    }

    @Test
    @Order(3)
    void dockerStatsShowsTheSameCgroup() throws Exception {
        String line = ok("stats", "--no-stream", "--format", "{{.Name}}|{{.MemUsage}}|{{.PIDs}}", "hog").trimmed();
        String[] f = line.split("\\|");
        assertEquals("hog", f[0], line);
        assertTrue(f[1].matches("4[89]\\.\\d+MiB / 128MiB"), "48 MiB of tmpfs and the limit: " + line);
        assertTrue(Integer.parseInt(f[2]) >= 1, line);

        Process curl = new ProcessBuilder("curl", "-s", "-N", "--max-time", "2.5", "--unix-socket",
                berth.socket().toString(), "http://berth/v1.43/containers/hog/stats").start();
        String frames = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        curl.waitFor(10, TimeUnit.SECONDS);
        String[] lines = frames.strip().split("\n");
        assertTrue(lines.length >= 2, "a frame a second: " + frames);
        JsonObject first = new JsonObject(lines[0]);
        JsonObject second = new JsonObject(lines[1]);
        assertEquals(0, first.getJsonObject("precpu_stats").getLong("system_cpu_usage", 0L), "the first has no previous");
        assertEquals(first.getJsonObject("cpu_stats"), second.getJsonObject("precpu_stats"));
        assertTrue(second.getJsonObject("memory_stats").getLong("usage") > FILL);
        assertEquals("/hog", second.getString("name"));
    }

    @Test
    @Order(4)
    void restartCountsComeFromTheJournalAndSurviveARestart() throws Exception {
        ok("run", "-d", "--name", "flap", "--restart", "on-failure:2", "busybox", "sh", "-c", "exit 1");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!inspect("flap").getJsonObject("State").getString("Status").equals("exited")
                || inspect("flap").getInteger("RestartCount") < 2) {
            assertTrue(System.nanoTime() < deadline, "flap did not finish its restarts");
            Thread.sleep(200);
        }
        String series = "berth_container_restarts_total{name=\"flap\",reason=\"error\",decided_by=\"on-failure\"}";
        assertEquals(2.0, awaitScraped(series, v -> v == 2.0));

        berth.stop();
        berth.launch();
        writeScrapeConfig();
        assertEquals(200, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + promPort + "/-/reload"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(2.0, awaitScraped(series, v -> true), "restored from the checkpoint, not counted again");
        assertEquals(1.0, awaitScraped("berth_container_state{name=\"flap\",state=\"exited\"}", v -> true));
        // The new daemon's Prometheus target reports it too: the same series, now from the new port.
        awaitQuery("berth_container_restarts_total{name=\"flap\"}", r -> !r.isEmpty() && value(r) == 2.0);

        ok("rm", "flap");
        awaitScraped("container_oom_events_total{name=\"flap\"}", v -> v.isNaN());
    }

    // ---- helpers

    /** The value of {@code series} (exact labels subset, in the scrape's text) once {@code until} holds; NaN while absent. */
    private double awaitScraped(String series, Predicate<Double> until) throws Exception {
        String name = series.substring(0, series.indexOf('{'));
        List<String> wanted = List.of(series.substring(series.indexOf('{') + 1, series.length() - 1).split(","));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        double v = Double.NaN;
        while (System.nanoTime() < deadline) {
            v = Double.NaN;
            for (String line : get("http://127.0.0.1:" + berth.metricsPort() + "/metrics").body().split("\n")) {
                if (line.startsWith(name + "{") && wanted.stream().allMatch(line::contains)) {
                    v = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            if (until.test(v)) {
                return v;
            }
            Thread.sleep(200);
        }
        fail(series + " stayed at " + v);
        return v;
    }

    private JsonObject awaitQuery(String promql, Predicate<JsonArray> until) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
        JsonArray r = new JsonArray();
        while (System.nanoTime() < deadline) {
            r = query(promql);
            if (until.test(r)) {
                return r.getJsonObject(0);
            }
            Thread.sleep(250);
        }
        fail("Prometheus' answer to " + promql + " stayed " + r);
        return null;
    }

    private JsonArray query(String promql) throws Exception {
        HttpResponse<String> res = get("http://127.0.0.1:" + promPort + "/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        assertEquals(200, res.statusCode(), res.body());
        return new JsonObject(res.body()).getJsonObject("data").getJsonArray("result");
    }

    private static double value(JsonArray result) {
        return Double.parseDouble(result.getJsonObject(0).getJsonArray("value").getString(1));
    }

    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
