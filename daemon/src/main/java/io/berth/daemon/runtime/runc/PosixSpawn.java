package io.berth.daemon.runtime.runc;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.byref.IntByReference;

/**
 * glibc's {@code posix_spawn} family, bound directly. jnr-posix's wrapper drops the error number
 * {@code posix_spawnp} returns, offers neither the chdir nor the closefrom file action, and leaves the
 * child with the calling JVM thread's signal mask. Every function here returns an error number, not
 * -1 with errno. Needs glibc 2.34 or later ({@code addclosefrom_np}). Public only for jnr-ffi.
 */
public interface PosixSpawn {

    PosixSpawn INSTANCE = LibraryLoader.create(PosixSpawn.class).load("c");

    /** glibc's posix_spawn_file_actions_t is 80 bytes, posix_spawnattr_t 336 and sigset_t 128 on 64-bit Linux. */
    int FILE_ACTIONS_SIZE = 128;
    int ATTR_SIZE = 512;
    int SIGSET_SIZE = 128;
    short SETSIGDEF = 0x04;
    short SETSIGMASK = 0x08;

    int posix_spawn_file_actions_init(Pointer actions);

    int posix_spawn_file_actions_destroy(Pointer actions);

    int posix_spawn_file_actions_addopen(Pointer actions, int fd, @In String path, int flags, int mode);

    int posix_spawn_file_actions_adddup2(Pointer actions, int fd, int newFd);

    int posix_spawn_file_actions_addchdir_np(Pointer actions, @In String path);

    int posix_spawn_file_actions_addclosefrom_np(Pointer actions, int from);

    int posix_spawnattr_init(Pointer attr);

    int posix_spawnattr_destroy(Pointer attr);

    int posix_spawnattr_setflags(Pointer attr, short flags);

    int posix_spawnattr_setsigmask(Pointer attr, @In Pointer sigset);

    int posix_spawnattr_setsigdefault(Pointer attr, @In Pointer sigset);

    /** Returns 0 or -1; it cannot fail on a valid pointer. */
    int sigemptyset(Pointer sigset);

    /** {@code argv} and {@code envp} are passed NULL-terminated, as C expects. */
    int posix_spawnp(@Out IntByReference pid, @In String file, @In Pointer actions, @In Pointer attr,
            @In String[] argv, @In String[] envp);
}
