package io.berth.daemon.runtime.runc;

import io.berth.errors.EngineException;

/** Raw file descriptors for the pipes between the engine and conmon. */
final class Fds {
    /** Pipe ends live above this, so dup2-ing them onto 3, 4 and 5 in the child never clobbers one. */
    private static final int LOWEST = 10;

    private Fds() {}

    /** A close-on-exec pipe, {@code [read, write]}, both ends numbered {@value #LOWEST} or more. */
    static int[] pipe() {
        int[] fds = new int[2];
        if (LibC.INSTANCE.pipe2(fds, LibC.O_CLOEXEC) < 0) {
            throw EngineException.internal(LibC.error("pipe2"), null);
        }
        for (int i = 0; i < 2; i++) {
            if (fds[i] < LOWEST) {
                int high = LibC.INSTANCE.fcntl(fds[i], LibC.F_DUPFD_CLOEXEC, LOWEST);
                if (high < 0) {
                    String error = LibC.error("fcntl(F_DUPFD_CLOEXEC)");
                    close(fds[0]);
                    close(fds[1]);
                    throw EngineException.internal(error, null);
                }
                close(fds[i]);
                fds[i] = high;
            }
        }
        return fds;
    }

    /** Closes {@code fd} if it is one (not negative); errors are irrelevant to callers. */
    static void close(int fd) {
        if (fd >= 0) {
            LibC.INSTANCE.close(fd);
        }
    }

    /** Writes one byte: a wake-up for whoever reads the other end. False if the reader is gone. */
    static boolean poke(int fd) {
        return LibC.INSTANCE.write(fd, new byte[] {'0'}, 1) == 1;
    }
}
