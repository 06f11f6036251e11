package io.berth.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code docker run -it} and {@code docker exec -it} with a real terminal: util-linux's {@code script}
 * gives the CLI a pty of a known size, so the resize the CLI sends can be checked inside.
 */
class InteractiveIT extends DaemonTest {

    /** Runs {@code command} in a 30x100 pty, typing {@code lines} one by one; returns exit code and output. */
    private Object[] inTerminal(String command, List<String> lines) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("script", "-qefc", "stty rows 30 cols 100; " + command, "/dev/null");
        pb.environment().put("DOCKER_HOST", berth.host());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return e.toString();
            }
        });
        try (OutputStream in = p.getOutputStream()) {
            Thread.sleep(2000);
            for (String line : lines) {
                in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                in.flush();
                Thread.sleep(700);
            }
        }
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("terminal session hung: " + out.getNow(""));
        }
        return new Object[] {p.exitValue(), out.get().replace("\r", "")};
    }

    @Test
    void interactiveTtyWithResize() throws Exception {
        Object[] r = inTerminal("docker run -it --rm busybox sh", List.of("stty size", "tty", "echo typed-$((6*7))", "exit 5"));
        String out = (String) r[1];
        assertTrue(out.contains("\n30 100\n"), "the container's terminal has the client's size:\n" + out);
        assertTrue(out.contains("/dev/pts/"), out);
        assertTrue(out.contains("typed-42"), out);
        assertEquals(5, r[0], out);
    }

    @Test
    void interactiveExec() throws Exception {
        assertEquals(0, docker.run("run", "-d", "--name", "shell", "busybox", "sleep", "600").exit());
        try {
            Object[] r = inTerminal("docker exec -it shell sh", List.of("stty size", "echo in-exec; exit 3"));
            String out = (String) r[1];
            assertTrue(out.contains("30 100"), out);
            assertTrue(out.contains("in-exec"), out);
            assertEquals(3, r[0], out);
        } finally {
            docker.run("rm", "-f", "shell");
        }
    }
}
