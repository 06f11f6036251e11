package io.berth.daemon.container;

import io.berth.daemon.api.Hijack;
import io.berth.daemon.api.Streams;
import io.berth.daemon.runtime.AttachConnection;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One hijacked client connection attached to a container's or exec process's stdio through its
 * shim: output packets go to the client (in Docker's multiplexed framing unless there is a TTY), the
 * client's bytes go to stdin, and the client closing its side closes stdin when asked to.
 */
public final class AttachSession {

    private static final Logger LOG = LoggerFactory.getLogger(AttachSession.class);
    private static final byte[] EOF = new byte[0];

    private final NetSocket socket;
    private final boolean stdin;
    private final boolean stdout;
    private final boolean stderr;
    private final boolean tty;
    private final boolean closeStdinAtEof;
    private final LinkedBlockingQueue<byte[]> input = new LinkedBlockingQueue<>();
    private volatile AttachConnection connection;
    private volatile boolean clientGone;
    private volatile Future<?> endGate = Future.succeededFuture();

    /**
     * @param closeStdinAtEof close the process's stdin when the client closes its side (StdinOnce)
     */
    public AttachSession(NetSocket socket, boolean stdin, boolean stdout, boolean stderr, boolean tty,
                         boolean closeStdinAtEof) {
        this.socket = socket;
        this.stdin = stdin;
        this.stdout = stdout;
        this.stderr = stderr;
        this.tty = tty;
        this.closeStdinAtEof = closeStdinAtEof;
        if (stdin) {
            // Buffer the client's input until the shim connection exists.
            socket.handler(b -> {
                input.add(b.getBytes());
                if (input.size() > 64) {
                    socket.pause();
                }
            });
            socket.endHandler(v -> input.add(EOF));
            Hijack.onHalfClose(socket, () -> input.add(EOF));
        } else {
            socket.handler(b -> { });
            socket.endHandler(v -> { });
        }
        socket.closeHandler(v -> {
            clientGone = true;
            input.add(EOF);
            AttachConnection c = connection;
            if (c != null && !stdin) {
                c.close();
            }
        });
    }

    /** Starts pumping between the client and the shim; the pumps run on {@code threads}. */
    public void connect(AttachConnection conn, ExecutorService threads) {
        this.connection = conn;
        threads.execute(this::pumpOutput);
        if (stdin) {
            threads.execute(this::pumpInput);
        }
    }

    /**
     * Holds the end of the client's stream until {@code gate} completes: an exec client asks for the
     * exit code as soon as its stream ends, so the exit must be journaled first.
     */
    public void endAfter(Future<?> gate) {
        this.endGate = gate;
    }

    /** Ends the session without a connection (the container could not start). */
    public void abort() {
        socket.close();
    }

    private void pumpOutput() {
        OutputStream out = Streams.outputStream(socket);
        try {
            AttachConnection.Packet p;
            while ((p = connection.read()) != null) {
                boolean isErr = p.stream() == AttachConnection.Stream.STDERR;
                if (isErr ? !stderr : !stdout) {
                    continue;
                }
                if (!tty) {
                    out.write(frameHeader(isErr ? 2 : 1, p.data().length));
                }
                out.write(p.data());
            }
        } catch (IOException | RuntimeException e) {
            if (!clientGone) {
                LOG.debug("attach output ended: {}", e.getMessage());
            }
        } finally {
            connection.close();
            input.add(EOF);
            endGate.onComplete(ar -> socket.end());
        }
    }

    private void pumpInput() {
        try {
            while (true) {
                byte[] b = input.take();
                if (input.size() < 16) {
                    socket.resume();
                }
                if (b == EOF) {
                    if (closeStdinAtEof) {
                        connection.closeStdin();
                    }
                    return;
                }
                connection.write(b, 0, b.length);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.debug("attach input ended: {}", e.getMessage());
        }
    }

    /** Docker's stream framing: stream type, three zero bytes, big-endian payload length. */
    public static byte[] frameHeader(int stream, int length) {
        return new byte[] {(byte) stream, 0, 0, 0, (byte) (length >>> 24), (byte) (length >>> 16),
            (byte) (length >>> 8), (byte) length};
    }

    /** A framed chunk for a non-TTY stream. */
    public static Buffer frame(int stream, byte[] data) {
        return Buffer.buffer(frameHeader(stream, data.length)).appendBytes(data);
    }
}
