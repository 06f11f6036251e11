package io.berth.daemon.runtime.runc;

import io.berth.daemon.runtime.AttachConnection;
import io.berth.errors.EngineException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A client of conmon's attach socket ({@code AF_UNIX SOCK_SEQPACKET}, which the JDK cannot open).
 * Each packet from conmon is one tag byte (2 = stdout, 3 = stderr) and up to 8192 bytes of output;
 * EOF means the process exited. Bytes written go unframed to the process's stdin; {@link #closeStdin}
 * is {@code shutdown(SHUT_WR)}.
 *
 * <p>{@link #read} and {@link #write} block the calling thread. {@link #close} may come from any
 * thread: it shuts the socket down, which wakes a blocked reader (it then sees null) or writer, and
 * releases the fd once no call is using it, so a late call never touches a reused fd number.
 * conmon closes the container's stdin when a client with stdin hangs up (no --leave-stdin-open).
 */
final class SeqpacketAttach implements AttachConnection {
    static final int STDOUT_TAG = 2;
    static final int STDERR_TAG = 3;
    private static final int MAX_PACKET = 1 + 8192;
    /** conmon reads client data in 32 KiB chunks; a longer SEQPACKET message would be cut. */
    private static final int MAX_WRITE = 8192;
    private static final int SUN_PATH_MAX = 107;

    private final int fd;
    private int users;
    private boolean closed;
    private boolean released;

    SeqpacketAttach(int fd) {
        this.fd = fd;
    }

    /** Connects to the socket at {@code path}; paths longer than sun_path go through /proc/self/fd. */
    static SeqpacketAttach connect(Path path) {
        LibC c = LibC.INSTANCE;
        int fd = c.socket(LibC.AF_UNIX, LibC.SOCK_SEQPACKET | LibC.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw EngineException.internal(LibC.error("socket(AF_UNIX, SOCK_SEQPACKET)"), null);
        }
        int dirFd = -1;
        byte[] name = path.toString().getBytes(StandardCharsets.UTF_8);
        if (name.length > SUN_PATH_MAX && path.getParent() != null) {
            dirFd = c.open(path.getParent().toString(), LibC.O_PATH | LibC.O_CLOEXEC, 0);
            name = ("/proc/self/fd/" + dirFd + "/" + path.getFileName()).getBytes(StandardCharsets.UTF_8);
        }
        byte[] addr = sockaddrUn(name);
        int rc;
        do {
            rc = c.connect(fd, addr, addr.length);
        } while (rc < 0 && LibC.errno() == LibC.EINTR);
        int errno = LibC.errno();
        String error = rc < 0 ? LibC.error("connect to " + path) : null;
        Fds.close(dirFd);
        if (rc < 0) {
            Fds.close(fd);
            // No socket file, or nobody listening: the shim is gone with its process.
            throw errno == LibC.ENOENT || errno == LibC.ECONNREFUSED
                    ? EngineException.conflict("cannot attach: the process is not running (" + error + ")")
                    : EngineException.internal(error, null);
        }
        return new SeqpacketAttach(fd);
    }

    /** {@code struct sockaddr_un}: sa_family_t (native order) then the NUL-terminated path. */
    static byte[] sockaddrUn(byte[] path) {
        if (path.length > SUN_PATH_MAX) {
            throw EngineException.invalid("socket path too long: " + new String(path, StandardCharsets.UTF_8));
        }
        byte[] addr = new byte[2 + path.length + 1];
        ByteBuffer.wrap(addr).order(ByteOrder.nativeOrder()).putShort((short) LibC.AF_UNIX);
        System.arraycopy(path, 0, addr, 2, path.length);
        return addr;
    }

    /** The packet in {@code buf[0..length)}, or null for a tag this client does not know. */
    static Packet decode(byte[] buf, int length) {
        if (length < 1) {
            return null;
        }
        Stream stream = switch (buf[0]) {
            case STDOUT_TAG -> Stream.STDOUT;
            case STDERR_TAG -> Stream.STDERR;
            default -> null;
        };
        return stream == null ? null : new Packet(stream, Arrays.copyOfRange(buf, 1, length));
    }

    @Override
    public Packet read() {
        byte[] buf = new byte[MAX_PACKET];
        while (true) {
            if (!enter()) {
                return null;
            }
            long n;
            int errno;
            try {
                n = LibC.INSTANCE.recv(fd, buf, buf.length, 0);
                errno = LibC.errno();
            } finally {
                exit();
            }
            if (n < 0 && errno == LibC.EINTR) {
                continue;
            }
            if (n < 0 && (isClosed() || errno == LibC.ECONNRESET)) {
                return null;
            }
            if (n < 0) {
                throw EngineException.internal("attach socket recv: errno " + errno, null);
            }
            if (n == 0) {
                return null;
            }
            Packet p = decode(buf, (int) n);
            if (p != null) {
                return p;
            }
        }
    }

    @Override
    public void write(byte[] data, int offset, int length) {
        int at = offset;
        int end = offset + length;
        while (at < end) {
            byte[] chunk = Arrays.copyOfRange(data, at, Math.min(end, at + MAX_WRITE));
            if (!enter()) {
                throw EngineException.conflict("attach connection is closed");
            }
            long n;
            int errno;
            try {
                n = LibC.INSTANCE.send(fd, chunk, chunk.length, LibC.MSG_NOSIGNAL);
                errno = LibC.errno();
            } finally {
                exit();
            }
            if (n < 0 && errno == LibC.EINTR) {
                continue;
            }
            if (n < 0) {
                throw EngineException.conflict("cannot write to the process's stdin: errno " + errno);
            }
            at += (int) n;
        }
    }

    @Override
    public void closeStdin() {
        if (enter()) {
            try {
                LibC.INSTANCE.shutdown(fd, LibC.SHUT_WR);
            } finally {
                exit();
            }
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            LibC.INSTANCE.shutdown(fd, LibC.SHUT_RDWR); // wakes a reader blocked in recv, a writer in send
        }
        releaseIfIdle();
    }

    private synchronized boolean enter() {
        if (closed) {
            return false;
        }
        users++;
        return true;
    }

    private void exit() {
        synchronized (this) {
            users--;
        }
        releaseIfIdle();
    }

    private synchronized boolean isClosed() {
        return closed;
    }

    private synchronized void releaseIfIdle() {
        if (closed && users == 0 && !released) {
            released = true;
            Fds.close(fd);
        }
    }
}
