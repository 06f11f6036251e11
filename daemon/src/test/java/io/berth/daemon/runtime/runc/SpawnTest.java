package io.berth.daemon.runtime.runc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import io.berth.errors.EngineException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a process spawned for conmon starts with: its fds, directory, environment and signal state. */
public class SpawnTest {
    @TempDir Path dir;

    private static final String REPORT = """
            exec 1>&2
            pwd
            if [ -e /proc/$$/fd/$STRAY ]; then echo "stray fd open"; else echo "stray fd closed"; fi
            readlink /proc/$$/fd/3
            # grep's own mask and dispositions are the shell's: dash blocks signals while it forks.
            grep -E '^Sig(Blk|Ign):' /proc/self/status
            echo "X=$X"
            printf passed >&3
            """;

    @Test
    void childGetsOnlyItsPipeItsDirectoryAndDefaultSignals() throws Exception {
        Path err = dir.resolve("err");
        int[] pipe = Fds.pipe();
        // A stray fd without O_CLOEXEC, as the JDK opens files: it must not reach the child.
        int stray = LibC.INSTANCE.open("/dev/null", LibC.O_RDONLY, 0);
        assertTrue(stray > 2);
        try {
            long pid = Spawn.start(List.of("sh", "-c", REPORT), dir, err, new int[] {pipe[1]}, List.of("X=1", "STRAY=" + stray));
            Fds.close(pipe[1]);
            pipe[1] = -1;
            assertEquals(0, Spawn.awaitExit(pid));
            byte[] buf = new byte[64];
            long n = LibC.INSTANCE.read(pipe[0], buf, buf.length);
            assertEquals("passed", new String(buf, 0, (int) n, UTF_8));

            List<String> lines = Files.readAllLines(err);
            assertEquals(dir.toRealPath().toString(), lines.get(0));
            assertEquals("stray fd closed", lines.get(1));
            assertTrue(lines.get(2).startsWith("pipe:"), lines.get(2));
            assertEquals(List.of("SigBlk:\t0000000000000000", "SigIgn:\t0000000000000000"), lines.subList(3, 5));
            assertEquals("X=1", lines.get(5));
        } finally {
            Fds.close(stray);
            Fds.close(pipe[0]);
            Fds.close(pipe[1]);
        }
    }

    @Test
    void exitStatusAndSignalDeath() {
        Path err = dir.resolve("err");
        assertEquals(3, Spawn.awaitExit(Spawn.start(List.of("sh", "-c", "exit 3"), dir, err, new int[0], List.of())));
        assertEquals(128 + 9, Spawn.awaitExit(Spawn.start(List.of("sh", "-c", "kill -9 $$"), dir, err, new int[0], List.of())));
    }

    @Test
    void failuresNameTheRealError() {
        Path err = dir.resolve("err");
        EngineException missing = assertThrows(EngineException.class,
                () -> Spawn.start(List.of("no-such-program-berth"), dir, err, new int[0], List.of()));
        assertEquals("posix_spawnp no-such-program-berth failed: No such file or directory (errno 2)", missing.getMessage());
        EngineException noDir = assertThrows(EngineException.class,
                () -> Spawn.start(List.of("true"), dir.resolve("gone"), err, new int[0], List.of()));
        assertEquals("posix_spawnp true failed: No such file or directory (errno 2)", noDir.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Spawn.start(List.of("true"), dir, err, new int[] {3}, List.of()));
    }
}
