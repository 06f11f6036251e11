package io.berth.rpm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The installed {@code /usr/bin/berthd}, run from an unpacked RPM: which JDK it picks (fake JDKs
 * whose {@code java} prints its arguments), the JVM flags and class path it passes, and a real start
 * of {@code --version} on this JVM.
 */
class LauncherTest {

    @TempDir
    Path dir;
    Path root;
    Path jvms;

    @BeforeEach
    void unpack() throws Exception {
        root = Rpm.extract(Files.createDirectories(dir.resolve("root")));
        jvms = Files.createDirectories(dir.resolve("jvm"));
    }

    /** A JDK whose java prints "NAME ARGS..." and that says it is version {@code feature}. */
    private Path fakeJdk(Path parent, String name, int feature) throws Exception {
        Path home = parent.resolve(name);
        Path java = Files.createDirectories(home.resolve("bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\necho " + name + " \"$@\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(home.resolve("release"), "JAVA_VERSION=\"" + feature + ".0.5\"\n");
        return home;
    }

    /** Runs the installed launcher with a clean environment: only PATH and what {@code env} adds. */
    private Rpm.Result berthd(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(root.resolve("usr/bin/berthd").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/bin:/bin");
        pb.environment().put("BERTH_JVM_DIR", jvms.toString());
        pb.environment().putAll(env);
        return Rpm.run(pb);
    }

    @Test
    void javaHomeComesFirstWhenItIs21OrNewer() throws Exception {
        fakeJdk(jvms, "jdk-25", 25);
        Path home = fakeJdk(dir, "jdk-21", 21);
        Rpm.Result r = berthd(Map.of("JAVA_HOME", home.toString()), "--version");
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().startsWith("jdk-21 "), r.out());
        assertEquals(jvmFlags(false), flags(r.out()));
    }

    @Test
    void anOlderJavaHomeIsPassedOverForTheNewestUnderTheJvmDirectory() throws Exception {
        Path old = fakeJdk(dir, "jdk-17", 17);
        fakeJdk(jvms, "java-17-openjdk", 17);
        fakeJdk(jvms, "jre-21", 21);
        fakeJdk(jvms, "temurin-25", 25);
        Rpm.Result r = berthd(Map.of("JAVA_HOME", old.toString()), "--version");
        assertTrue(r.out().startsWith("temurin-25 "), r.out());
        List<String> flags = flags(r.out());
        assertEquals(jvmFlags(true), System.getProperty("berth.jvm.modern", "").isBlank()
                ? flags.subList(0, jvmFlags(false).size()) : flags);
    }

    @Test
    void javaOnPathIsTheLastResort() throws Exception {
        fakeJdk(jvms, "java-17-openjdk", 17);
        Path home = fakeJdk(dir, "jdk-21", 21);
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.createSymbolicLink(bin.resolve("java"), home.resolve("bin/java"));
        Rpm.Result r = berthd(Map.of("PATH", bin + ":/usr/bin:/bin"), "--version");
        assertTrue(r.out().startsWith("jdk-21 "), r.out());
    }

    @Test
    void withoutAJdk21ItSaysSo() throws Exception {
        fakeJdk(jvms, "java-17-openjdk", 17);
        Rpm.Result r = berthd(Map.of(), "--version");
        assertEquals(1, r.exit(), r.out());
        assertTrue(r.out().contains("no JDK 21 or newer found"), r.out());
    }

    @Test
    void theClassPathIsTheInstalledJarsInOrder() throws Exception {
        fakeJdk(jvms, "jdk-21", 21);
        List<String> args = Arrays.asList(berthd(Map.of(), "--version").out().strip().split(" "));
        String cp = args.get(args.indexOf("-cp") + 1);
        List<String> expected = Rpm.classpath().stream()
                .map(j -> root.resolve("usr/lib/berth/lib").resolve(Path.of(j).getFileName()).toString()).toList();
        assertEquals(expected, List.of(cp.split(":")));
        assertEquals(List.of("io.berth.daemon.Main", "--version"), args.subList(args.size() - 2, args.size()));
    }

    @Test
    void itRunsTheDaemonOnThisJdk() throws Exception {
        Rpm.Result r = berthd(Map.of("JAVA_HOME", System.getProperty("java.home")), "--version");
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().strip().matches("berthd version [0-9.]+"), r.out());
    }

    /**
     * The flags Chronicle, Netty and jnr need, as the parent pom gives them to the tests' JVMs: its
     * jdk24 profile's on top for a JDK 24 or newer (when this build runs on one: else unknown here).
     */
    private static List<String> jvmFlags(boolean jdk24) {
        List<String> flags = new ArrayList<>(List.of(System.getProperty("berth.jvm.opens").split("\\s+")));
        String modern = System.getProperty("berth.jvm.modern", "").strip();
        if (jdk24 && !modern.isEmpty()) {
            flags.addAll(List.of(modern.split("\\s+")));
        }
        return flags;
    }

    /** The printed arguments that are --add-exports/--add-opens, --enable-native-access or --sun-misc flags. */
    private static List<String> flags(String out) {
        return Arrays.stream(out.strip().split(" "))
                .filter(a -> a.startsWith("--add-") || a.startsWith("--enable-native") || a.startsWith("--sun-misc"))
                .toList();
    }
}
