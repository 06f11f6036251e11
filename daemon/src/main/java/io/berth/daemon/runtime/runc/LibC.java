package io.berth.daemon.runtime.runc;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The few libc calls the driver needs that neither the JDK nor jnr-posix offer: SOCK_SEQPACKET
 * sockets, {@code pipe2(O_CLOEXEC)}, {@code poll} and non-blocking FIFO opens. Linux x86_64/aarch64
 * constant values. Public only because jnr-ffi implements it in a class loader of its own; not an API.
 */
public interface LibC {

    LibC INSTANCE = LibraryLoader.create(LibC.class).load("c");

    int AF_UNIX = 1;
    int SOCK_DGRAM = 2;
    int SOCK_SEQPACKET = 5;
    int SOCK_CLOEXEC = 0x80000;
    int O_RDONLY = 0;
    int O_WRONLY = 1;
    int O_CREAT = 0x40;
    int O_TRUNC = 0x200;
    int O_NONBLOCK = 0x800;
    int O_CLOEXEC = 0x80000;
    int O_PATH = 0x200000;
    int F_DUPFD_CLOEXEC = 1030;
    int SHUT_WR = 1;
    int SHUT_RDWR = 2;
    int MSG_NOSIGNAL = 0x4000;
    short POLLIN = 0x1;
    int EINTR = 4;
    int ENOENT = 2;
    int ESRCH = 3;
    int ENXIO = 6;
    int EAGAIN = 11;
    int ECONNRESET = 104;
    int ECONNREFUSED = 111;
    int SIGKILL = 9;

    @SaveError int socket(int domain, int type, int protocol);

    @SaveError int socketpair(int domain, int type, int protocol, @Out int[] fds);

    @SaveError int connect(int fd, @In byte[] sockaddr, int length);

    @SaveError @ssize_t long recv(int fd, @Out byte[] buf, @size_t long length, int flags);

    @SaveError @ssize_t long send(int fd, @In byte[] buf, @size_t long length, int flags);

    @SaveError @ssize_t long read(int fd, @Out byte[] buf, @size_t long length);

    @SaveError @ssize_t long write(int fd, @In byte[] buf, @size_t long length);

    @SaveError int shutdown(int fd, int how);

    @SaveError int close(int fd);

    /** {@code fds} holds {@code struct pollfd}s: int fd, short events, short revents (native order). */
    @SaveError int poll(@In @Out byte[] fds, long count, int timeoutMillis);

    @SaveError int pipe2(@Out int[] fds, int flags);

    @SaveError int open(String path, int flags, int mode);

    @SaveError int fcntl(int fd, int cmd, int arg);

    @SaveError int kill(int pid, int signal);

    @SaveError String strerror(int errno);

    /** errno of the calling thread's last call through this interface. */
    static int errno() {
        return Runtime.getRuntime(INSTANCE).getLastError();
    }

    /** "what: strerror(errno)" for the calling thread's last failed call. */
    static String error(String what) {
        int errno = errno();
        return what + ": " + INSTANCE.strerror(errno) + " (errno " + errno + ")";
    }
}
