package io.berth.rpm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.daemon.config.ConfigLoader;
import io.berth.daemon.config.DaemonConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the RPM holds, requires and runs at install time, against the lists in the test resources. */
class RpmContentsTest {

    private static final String LIB = "/usr/lib/berth/lib/";

    private static List<String> query(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("rpm", "-qp"));
        cmd.addAll(List.of(args));
        cmd.add(Rpm.built().toString());
        Rpm.Result r = Rpm.run(Map.of(), cmd.toArray(String[]::new));
        assertEquals(0, r.exit(), r.out());
        return r.lines().stream().filter(l -> !l.isBlank()).toList();
    }

    @Test
    void isNamedAsRpmWantsIt() throws Exception {
        String version = System.getProperty("berth.version").replace('-', '~');
        assertEquals("berth-" + version + "-1.x86_64.rpm", Rpm.built().getFileName().toString());
        assertEquals(List.of("berth " + version + " 1 x86_64"), query("--qf", "%{NAME} %{VERSION} %{RELEASE} %{ARCH}\\n"));
    }

    @Test
    void filesAreTheListedOnesAndTheDaemonsWholeClassPath() throws Exception {
        List<String> expected = new ArrayList<>(Rpm.expected("expected-files.txt"));
        for (String jar : Rpm.classpath()) {
            expected.add(LIB + Path.of(jar).getFileName());
        }
        assertEquals(new TreeSet<>(expected).stream().toList(), new TreeSet<>(query("-l")).stream().toList());
    }

    @Test
    void theLaunchersClassPathIsMavensInItsOrder(@TempDir Path dir) throws Exception {
        Path root = Rpm.extract(dir);
        List<String> names = Rpm.classpath().stream().map(j -> "lib/" + Path.of(j).getFileName()).toList();
        assertEquals(String.join(":", names), Files.readString(root.resolve("usr/lib/berth/classpath")).strip());
        assertTrue(names.getFirst().startsWith("lib/berth-daemon-"), names.getFirst());
    }

    @Test
    void requiresAreTheListedOnes() throws Exception {
        assertEquals(Rpm.expected("expected-requires.txt"), query("--requires"));
    }

    @Test
    void scriptletsAreTheListedOnes() throws Exception {
        assertEquals(Rpm.expected("expected-scripts.txt"), query("--scripts"));
    }

    @Test
    void configurationIsKeptOnUpgrade() throws Exception {
        List<String> config = query("--qf", "[%{FILEFLAGS:fflags} %{FILENAMES}\\n]").stream()
                .filter(l -> l.startsWith("c")).toList();
        assertEquals(List.of("cn /etc/berth/daemon.json", "cn /etc/berth/policies/backoff-jitter.js",
                "cn /etc/berth/policies/flapping.js", "cn /etc/berth/policies/maintenance-window.js",
                "cn /etc/berth/policies/oom-grow.js"), config);
    }

    @Test
    void theInstalledDaemonJsonIsValidAndPointsAtTheServiceDirectories(@TempDir Path dir) throws Exception {
        Path root = Rpm.extract(dir);
        DaemonConfig c = ConfigLoader.load(new String[] {"--config-file",
                root.resolve("etc/berth/daemon.json").toString()});
        assertEquals(Path.of("/run/berth/berth.sock"), c.socketPath());
        assertEquals(Path.of("/var/lib/berth"), c.dataRoot());
        assertEquals(Path.of("/run/berth"), c.execRoot());
        assertEquals(Path.of("/etc/berth/policies"), c.policies().dir());
        assertEquals("d /run/berth 0711 root root -", Files.readAllLines(root.resolve("usr/lib/tmpfiles.d/berth.conf"))
                .stream().filter(l -> !l.startsWith("#")).findFirst().orElseThrow());
    }

    @Test
    void theManPageNamesEveryOptionAndKey(@TempDir Path dir) throws Exception {
        Path page = Rpm.extract(dir).resolve("usr/share/man/man8/berthd.8");
        String text = Files.readString(page).replace("\\-", "-").replaceAll("\\\\f[BIR]", "");
        List<String> missing = new ArrayList<>();
        for (ConfigLoader.Flag f : ConfigLoader.FLAGS) {
            for (String name : new String[] {f.longName(), f.shortName(), f.key()}) {
                if (name != null && !text.contains(name)) {
                    missing.add(name);
                }
            }
        }
        for (String key : ConfigLoader.keys()) {
            if (!text.contains(key)) {
                missing.add(key);
            }
        }
        assertEquals(List.of(), missing, "missing from berthd.8");
    }
}
