package io.berth.daemon.runtime.oom;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread that waits with epoll on file descriptors, each added under a token, and hands each
 * readable one's token to a {@link Handler}. Waiting is level-triggered: the handler must drain a
 * descriptor or it is handed over again. Descriptors may be added and removed from any thread while
 * the loop waits; an eventfd of the loop's own wakes it for {@link #close}. Created with its epoll
 * instance, so descriptors can be added before {@link #start}; {@link #close} stops the thread, then
 * closes the loop's own descriptors (not the added ones).
 */
final class EpollLoop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EpollLoop.class);
    private static final LinuxLibC C = LinuxLibC.INSTANCE;
    /** struct epoll_event is {u32 events; u64 data}, packed on x86_64 only. */
    private static final boolean PACKED = Set.of("amd64", "x86_64").contains(System.getProperty("os.arch"));
    private static final int EVENT_SIZE = PACKED ? 12 : 16;
    private static final int DATA_OFFSET = PACKED ? 4 : 8;
    private static final int MAX_EVENTS = 64;
    private static final long WAKE = Long.MIN_VALUE;

    /** What the loop thread does with what it sees. Calls come only from the loop thread. */
    interface Handler {
        /** The descriptor added under {@code token} is readable (or was, before it was removed). */
        void ready(long token);

        /** Called after each wait; returns how long the next wait may last in ms, or -1 for no limit. */
        int waited();
    }

    private final int epollFd;
    private final int wakeFd;
    private volatile boolean closed;
    private Thread thread;

    /** @throws IllegalStateException when the kernel refuses an epoll instance or an eventfd */
    EpollLoop() {
        epollFd = C.epoll_create1(LinuxLibC.EPOLL_CLOEXEC);
        if (epollFd < 0) {
            throw new IllegalStateException(LinuxLibC.error("epoll_create1"));
        }
        wakeFd = C.eventfd(0, LinuxLibC.EFD_CLOEXEC | LinuxLibC.EFD_NONBLOCK);
        try {
            if (wakeFd < 0) {
                throw new IOException(LinuxLibC.error("eventfd"));
            }
            add(wakeFd, WAKE);
        } catch (IOException e) {
            closeQuietly(wakeFd);
            closeQuietly(epollFd);
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** Waits for {@code fd} to become readable; {@code token} is what the handler will be given. */
    void add(int fd, long token) throws IOException {
        if (C.epoll_ctl(epollFd, LinuxLibC.EPOLL_CTL_ADD, fd, event(token)) < 0) {
            throw new IOException(LinuxLibC.error("epoll_ctl(ADD, " + fd + ")"));
        }
    }

    /**
     * Stops waiting for {@code fd}; call before closing it. A batch the thread already holds may
     * still name its token, so handlers ignore tokens they no longer know.
     */
    void remove(int fd) {
        // Fails only for an fd never added or already closed, which epoll dropped by itself.
        C.epoll_ctl(epollFd, LinuxLibC.EPOLL_CTL_DEL, fd, event(0));
    }

    synchronized void start(String threadName, Handler handler) {
        if (thread != null || closed) {
            throw new IllegalStateException(closed ? "closed" : "already started");
        }
        thread = Thread.ofPlatform().daemon().name(threadName).start(() -> run(handler));
    }

    private void run(Handler handler) {
        byte[] events = new byte[MAX_EVENTS * EVENT_SIZE];
        ByteBuffer view = ByteBuffer.wrap(events).order(ByteOrder.nativeOrder());
        int timeout = -1;
        while (!closed) {
            int n = C.epoll_wait(epollFd, events, MAX_EVENTS, timeout);
            if (n < 0) {
                if (LinuxLibC.errno() == LinuxLibC.EINTR) {
                    continue;
                }
                LOG.error("{}; no more events are seen", LinuxLibC.error("epoll_wait"));
                return;
            }
            for (int i = 0; i < n && !closed; i++) {
                long token = view.getLong(i * EVENT_SIZE + DATA_OFFSET);
                if (token == WAKE) {
                    drain(wakeFd);
                } else {
                    try {
                        handler.ready(token);
                    } catch (RuntimeException e) {
                        LOG.error("event handler failed", e);
                    }
                }
            }
            try {
                timeout = closed ? -1 : handler.waited();
            } catch (RuntimeException e) {
                LOG.error("event handler failed", e);
                timeout = -1;
            }
        }
    }

    /** Stops the thread (waiting for it, unless called on it) and closes the loop's descriptors. */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            t = thread;
        }
        signal(wakeFd);
        if (t != null && t != Thread.currentThread()) {
            boolean interrupted = false;
            while (true) {
                try {
                    t.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // the descriptors must outlive the thread's last epoll_wait
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        // On the loop thread itself, closed is already set, so it never waits on these again.
        closeQuietly(wakeFd);
        closeQuietly(epollFd);
    }

    private static byte[] event(long token) {
        byte[] event = new byte[EVENT_SIZE];
        ByteBuffer.wrap(event).order(ByteOrder.nativeOrder()).putInt(0, LinuxLibC.EPOLLIN).putLong(DATA_OFFSET, token);
        return event;
    }

    /** Adds one to an eventfd's counter, making it readable. */
    static void signal(int eventFd) {
        byte[] one = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(0, 1).array();
        C.write(eventFd, one, 8);
    }

    /** Reads (and so resets) a non-blocking eventfd's counter; 0 when it was not signalled. */
    static long drain(int eventFd) {
        byte[] count = new byte[8];
        return C.read(eventFd, count, 8) == 8 ? ByteBuffer.wrap(count).order(ByteOrder.nativeOrder()).getLong() : 0;
    }

    /** Closes {@code fd} if it is one (not negative); errors are of no use to callers. */
    static void closeQuietly(int fd) {
        if (fd >= 0) {
            C.close(fd);
        }
    }
}
