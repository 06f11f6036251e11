package io.berth.daemon.runtime.runc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.daemon.runtime.CreateRequest;
import io.berth.daemon.runtime.ExecRequest;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConmonArgsTest {
    private static final Path CONMON = Path.of("/usr/bin/conmon");
    private static final Path RUNC = Path.of("/usr/sbin/runc");
    private static final Path ROOT = Path.of("/run/berth/runc");

    @Test
    void createCarriesEveryPathAndThePrivateRoot() {
        CreateRequest r = new CreateRequest("c1", "web", Path.of("/b/c1"), Path.of("/s/c1"), Path.of("/x"),
                Path.of("/l/c1.log"), false, false);
        assertEquals(List.of("/usr/bin/conmon", "--api-version", "1", "-c", "c1", "-u", "c1", "-r", "/usr/sbin/runc",
                "-b", "/b/c1", "--full-attach", "-n", "web", "-p", "/s/c1/pidfile", "-0", "/s/c1", "--exit-dir", "/x",
                "-l", "k8s-file:/l/c1.log", "--conmon-pidfile", "/s/c1/conmon.pid",
                "--runtime-arg", "--root=/run/berth/runc"), ConmonArgs.create(CONMON, RUNC, ROOT, r));
    }

    @Test
    void createAddsStdinAndTerminalFlagsAndSkipsAnEmptyName() {
        List<String> a = ConmonArgs.create(CONMON, RUNC, ROOT, new CreateRequest("c1", "", Path.of("/b"),
                Path.of("/s"), Path.of("/x"), Path.of("/l"), true, true));
        assertTrue(a.contains("-i"));
        assertTrue(a.contains("-t"));
        assertFalse(a.contains("-n"));
        assertEquals(List.of("--runtime-arg", "--root=/run/berth/runc"), a.subList(a.size() - 2, a.size()));
    }

    @Test
    void execUsesTheSessionDirectoryForBundleExitsAndLog() {
        ExecRequest r = new ExecRequest("c1", "e1", Path.of("/s/e1/process.json"), Path.of("/s/e1"), false, false, false);
        assertEquals(List.of("/usr/bin/conmon", "--api-version", "1", "-c", "c1", "-u", "e1", "-r", "/usr/sbin/runc",
                "-b", "/s/e1", "--full-attach", "-p", "/s/e1/pidfile", "--exit-dir", "/s/e1",
                "-l", "k8s-file:/s/e1/exec.log", "--conmon-pidfile", "/s/e1/conmon.pid",
                "-e", "--exec-process-spec", "/s/e1/process.json", "--runtime-arg", "--root=/run/berth/runc"),
                ConmonArgs.exec(CONMON, RUNC, ROOT, r));
    }

    @Test
    void execAttachStdinAndTerminal() {
        List<String> a = ConmonArgs.exec(CONMON, RUNC, ROOT,
                new ExecRequest("c1", "e1", Path.of("/p.json"), Path.of("/s"), true, true, true));
        assertEquals(1, Collections.frequency(a, "--exec-attach"));
        assertTrue(a.containsAll(List.of("-i", "-t")));
    }
}
