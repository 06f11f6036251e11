package io.berth.daemon.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import io.berth.daemon.container.RestartRule;
import io.berth.errors.EngineException;
import io.berth.events.ContainerSpec;
import io.berth.events.journal.Retention;
import io.berth.events.journal.SyncMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    private DaemonConfig load(String json, String... flags) throws Exception {
        Path file = dir.resolve("daemon.json");
        Files.writeString(file, json);
        String[] args = new String[flags.length + 2];
        args[0] = "--config-file";
        args[1] = file.toString();
        System.arraycopy(flags, 0, args, 2, flags.length);
        return ConfigLoader.load(args);
    }

    @Test
    void defaultsAreDockerLike() throws Exception {
        DaemonConfig c = load("{}");
        assertEquals(Path.of("/run/berth/berth.sock"), c.socketPath());
        assertEquals(Path.of("/var/lib/berth"), c.dataRoot());
        assertEquals(Path.of("/run/berth"), c.execRoot());
        assertEquals(Path.of("/run/berth/berthd.pid"), c.pidfile());
        assertTrue(c.liveRestore());
        assertEquals("info", c.logLevel());
        assertEquals(SyncMode.NONE, c.journalSync());
    }

    @Test
    void flagsUseDockerdNames() throws Exception {
        DaemonConfig c = load("{}", "-H", "unix:///tmp/x.sock", "--data-root", "/d", "--exec-root=/e", "--pidfile", "/p",
                "--live-restore=false", "--log-level", "debug", "--default-ulimit", "nofile=1024:2048",
                "--default-ulimit", "nproc=100", "--journal-sync", "fsync", "--metrics-addr", "127.0.0.1:9999");
        assertEquals(Path.of("/tmp/x.sock"), c.socketPath());
        assertEquals(Path.of("/d"), c.dataRoot());
        assertEquals(Path.of("/e"), c.execRoot());
        assertEquals(Path.of("/p"), c.pidfile());
        assertFalse(c.liveRestore());
        assertEquals("debug", c.logLevel());
        assertEquals(List.of(new ContainerSpec.Ulimit("nofile", 1024, 2048), new ContainerSpec.Ulimit("nproc", 100, 100)),
                c.defaultUlimits());
        assertEquals(SyncMode.FSYNC, c.journalSync());
        assertEquals("127.0.0.1:9999", c.metrics().addr());
    }

    @Test
    void daemonJsonUsesDockerKeys() throws Exception {
        DaemonConfig c = load("{\"data-root\":\"/srv/berth\",\"live-restore\":false,\"hosts\":[\"unix:///tmp/y.sock\"],"
                + "\"default-ulimits\":{\"nofile\":{\"Name\":\"nofile\",\"Hard\":4096,\"Soft\":1024}}}");
        assertEquals(Path.of("/srv/berth"), c.dataRoot());
        assertFalse(c.liveRestore());
        assertEquals(Path.of("/tmp/y.sock"), c.socketPath());
        assertEquals(List.of(new ContainerSpec.Ulimit("nofile", 1024, 4096)), c.defaultUlimits());
    }

    @Test
    void conflictsUnknownKeysAndBadValuesAreErrors() {
        EngineException both = assertThrows(EngineException.class, () -> load("{\"data-root\":\"/a\"}", "--data-root", "/b"));
        assertTrue(both.getMessage().contains("specified both as a flag and in the configuration file: data-root"));
        EngineException unknown = assertThrows(EngineException.class, () -> load("{\"storage-opts\":[]}"));
        assertTrue(unknown.getMessage().contains("don't match any configuration option: storage-opts"));
        assertThrows(EngineException.class, () -> load("{not json"));
        assertThrows(EngineException.class, () -> load("{}", "--bogus"));
        assertTrue(assertThrows(EngineException.class, () -> load("{}", "-H", "tcp://0.0.0.0:2375")).getMessage()
                .startsWith("refusing to listen on tcp://0.0.0.0:2375 without --tlsverify"));
        assertThrows(EngineException.class, () -> load("{}", "-H", "tcp://0.0.0.0:2375", "--tls"));
        assertThrows(EngineException.class, () -> load("{}", "-H", "tcp://0.0.0.0:port", "--tlsverify"));
        assertThrows(EngineException.class, () -> load("{}", "-H", "http://0.0.0.0:2375"));
        assertThrows(EngineException.class, () -> load("{}", "--log-level", "chatty"));
        assertThrows(EngineException.class, () -> ConfigLoader.parseUlimit("nofile=10:5"));
        assertThrows(EngineException.class, () -> ConfigLoader.load(new String[] {"--config-file", dir.resolve("none").toString()}));
    }

    @Test
    void tcpHostsTakeMutualTlsOrAnExplicitlyForcedPlainListener() throws Exception {
        DaemonConfig c = load("{}", "-H", "unix:///tmp/x.sock", "-H", "tcp://127.0.0.1:2376", "--tlsverify",
                "--tlscacert", "/c/ca.pem", "--tlscert", "/c/cert.pem", "--tlskey", "/c/key.pem");
        assertEquals(List.of("tcp://127.0.0.1:2376"), c.tcpHosts());
        assertEquals(new DaemonConfig.Tls(true, false, Path.of("/c/ca.pem"), Path.of("/c/cert.pem"), Path.of("/c/key.pem")),
                c.tls());
        DaemonConfig file = load("{\"hosts\":[\"tcp://0.0.0.0:2376\"],\"tlsverify\":true}");
        assertTrue(file.tls().verify());
        assertEquals(Path.of(System.getProperty("user.home"), ".docker", "ca.pem"), file.tls().ca(), "dockerd's default");
        assertTrue(load("{}", "-H", "tcp://127.0.0.1:2375", "--tls=false").tls().forcedPlain());
        assertEquals(2376, ConfigLoader.tcpAddress("tcp://10.0.0.1").getPort());
        assertEquals("::1", ConfigLoader.tcpAddress("tcp://[::1]:2376").getHostString());
    }

    @Test
    void eventsRetentionTakesAnAgeAndASize() throws Exception {
        assertTrue(load("{}").eventsRetention().unlimited(), "without the key the journal keeps everything");
        Retention r = load("{\"events-retention\":{\"max-age\":\"168h\",\"max-size\":\"1GB\"}}").eventsRetention();
        assertEquals(Duration.ofHours(168), r.maxAge());
        assertEquals(1_000_000_000L, r.maxBytes());
        assertEquals("max-age 168h, max-size 1GB", ConfigLoader.describe(r));
        Retention binary = load("{\"events-retention\":{\"max-size\":\"512MiB\"}}").eventsRetention();
        assertEquals(Duration.ZERO, binary.maxAge());
        assertEquals(512L << 20, binary.maxBytes());
        assertEquals("max-size 512MiB", ConfigLoader.describe(binary));
        assertEquals("max-age 1h30m", ConfigLoader.describe(load("{\"events-retention\":{\"max-age\":\"90m\"}}")
                .eventsRetention()));
        assertEquals(4096, load("{\"events-retention\":{\"max-size\":4096}}").eventsRetention().maxBytes());
        assertEquals("unlimited", ConfigLoader.describe(load("{\"events-retention\":{\"max-age\":\"0\"}}")
                .eventsRetention()));
    }

    @Test
    void badEventsRetentionIsRefusedAsDockerdRefusesSettings() {
        assertEquals("unable to configure the daemon: invalid events-retention max-age \"a week\": use a duration"
                + " such as 168h or 30m", assertThrows(EngineException.class,
                        () -> load("{\"events-retention\":{\"max-age\":\"a week\"}}")).getMessage());
        assertTrue(assertThrows(EngineException.class, () -> load("{\"events-retention\":{\"max-size\":\"lots\"}}"))
                .getMessage().contains("invalid events-retention max-size \"lots\""));
        assertTrue(assertThrows(EngineException.class, () -> load("{\"events-retention\":{\"max-files\":3}}"))
                .getMessage().contains("don't match any configuration option: events-retention.max-files"));
        assertTrue(assertThrows(EngineException.class, () -> load("{\"events-retention\":\"168h\"}"))
                .getMessage().contains("events-retention must be an object"));
        assertThrows(EngineException.class, () -> load("{\"events-retention\":{\"max-age\":\"-1h\"}}"));
    }

    @Test
    void restartBackoffIsDockersUnlessDaemonJsonSaysOtherwise() throws Exception {
        assertEquals(RestartRule.Backoff.DOCKER, load("{}").restartBackoff());
        var b = load("{\"restart-backoff\":{\"initial\":\"1s\",\"max\":\"5m\",\"reset-after\":\"2m\"}}")
                .restartBackoff();
        assertEquals(Duration.ofSeconds(1), b.initial());
        assertEquals(Duration.ofMinutes(5), b.max());
        assertEquals(Duration.ofMinutes(2), b.resetAfter());
        assertEquals(Duration.ofMinutes(1), load("{\"restart-backoff\":{\"initial\":\"250ms\"}}").restartBackoff().max(),
                "a key left out keeps Docker's value");
        assertTrue(assertThrows(EngineException.class, () -> load("{\"restart-backoff\":{\"initial\":\"soon\"}}"))
                .getMessage().contains("invalid restart-backoff initial \"soon\""));
        assertTrue(assertThrows(EngineException.class, () -> load("{\"restart-backoff\":{\"initial\":\"2m\"}}"))
                .getMessage().contains("initial must be at least 1ms and at most max"));
        assertTrue(assertThrows(EngineException.class, () -> load("{\"restart-backoff\":{\"factor\":3}}"))
                .getMessage().contains("restart-backoff.factor"));
    }

    @Test
    void policySettingsComeFromTheFlagAndDaemonJson() throws Exception {
        var d = load("{}").policies();
        assertEquals(Path.of("/etc/berth/policies"), d.dir());
        assertEquals("", d.defaultPolicy());
        assertEquals(Duration.ofMillis(50), d.callTimeout());
        var p = load("{\"default-policy\": \"backoff\", \"policy-timeout\": \"20ms\", \"policy-max-memory\": \"1GiB\"}",
                "--policy-dir", "/srv/p").policies();
        assertEquals(Path.of("/srv/p"), p.dir());
        assertEquals("backoff", p.defaultPolicy());
        assertEquals(Duration.ofMillis(20), p.callTimeout());
        assertEquals(1L << 30, p.maxMemory());
        assertTrue(assertThrows(EngineException.class, () -> load("{\"policy-timeout\": \"0s\"}")).getMessage()
                .contains("invalid policy-timeout"));
    }

    @Test
    void helpListsEveryFlag() {
        String usage = ConfigLoader.usage();
        for (ConfigLoader.Flag f : ConfigLoader.FLAGS) {
            assertTrue(usage.contains(f.longName()), f.longName());
        }
        assertTrue(ConfigLoader.wantsHelp(new String[] {"--help"}));
        assertTrue(ConfigLoader.wantsVersion(new String[] {"-v"}));
        assertFalse(ConfigLoader.wantsVersion(new String[] {"--log-level", "info"}));
    }
}
