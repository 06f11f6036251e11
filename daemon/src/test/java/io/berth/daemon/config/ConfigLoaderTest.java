package io.berth.daemon.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.errors.EngineException;
import io.berth.events.ContainerSpec;
import io.berth.events.journal.SyncMode;
import java.nio.file.Files;
import java.nio.file.Path;
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
        assertEquals("127.0.0.1:9999", c.metricsAddr());
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
        assertThrows(EngineException.class, () -> load("{}", "-H", "tcp://0.0.0.0:2375"));
        assertThrows(EngineException.class, () -> load("{}", "--log-level", "chatty"));
        assertThrows(EngineException.class, () -> ConfigLoader.parseUlimit("nofile=10:5"));
        assertThrows(EngineException.class, () -> ConfigLoader.load(new String[] {"--config-file", dir.resolve("none").toString()}));
    }

    @Test
    void helpListsEveryFlag() {
        String usage = ConfigLoader.usage();
        for (ConfigLoader.Flag f : ConfigLoader.FLAGS) {
            assertTrue(usage.contains(f.longName()), f.longName());
        }
        assertTrue(ConfigLoader.wantsHelp(new String[] {"--help"}));
    }
}
