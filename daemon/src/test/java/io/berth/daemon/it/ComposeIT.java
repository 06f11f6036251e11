package io.berth.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Debian's docker-compose 1.29 brings up a two-service project with a network and a named volume:
 * the client reaches the server by its service name, the volume keeps what the server wrote, and
 * {@code down -v} takes the project's containers, network and volume away.
 */
class ComposeIT extends DaemonTest {

    private Docker.Result compose(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("docker-compose", "-p", "berthit",
                "-f", dir.resolve("docker-compose.yml").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().put("DOCKER_HOST", berth.host());
        pb.environment().put("COMPOSE_INTERACTIVE_NO_CLI", "1");
        Process p = pb.start();
        p.getOutputStream().close();
        var out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        var err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return new Docker.Result(p.exitValue(), out.get(), err.get());
    }

    private static String read(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    @Test
    void aTwoServiceProjectWithANetworkAndAVolume() throws Exception {
        Path dir = Files.createTempDirectory("berth-compose");
        Files.writeString(dir.resolve("docker-compose.yml"), """
                version: "3.7"
                services:
                  server:
                    image: busybox
                    command: ["sh", "-c", "echo stored > /data/mark; while true; do echo from-server | nc -l -p 7000; done"]
                    volumes: ["store:/data"]
                    networks: [back]
                  client:
                    image: busybox
                    command: ["sh", "-c", "for i in $$(seq 1 50); do nc server 7000 </dev/null > /tmp/got && [ -s /tmp/got ] && break; sleep 0.2; done; cat /tmp/got; sleep 600"]
                    depends_on: [server]
                    networks: [back]
                networks:
                  back: {}
                volumes:
                  store: {}
                """);
        try {
            Docker.Result up = compose(dir, "up", "-d");
            assertEquals(0, up.exit(), up + "\n" + berth.logText());
            String logs = "";
            for (int i = 0; i < 100 && !logs.contains("from-server"); i++) {
                Thread.sleep(200);
                logs = compose(dir, "logs", "--no-color", "client").out();
            }
            assertTrue(logs.contains("from-server"), "the client reached the server by its service name:\n" + logs
                    + "\n" + berth.logText());
            assertTrue(ok("network", "ls", "--format", "{{.Name}}").out().contains("berthit_back"));
            assertTrue(ok("volume", "ls", "--format", "{{.Name}}").out().contains("berthit_store"));
            String ps = compose(dir, "ps").out();
            assertTrue(ps.contains("berthit_server_1") && ps.contains("Up"), ps);
            assertEquals("stored", ok("run", "--rm", "-v", "berthit_store:/d", "busybox", "cat", "/d/mark").trimmed());
            Docker.Result down = compose(dir, "down", "-v", "-t", "1");
            assertEquals(0, down.exit(), down.toString());
            assertEquals("", ok("ps", "-aq").trimmed());
            assertTrue(!ok("network", "ls", "--format", "{{.Name}}").out().contains("berthit_back"));
            assertTrue(!ok("volume", "ls", "--format", "{{.Name}}").out().contains("berthit_store"));
        } finally {
            compose(dir, "down", "-v", "-t", "0");
            NetHost.run("rm", "-rf", dir.toString());
        }
    }
}
