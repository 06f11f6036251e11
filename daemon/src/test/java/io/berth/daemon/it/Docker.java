package io.berth.daemon.it;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/** The stock {@code docker} CLI pointed at a test daemon. */
public final class Docker {

    /** What a command did: exit code, stdout and stderr. */
    public record Result(int exit, String out, String err) {
        public String trimmed() {
            return out.trim();
        }

        @Override
        public String toString() {
            return "exit " + exit + "\nstdout:\n" + out + "\nstderr:\n" + err;
        }
    }

    private final BerthProcess daemon;

    public Docker(BerthProcess daemon) {
        this.daemon = daemon;
    }

    private static final Executor READERS = r -> Thread.ofVirtual().start(r);

    public Result run(String... args) throws IOException, InterruptedException {
        return runWithInput(null, 120, args);
    }

    /** Runs the CLI with {@code input} on stdin (null for none) and a timeout in seconds. */
    public Result runWithInput(byte[] input, int timeoutSeconds, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("docker");
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("DOCKER_HOST", daemon.host());
        pb.environment().put("DOCKER_CONFIG", daemon.root().resolve("docker-config").toString());
        pb.environment().remove("DOCKER_API_VERSION");
        if (input == null) {
            pb.redirectInput(new File("/dev/null"));
        }
        Process p = pb.start();
        // Threads of their own: on 2 cores the common pool has one thread, which a caller's own
        // async docker call (an attach held open) may be holding.
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()), READERS);
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()), READERS);
        if (input != null) {
            try (var in = p.getOutputStream()) {
                in.write(input);
            }
        }
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("docker " + String.join(" ", args) + " timed out after " + timeoutSeconds + " s");
        }
        return new Result(p.exitValue(), new String(out.join(), StandardCharsets.UTF_8),
                new String(err.join(), StandardCharsets.UTF_8));
    }

    private static byte[] readAll(InputStream in) {
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }
}
