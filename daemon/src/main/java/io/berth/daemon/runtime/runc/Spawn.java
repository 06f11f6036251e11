package io.berth.daemon.runtime.runc;

import io.berth.errors.EngineException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.byref.IntByReference;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/**
 * Starts conmon with {@code posix_spawnp} (glibc, through {@link PosixSpawn}), the way RUNTIME.md §5
 * tested: the pipes named by {@code _OCI_*PIPE} land on fds 3, 4, 5…, every other fd the JVM holds is
 * closed in the child, stdin/stdout are {@code /dev/null} and stderr goes to a file the caller can
 * quote on failure. The child starts in its working directory (conmon drops an {@code oom} file
 * there) with no signal blocked and every signal at its default.
 *
 * <p>The other fds are closed with a closefrom action rather than one close per fd listed beforehand:
 * the JDK opens files and sockets without O_CLOEXEC, and one another thread opened between the listing
 * and the spawn would stay open in conmon (a runc command's output pipe held open that way never
 * reaches EOF). The JDK's process reaper only waits for its own children, so {@link #awaitExit}
 * reaping this PID does not race it.
 */
final class Spawn {
    private static final POSIX POSIX = POSIXFactory.getNativePOSIX();
    private static final PosixSpawn LIBC = PosixSpawn.INSTANCE;
    /**
     * Inherited by systemd-activated daemons; runc would hand the listening sockets to containers, and
     * with NOTIFY_SOCKET {@code runc start} would wait for the container's own READY=1.
     */
    static final Set<String> DROPPED_ENV = Set.of("LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES", "NOTIFY_SOCKET");

    private Spawn() {}

    /**
     * Spawns {@code argv} (the program is looked up in PATH) in {@code cwd}.
     *
     * @param passFds the parent's fds to hand over as 3, 4, 5… in this order; each must be above
     *                {@code 2 + passFds.length}, so no copy lands on a source not yet copied
     * @param env     extra {@code NAME=value} entries (the JVM's environment is passed on too)
     * @return the child's PID, to be reaped with {@link #awaitExit}
     */
    static long start(List<String> argv, Path cwd, Path stderrFile, int[] passFds, List<String> env) {
        jnr.ffi.Runtime runtime = jnr.ffi.Runtime.getRuntime(LIBC);
        Pointer actions = Memory.allocateDirect(runtime, PosixSpawn.FILE_ACTIONS_SIZE);
        Pointer attr = Memory.allocateDirect(runtime, PosixSpawn.ATTR_SIZE);
        check(LIBC.posix_spawn_file_actions_init(actions), "posix_spawn_file_actions_init");
        try {
            check(LIBC.posix_spawnattr_init(attr), "posix_spawnattr_init");
            try {
                fileActions(actions, cwd, stderrFile, passFds);
                signals(runtime, attr);
                IntByReference pid = new IntByReference();
                int error = LIBC.posix_spawnp(pid, argv.getFirst(), actions, attr,
                        argv.toArray(String[]::new), environment(env));
                check(error, "posix_spawnp " + argv.getFirst());
                return pid.intValue();
            } finally {
                LIBC.posix_spawnattr_destroy(attr);
            }
        } finally {
            LIBC.posix_spawn_file_actions_destroy(actions);
        }
    }

    private static void fileActions(Pointer actions, Path cwd, Path stderrFile, int[] passFds) {
        check(LIBC.posix_spawn_file_actions_addchdir_np(actions, cwd.toString()), "addchdir " + cwd);
        check(LIBC.posix_spawn_file_actions_addopen(actions, 0, "/dev/null", LibC.O_RDONLY, 0), "addopen");
        check(LIBC.posix_spawn_file_actions_addopen(actions, 1, "/dev/null", LibC.O_WRONLY, 0), "addopen");
        check(LIBC.posix_spawn_file_actions_addopen(actions, 2, stderrFile.toString(),
                LibC.O_WRONLY | LibC.O_CREAT | LibC.O_TRUNC, 0600), "addopen " + stderrFile);
        for (int i = 0; i < passFds.length; i++) {
            if (passFds[i] <= 2 + passFds.length) {
                throw new IllegalArgumentException("fd " + passFds[i] + " would be overwritten before it is passed");
            }
            // dup2 leaves the copy without CLOEXEC, so it survives the exec; the original does not.
            check(LIBC.posix_spawn_file_actions_adddup2(actions, passFds[i], 3 + i), "adddup2");
        }
        check(LIBC.posix_spawn_file_actions_addclosefrom_np(actions, 3 + passFds.length), "addclosefrom");
    }

    /**
     * A JVM thread blocks some signals, and conmon, runc and the container would inherit the mask.
     * The default set is every bit rather than sigfillset's: that leaves out glibc's two internal
     * signals (32, 33), which the spawn child would then keep ignored across the exec.
     */
    private static void signals(jnr.ffi.Runtime runtime, Pointer attr) {
        Pointer none = Memory.allocateDirect(runtime, PosixSpawn.SIGSET_SIZE);
        Pointer all = Memory.allocateDirect(runtime, PosixSpawn.SIGSET_SIZE);
        LIBC.sigemptyset(none);
        all.setMemory(0, PosixSpawn.SIGSET_SIZE, (byte) 0xff);
        check(LIBC.posix_spawnattr_setsigmask(attr, none), "setsigmask");
        check(LIBC.posix_spawnattr_setsigdefault(attr, all), "setsigdefault");
        check(LIBC.posix_spawnattr_setflags(attr, (short) (PosixSpawn.SETSIGMASK | PosixSpawn.SETSIGDEF)), "setflags");
    }

    private static String[] environment(List<String> env) {
        List<String> environment = new ArrayList<>(env);
        for (Map.Entry<String, String> e : System.getenv().entrySet()) {
            if (!DROPPED_ENV.contains(e.getKey()) && !e.getKey().startsWith("_OCI_")) {
                environment.add(e.getKey() + "=" + e.getValue());
            }
        }
        return environment.toArray(String[]::new);
    }

    private static void check(int error, String what) {
        if (error != 0) {
            throw EngineException.internal(what + " failed: " + LibC.INSTANCE.strerror(error) + " (errno " + error + ")", null);
        }
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
}
