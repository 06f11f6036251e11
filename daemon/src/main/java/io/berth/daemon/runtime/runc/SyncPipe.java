package io.berth.daemon.runtime.runc;

import io.berth.errors.EngineException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;

/**
 * The engine's read end of a conmon sync (or attach) pipe: a stream of newline-terminated
 * {@link SyncMessage}s that ends (EOF) when the conmon monitor exits. Reads wait in {@code poll}, so
 * they take a deadline and an optional wake-up fd through which another thread can stop them.
 * One reader at a time; closing the pipe is the owner's job.
 */
final class SyncPipe implements AutoCloseable {
    private final int fd;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private boolean eof;

    SyncPipe(int fd) {
        this.fd = fd;
    }

    /**
     * The next message, or null at EOF.
     *
     * @param timeoutMillis how long to wait at most; negative waits forever
     * @param wakeFd        a fd whose readability or hang-up cancels the wait; negative for none
     * @throws TimeoutException      when the deadline passes first
     * @throws CancellationException when {@code wakeFd} fires first
     */
    SyncMessage next(long timeoutMillis, int wakeFd) throws TimeoutException {
        String line = readLine(timeoutMillis, wakeFd);
        return line == null ? null : SyncMessage.parse(line);
    }

    /** Reads and drops everything up to EOF or the deadline: lets a failing monitor finish exiting. */
    void drain(long timeoutMillis) {
        try {
            while (readLine(timeoutMillis, -1) != null) {
                // Only the end matters here.
            }
        } catch (TimeoutException | IllegalArgumentException e) {
            // The caller cleans up anyway.
        }
    }

    private String readLine(long timeoutMillis, int wakeFd) throws TimeoutException {
        long deadline = timeoutMillis < 0 ? Long.MAX_VALUE : System.nanoTime() + timeoutMillis * 1_000_000;
        byte[] buf = new byte[4096];
        while (true) {
            byte[] have = pending.toByteArray();
            for (int k = 0; k < have.length; k++) {
                if (have[k] == '\n') {
                    pending.reset();
                    pending.write(have, k + 1, have.length - k - 1);
                    return new String(have, 0, k, StandardCharsets.UTF_8);
                }
            }
            if (eof) {
                pending.reset();
                return have.length == 0 ? null : new String(have, StandardCharsets.UTF_8);
            }
            waitReadable(deadline, wakeFd);
            long n = LibC.INSTANCE.read(fd, buf, buf.length);
            if (n < 0 && LibC.errno() != LibC.EINTR) {
                throw EngineException.internal(LibC.error("read from conmon pipe"), null);
            }
            if (n == 0) {
                eof = true;
            } else if (n > 0) {
                pending.write(buf, 0, (int) n);
            }
        }
    }

    private void waitReadable(long deadline, int wakeFd) throws TimeoutException {
        int count = wakeFd < 0 ? 1 : 2;
        while (true) {
            long left = deadline == Long.MAX_VALUE ? -1 : (deadline - System.nanoTime()) / 1_000_000;
            if (deadline != Long.MAX_VALUE && left <= 0) {
                throw new TimeoutException("conmon did not answer in time");
            }
            byte[] fds = pollFds(fd, wakeFd);
            int rc = LibC.INSTANCE.poll(fds, count, (int) Math.min(left, Integer.MAX_VALUE));
            if (rc < 0 && LibC.errno() == LibC.EINTR) {
                continue;
            }
            if (rc < 0) {
                throw EngineException.internal(LibC.error("poll"), null);
            }
            if (count == 2 && revents(fds, 1) != 0) {
                throw new CancellationException("stopped waiting for conmon");
            }
            if (revents(fds, 0) != 0) {
                return; // readable, or hung up: read() then says EOF
            }
        }
    }

    /** {@code struct pollfd[]}: int fd, short events, short revents; native byte order. */
    private static byte[] pollFds(int... fds) {
        ByteBuffer b = ByteBuffer.allocate(8 * fds.length).order(ByteOrder.nativeOrder());
        for (int f : fds) {
            b.putInt(f).putShort(LibC.POLLIN).putShort((short) 0);
        }
        return b.array();
    }

    private static short revents(byte[] fds, int index) {
        return ByteBuffer.wrap(fds).order(ByteOrder.nativeOrder()).getShort(index * 8 + 6);
    }

    @Override
    public void close() {
        Fds.close(fd);
    }
}
