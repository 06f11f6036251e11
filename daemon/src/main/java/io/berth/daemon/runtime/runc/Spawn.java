package io.berth.daemon.runtime.runc;

import io.berth.errors.EngineException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;
import jnr.posix.SpawnFileAction;

/**
 * Starts conmon with {@code posix_spawnp} (jnr-posix), the way RUNTIME.md §5 tested: the pipes named
 * by {@code _OCI_*PIPE} land on fds 3, 4, 5…, every other fd the JVM holds is closed in the child,
 * stdin/stdout are {@code /dev/null} and stderr goes to a file the caller can quote on failure.
 *
 * <p>posix_spawn cannot change the working directory (jnr-posix has no {@code addchdir_np}), and
 * conmon drops an {@code oom} file into its cwd, so the child is {@code /bin/sh} doing
 * {@code cd DIR && exec conmon …}: the spawned PID stays conmon's. The JDK's process reaper only waits
 * for its own children, so {@link #awaitExit} reaping this PID does not race it.
 */
final class Spawn {
    private static final POSIX POSIX = POSIXFactory.getNativePOSIX();
    private static final String SHELL = "/bin/sh";
    /** $0 is the directory, "$@" the command: no quoting of paths or arguments needed. */
    private static final String CD_AND_EXEC = "cd \"$0\" && exec \"$@\"";
    /**
     * Inherited by systemd-activated daemons; runc would hand the listening sockets to containers, and
     * with NOTIFY_SOCKET {@code runc start} would wait for the container's own READY=1.
     */
    static final Set<String> DROPPED_ENV = Set.of("LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES", "NOTIFY_SOCKET");

    private Spawn() {}

    /**
     * Spawns {@code argv} in {@code cwd}.
     *
     * @param passFds the parent's fds to hand over as 3, 4, 5… in this order
     * @param env     extra {@code NAME=value} entries (the JVM's environment is passed on too)
     * @return the child's PID, to be reaped with {@link #awaitExit}
     */
    static long start(List<String> argv, Path cwd, Path stderrFile, int[] passFds, List<String> env) {
        List<SpawnFileAction> actions = new ArrayList<>();
        for (int fd : openFds()) {
            if (fd > 2 && !contains(passFds, fd)) {
                actions.add(SpawnFileAction.close(fd)); // the JVM leaks non-CLOEXEC fds (jars, pipes)
            }
        }
        actions.add(SpawnFileAction.open("/dev/null", 0, LibC.O_RDONLY, 0));
        actions.add(SpawnFileAction.open("/dev/null", 1, LibC.O_WRONLY, 0));
        actions.add(SpawnFileAction.open(stderrFile.toString(), 2, LibC.O_WRONLY | LibC.O_CREAT | LibC.O_TRUNC, 0600));
        for (int i = 0; i < passFds.length; i++) {
            actions.add(SpawnFileAction.dup(passFds[i], 3 + i)); // dup2 clears CLOEXEC on the copy
        }
        List<String> args = new ArrayList<>(List.of(SHELL, "-c", CD_AND_EXEC, cwd.toString()));
        args.addAll(argv);
        List<String> environment = new ArrayList<>(env);
        for (Map.Entry<String, String> e : System.getenv().entrySet()) {
            if (!DROPPED_ENV.contains(e.getKey()) && !e.getKey().startsWith("_OCI_")) {
                environment.add(e.getKey() + "=" + e.getValue());
            }
        }
        long pid = POSIX.posix_spawnp(SHELL, actions, args, environment);
        if (pid <= 0) {
            // posix_spawnp returns its error number, which jnr-posix drops: errno would be a stale value.
            throw EngineException.internal("posix_spawnp " + argv.get(0) + " failed", null);
        }
        return pid;
    }

    /** Waits for the spawned child and returns its exit status (128+n when killed by signal n). */
    static int awaitExit(long pid) {
        int[] status = new int[1];
        while (POSIX.waitpid(pid, status, 0) < 0) {
            if (POSIX.errno() != LibC.EINTR) {
                throw EngineException.internal("waitpid " + pid + " failed: errno " + POSIX.errno(), null);
            }
        }
        int s = status[0];
        return (s & 0x7f) == 0 ? (s >> 8) & 0xff : 128 + (s & 0x7f);
    }

    private static List<Integer> openFds() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.map(p -> Integer.parseInt(p.getFileName().toString())).toList();
        } catch (IOException e) {
            throw EngineException.internal("cannot list /proc/self/fd", e);
        }
    }

    private static boolean contains(int[] fds, int fd) {
        for (int f : fds) {
            if (f == fd) {
                return true;
            }
        }
        return false;
    }
}
