package io.berth.daemon.it;

import static org.junit.jupiter.api.Assertions.fail;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real berthd started by {@code bin/berthd} for an integration test, on its own socket, data root
 * and exec root under a fresh temporary directory. Stopping it ends only the process it started (by
 * PID) and cleans up what the test's containers left: their mounts and cgroups.
 */
public final class BerthProcess implements AutoCloseable {

    private final Path root;
    private final Path launcher;
    private final Map<String, String> env;
    private final List<String> extraArgs;
    private Process process;

    private BerthProcess(Path root, Path launcher, Map<String, String> env, List<String> extraArgs) {
        this.root = root;
        this.launcher = launcher;
        this.env = Map.copyOf(env);
        this.extraArgs = List.copyOf(extraArgs);
    }

    /** Starts a daemon in a new temporary directory and waits until it answers {@code /_ping}. */
    public static BerthProcess start(String... extraArgs) throws Exception {
        return startWith("{}\n", extraArgs);
    }

    /** Like {@link #start}, with {@code daemonJson} as the daemon's configuration file. */
    public static BerthProcess startWith(String daemonJson, String... extraArgs) throws Exception {
        return startWith(repoRoot().resolve("bin/berthd"), Map.of(), daemonJson, extraArgs);
    }

    /** Like {@link #startWith}, run by {@code launcher} (an installed berthd) with {@code env} added. */
    public static BerthProcess startWith(Path launcher, Map<String, String> env, String daemonJson,
                                         String... extraArgs) throws Exception {
        requireRoot();
        HostCleanup.beforeFirstDaemon();
        // Short: the shims' attach socket paths must fit in 108 bytes.
        Path root = Files.createTempDirectory(Path.of("/tmp"), "bt");
        // Passable, not listable: a remapped container root must walk down to its root file system.
        Files.setPosixFilePermissions(root, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        Files.writeString(root.resolve("daemon.json"), daemonJson);
        BerthProcess b = new BerthProcess(root, launcher, env, List.of(extraArgs));
        b.launch();
        return b;
    }

    /** Runs {@code bin/berthd journal ARGS... --data-root <this daemon's>} without building. */
    public Docker.Result journal(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(repoRoot().resolve("bin/berthd").toString(), "journal"));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--data-root", dataRoot().toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(new File("/dev/null"));
        pb.environment().put("BERTH_SKIP_BUILD", "1");
        Process p = pb.start();
        CompletableFuture<String> out =
                CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        CompletableFuture<String> err =
                CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("berthd journal " + String.join(" ", args) + " timed out");
        }
        return new Docker.Result(p.exitValue(), out.join(), err.join());
    }

    private static String read(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    static void requireRoot() {
        if (!"root".equals(System.getProperty("user.name"))) {
            fail("integration tests run real containers and need root (CI runs them as root)");
        }
    }

    public Path root() {
        return root;
    }

    public Path socket() {
        return root.resolve("berth.sock");
    }

    public Path dataRoot() {
        return root.resolve("data");
    }

    public Path execRoot() {
        return root.resolve("exec");
    }

    public Path log() {
        return root.resolve("berthd.log");
    }

    public String host() {
        return "unix://" + socket();
    }

    public long pid() {
        return process.pid();
    }

    /** Starts the daemon again on the same directories (after {@link #stop} or {@link #kill}). */
    public void launch() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(launcher.toString(),
                "-H", host(), "--data-root", dataRoot().toString(), "--exec-root", execRoot().toString(),
                "--pidfile", root.resolve("berthd.pid").toString(), "--config-file", root.resolve("daemon.json").toString()));
        if (!Files.exists(root.resolve("daemon.json"))) {
            Files.writeString(root.resolve("daemon.json"), "{}\n");
        }
        cmd.addAll(extraArgs);
        if (!extraArgs.contains("--metrics-addr") && !Files.readString(root.resolve("daemon.json")).contains("metrics-addr")) {
            // Any free port: a host's own daemon, or another test's, may hold the default 9323.
            cmd.addAll(List.of("--metrics-addr", "127.0.0.1:0"));
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
        pb.environment().put("BERTH_SKIP_BUILD", "1");
        pb.environment().putAll(env);
        process = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                fail("berthd exited with " + process.exitValue() + ":\n" + Files.readString(log()));
            }
            if (ping()) {
                return;
            }
            Thread.sleep(50);
        }
        fail("berthd did not answer /_ping within 60 s:\n" + Files.readString(log()));
    }

    /**
     * The port the metrics endpoint of the daemon's latest start listens on, from its log line
     * {@code metrics listening on http://HOST:PORT/metrics}; -1 when it serves none.
     */
    public int metricsPort() {
        Matcher m = Pattern.compile("metrics listening on http://[^ ]*:(\\d+)/metrics")
                .matcher(logText());
        int port = -1;
        while (m.find()) {
            port = Integer.parseInt(m.group(1));
        }
        return port;
    }

    /** True when the API answers {@code GET /_ping} with OK. */
    public boolean ping() {
        if (!Files.exists(socket())) {
            return false;
        }
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket()));
            ch.write(ByteBuffer.wrap("GET /_ping HTTP/1.1\r\nHost: berth\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer buf = ByteBuffer.allocate(4096);
            StringBuilder sb = new StringBuilder();
            while (ch.read(buf) > 0) {
                buf.flip();
                sb.append(StandardCharsets.US_ASCII.decode(buf));
                buf.clear();
            }
            return sb.toString().startsWith("HTTP/1.1 200") && sb.toString().endsWith("OK");
        } catch (IOException e) {
            return false;
        }
    }

    /** Stops the daemon with SIGTERM, as systemd would, and waits for it. */
    public void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Kills the daemon with SIGKILL: a crash. Its containers keep running under their shims. */
    public void kill() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    public String logText() {
        try {
            return Files.readString(log());
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /**
     * Removes every container through the API, stops the daemon, then removes what may be left of
     * this daemon's containers on the host: shims and container processes (found by their runc root),
     * overlay mounts under the data root, and cgroups of container ids this daemon created.
     */
    @Override
    public void close() throws Exception {
        try {
            if (process != null && process.isAlive()) {
                Docker d = new Docker(this);
                Docker.Result ids = d.run("ps", "-aq", "--no-trunc");
                for (String id : ids.out().split("\\s+")) {
                    if (!id.isBlank()) {
                        d.run("rm", "-f", id);
                    }
                }
                // User-defined networks own host bridges: they go with the daemon's test.
                d.run("network", "prune", "-f");
            }
        } finally {
            stop();
            HostCleanup.afterDaemon(this);
        }
    }

    static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("bin/berthd"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("cannot find the repository root from " + Path.of("").toAbsolutePath());
        }
        return p;
    }
}
