package io.berth.rpm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The berth RPM the tests check: the one {@code mvn -Prpm package} built, or, when there is none or
 * an input (a jar, a packaging file) is newer, one built now by the same script, so the default
 * {@code mvn verify} tests a fresh RPM too. Also runs the commands the tests inspect it with.
 */
final class Rpm {

    /** What a command did. */
    record Result(int exit, String out) {
        List<String> lines() {
            return out.lines().toList();
        }
    }

    private static Path built;

    private Rpm() {}

    /** This module's directory (Surefire and Failsafe run in it). */
    static Path module() {
        return Path.of("").toAbsolutePath();
    }

    /** The path of the RPM, built first if missing or stale. */
    static synchronized Path built() throws IOException, InterruptedException {
        if (built == null) {
            Path rpm = find();
            if (rpm == null || stale(rpm)) {
                Result r = run(Map.of(), module().resolve("src/main/rpm/build-rpm").toString(), module().toString(),
                        System.getProperty("berth.version"));
                assertEquals(0, r.exit(), "build-rpm:\n" + r.out());
                rpm = find();
            }
            built = rpm;
        }
        return built;
    }

    private static Path find() throws IOException {
        Path dir = module().resolve("target/rpm/RPMS/x86_64");
        if (!Files.isDirectory(dir)) {
            return null;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".rpm")).findFirst().orElse(null);
        }
    }

    private static boolean stale(Path rpm) throws IOException {
        FileTime made = Files.getLastModifiedTime(rpm);
        List<Path> inputs = new ArrayList<>();
        for (String jar : classpath()) {
            inputs.add(Path.of(jar));
        }
        Path repo = module().getParent();
        for (Path dir : List.of(module().resolve("src/main"), repo.resolve("scripting/policies"))) {
            try (Stream<Path> s = Files.walk(dir)) {
                s.filter(Files::isRegularFile).forEach(inputs::add);
            }
        }
        inputs.add(repo.resolve("bin/lib/java.sh"));
        inputs.add(repo.resolve("README.md"));
        for (Path p : inputs) {
            if (Files.getLastModifiedTime(p).compareTo(made) > 0) {
                return true;
            }
        }
        return false;
    }

    /** The daemon's runtime class path as Maven resolved it: the jars the RPM must ship, in order. */
    static List<String> classpath() throws IOException {
        return Arrays.asList(Files.readString(module().resolve("target/classpath.txt")).strip().split(File.pathSeparator));
    }

    /** Unpacks the RPM's files into {@code dir} (rpm2cpio, no root needed); returns {@code dir}. */
    static Path extract(Path dir) throws IOException, InterruptedException {
        Result r = run(Map.of(), "sh", "-c", "cd \"$1\" && rpm2cpio \"$2\" | cpio -idm --quiet", "sh", dir.toString(),
                built().toString());
        assertEquals(0, r.exit(), r.out());
        return dir;
    }

    /** Runs a command with {@code env} added, stdin from /dev/null; stdout and stderr together. */
    static Result run(Map<String, String> env, String... cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(new File("/dev/null"));
        pb.environment().putAll(env);
        return run(pb);
    }

    /** Runs a prepared command; stdout and stderr together. */
    static Result run(ProcessBuilder pb) throws IOException, InterruptedException {
        Process p = pb.redirectErrorStream(true).start();
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> {
            try {
                return p.getInputStream().readAllBytes();
            } catch (IOException e) {
                return new byte[0];
            }
        }, r -> Thread.ofVirtual().start(r));
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError(String.join(" ", pb.command()) + " timed out");
        }
        return new Result(p.exitValue(), new String(out.join(), StandardCharsets.UTF_8));
    }

    /** A test resource's lines, without blank and {@code #} lines. */
    static List<String> expected(String resource) throws IOException {
        try (var in = Rpm.class.getResourceAsStream("/" + resource)) {
            if (in == null) {
                throw new IOException("no test resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
        }
    }
}
