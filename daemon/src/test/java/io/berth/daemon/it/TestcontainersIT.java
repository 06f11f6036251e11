package io.berth.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Testcontainers (Java) against berthd: {@link TestcontainersProbe} starts a GenericContainer with an
 * exposed port, waits for it to listen and reads from its mapped port; Ryuk and the start-up checks
 * are off, as the brief of this engine's clients asks. Its stop removes the container.
 */
class TestcontainersIT extends DaemonTest {

    @Test
    void aGenericContainerWithAnExposedPortStartsAndAnswers() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                TestcontainersProbe.class.getName()));
        pb.environment().put("DOCKER_HOST", berth.host());
        pb.environment().put("TESTCONTAINERS_RYUK_DISABLED", "true");
        pb.environment().put("TESTCONTAINERS_CHECKS_DISABLE", "true");
        pb.environment().put("TESTCONTAINERS_HOST_OVERRIDE", "127.0.0.1");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return e.toString();
            }
        });
        boolean ended = p.waitFor(180, TimeUnit.SECONDS);
        if (!ended) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String text = out.get(10, TimeUnit.SECONDS);
        assertTrue(ended, "the probe did not finish:\n" + text);
        assertEquals(0, p.exitValue(), text + "\n" + berth.logText());
        String line = text.lines().filter(l -> l.startsWith("PROBE ")).findFirst().orElse("");
        assertTrue(line.endsWith("answer=tc-ok"), "the mapped port answered:\n" + text);
        String id = line.replaceAll(".* id=(\\S+) .*", "$1");
        assertTrue(!ok("ps", "-aq", "--no-trunc").out().contains(id), "its stop removed the container");
    }
}
