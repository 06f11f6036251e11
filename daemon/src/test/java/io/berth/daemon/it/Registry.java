package io.berth.daemon.it;

import static org.junit.jupiter.api.Assertions.fail;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real registry for the tests: Debian's {@code docker-registry} on a free loopback port with its
 * storage in a directory of the test, optionally with htpasswd basic auth or bearer tokens. Ends the process it started.
 */
final class Registry implements AutoCloseable {
    private final Process process;
    private final Path dir;
    final int port;

    private Registry(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    /** {@code 127.0.0.1:PORT}, the domain of references to it. */
    String host() {
        return "127.0.0.1:" + port;
    }

    static Registry start(Path dir) throws Exception {
        return start(dir, null, null);
    }

    /** With {@code user}/{@code password} required by basic auth, when not null. */
    static Registry start(Path dir, String user, String password) throws Exception {
        Files.createDirectories(dir);
        String auth = "";
        if (user != null) {
            Process h = new ProcessBuilder("htpasswd", "-Bbc", dir.resolve("htpasswd").toString(), user, password)
                    .redirectErrorStream(true).start();
            if (h.waitFor() != 0) {
                fail("htpasswd failed: " + new String(h.getInputStream().readAllBytes()));
            }
            auth = "auth:\n  htpasswd:\n    realm: berth-test\n    path: " + dir.resolve("htpasswd") + "\n";
        }
        return start(dir, auth);
    }

    /** With bearer tokens from {@code tokens} required, which the registry checks against its certificate. */
    static Registry start(Path dir, TokenServer tokens) throws Exception {
        return start(dir, "auth:\n  token:\n    realm: " + tokens.realm() + "\n    service: " + TokenServer.SERVICE
                + "\n    issuer: " + TokenServer.ISSUER + "\n    rootcertbundle: " + tokens.certificate + "\n");
    }

    private static Registry start(Path dir, String auth) throws Exception {
        Files.createDirectories(dir);
        int port = freePort();
        Files.writeString(dir.resolve("config.yml"), "version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n"
                + "    rootdirectory: " + dir.resolve("data") + "\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:"
                + port + "\n" + auth);
        Process p = new ProcessBuilder("docker-registry", "serve", dir.resolve("config.yml").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
        Registry r = new Registry(p, dir, port);
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                fail("docker-registry exited: " + r.log());
            }
            try {
                int status = http.send(HttpRequest.newBuilder(URI.create("http://" + r.host() + "/v2/")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status == 200 || status == 401) {
                    return r;
                }
            } catch (IOException notYet) {
                // Still starting.
            }
            Thread.sleep(100);
        }
        r.close();
        fail("docker-registry not ready in 20 s: " + r.log());
        return r;
    }

    String log() {
        try {
            return Files.readString(dir.resolve("registry.log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
