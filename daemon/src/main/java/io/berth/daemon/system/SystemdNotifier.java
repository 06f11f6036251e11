package io.berth.daemon.system;

import io.berth.daemon.runtime.runc.LibC;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells systemd how berthd is doing, by the sd_notify protocol: each message is one datagram sent to
 * the {@code AF_UNIX} socket that {@code NOTIFY_SOCKET} names (a path, or an abstract name when it
 * starts with {@code @}). {@code READY=1} once the journal is replayed and the API serves (what a
 * {@code Type=notify} unit waits for), {@code STOPPING=1} when the shutdown begins.
 *
 * <p>Without {@code NOTIFY_SOCKET} (not started by systemd) it does nothing. A message that cannot be
 * sent is logged and never stops the daemon. The JDK's datagram channels do not take UNIX addresses,
 * so the socket is libc's, through jnr-ffi.
 */
public final class SystemdNotifier {

    private static final Logger LOG = LoggerFactory.getLogger(SystemdNotifier.class);
    /** sizeof(sockaddr_un.sun_path) on Linux. */
    private static final int SUN_PATH = 108;

    private final String socket;

    SystemdNotifier(String socket) {
        this.socket = socket == null || socket.isEmpty() ? null : socket;
    }

    /** The notifier of the socket this process's {@code NOTIFY_SOCKET} names, if any. */
    public static SystemdNotifier fromEnvironment() {
        return new SystemdNotifier(System.getenv("NOTIFY_SOCKET"));
    }

    /** {@code READY=1}: start-up is complete. */
    public void ready() {
        send("READY=1\nSTATUS=serving the Docker API");
    }

    /** {@code STOPPING=1}: the shutdown has begun. */
    public void stopping() {
        send("STOPPING=1\nSTATUS=stopping");
    }

    /** Sends one message ({@code KEY=VALUE} lines); false when there is no socket or sending failed. */
    boolean send(String message) {
        if (socket == null) {
            return false;
        }
        LibC c = LibC.INSTANCE;
        int fd = c.socket(LibC.AF_UNIX, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            LOG.warn("cannot notify systemd: {}", LibC.error("socket(AF_UNIX, SOCK_DGRAM)"));
            return false;
        }
        try {
            byte[] addr = address(socket);
            byte[] data = message.getBytes(StandardCharsets.UTF_8);
            String failed = c.connect(fd, addr, addr.length) < 0 ? LibC.error("connect")
                    : c.send(fd, data, data.length, LibC.MSG_NOSIGNAL) < 0 ? LibC.error("send") : null;
            if (failed != null) {
                LOG.warn("cannot notify systemd at {}: {}", socket, failed);
            }
            return failed == null;
        } catch (IllegalArgumentException e) {
            LOG.warn("cannot notify systemd: {}", e.getMessage());
            return false;
        } finally {
            c.close(fd);
        }
    }

    /**
     * {@code struct sockaddr_un} for {@code NOTIFY_SOCKET}: the family (native order), then the path
     * with its NUL, or for {@code @name} a NUL and the name, without a trailing NUL (the address length
     * delimits an abstract name).
     */
    static byte[] address(String socket) {
        boolean isAbstract = socket.startsWith("@");
        if (!isAbstract && !socket.startsWith("/")) {
            throw new IllegalArgumentException("NOTIFY_SOCKET is neither a path nor an abstract name: " + socket);
        }
        byte[] name = (isAbstract ? socket.substring(1) : socket).getBytes(StandardCharsets.UTF_8);
        int pathLength = 1 + name.length; // the NUL before an abstract name, or after a path
        if (pathLength > SUN_PATH) {
            throw new IllegalArgumentException("NOTIFY_SOCKET is too long: " + socket);
        }
        byte[] addr = new byte[2 + pathLength];
        ByteBuffer.wrap(addr).order(ByteOrder.nativeOrder()).putShort((short) LibC.AF_UNIX);
        System.arraycopy(name, 0, addr, isAbstract ? 3 : 2, name.length);
        return addr;
    }
}
