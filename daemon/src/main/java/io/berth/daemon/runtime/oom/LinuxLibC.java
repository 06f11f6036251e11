package io.berth.daemon.runtime.oom;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The libc calls the OOM monitors need: eventfd, epoll, inotify and statfs, which neither the JDK
 * nor jnr-posix offer. Constant values are those of Linux on x86_64 and aarch64. Public only because
 * jnr-ffi implements it in a class loader of its own; not an API.
 */
public interface LinuxLibC {

    LinuxLibC INSTANCE = LibraryLoader.create(LinuxLibC.class).load("c");

    int O_RDONLY = 0;
    int O_NONBLOCK = 0x800;
    int O_CLOEXEC = 0x80000;
    int EFD_NONBLOCK = O_NONBLOCK;
    int EFD_CLOEXEC = O_CLOEXEC;
    int EPOLL_CLOEXEC = O_CLOEXEC;
    int EPOLL_CTL_ADD = 1;
    int EPOLL_CTL_DEL = 2;
    int EPOLLIN = 0x1;
    int IN_NONBLOCK = O_NONBLOCK;
    int IN_CLOEXEC = O_CLOEXEC;
    int IN_MODIFY = 0x2;
    int IN_Q_OVERFLOW = 0x4000;
    int IN_IGNORED = 0x8000;
    int EINTR = 4;
    int EAGAIN = 11;
    long CGROUP2_SUPER_MAGIC = 0x63677270L;

    @SaveError int eventfd(int initialValue, int flags);

    @SaveError int epoll_create1(int flags);

    /** {@code event} is one {@code struct epoll_event}; see {@link EpollLoop} for its layout. */
    @SaveError int epoll_ctl(int epfd, int op, int fd, @In byte[] event);

    @SaveError int epoll_wait(int epfd, @Out byte[] events, int maxEvents, int timeoutMillis);

    @SaveError int inotify_init1(int flags);

    @SaveError int inotify_add_watch(int fd, String path, int mask);

    @SaveError int inotify_rm_watch(int fd, int wd);

    @SaveError int open(String path, int flags, int mode);

    @SaveError @ssize_t long read(int fd, @Out byte[] buf, @size_t long length);

    @SaveError @ssize_t long write(int fd, @In byte[] buf, @size_t long length);

    @SaveError int close(int fd);

    /** {@code buf} receives a {@code struct statfs}; on 64-bit Linux {@code f_type} is its first long. */
    @SaveError int statfs(String path, @Out byte[] buf);

    String strerror(int errno);

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
