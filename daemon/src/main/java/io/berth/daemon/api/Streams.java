package io.berth.daemon.api;

import io.berth.errors.EngineException;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Bridges Vert.x streams and blocking {@code java.io} streams, so request bodies (tarballs) and long
 * responses (archives, logs) can be processed on worker threads with backpressure in both directions.
 */
public final class Streams {

    private Streams() {}

    /**
     * A blocking stream over {@code source}, read on a worker thread. The source is paused while more
     * than a few chunks wait. More than {@code maxBytes} in total fails the read.
     */
    public static InputStream inputStream(ReadStream<Buffer> source, long maxBytes) {
        return new BridgeInput(source, maxBytes);
    }

    /** A blocking stream into {@code sink}, written on a worker thread; waits while the sink is full. */
    public static OutputStream outputStream(WriteStream<Buffer> sink) {
        return new BridgeOutput(sink);
    }

    private static final class BridgeInput extends InputStream {
        private static final Object END = new Object();
        private static final int HIGH = 16;

        private final ReadStream<Buffer> source;
        private final long maxBytes;
        private final LinkedBlockingQueue<Object> chunks = new LinkedBlockingQueue<>();
        /** The source's context: pause and resume happen there only, so they cannot cross. */
        private final Context context;
        private final AtomicBoolean resumeAsked = new AtomicBoolean();
        /** Written on the context only; the reader reads it to know when to ask for a resume. */
        private volatile boolean paused;
        private byte[] current = new byte[0];
        private int pos;
        private long total;
        private boolean ended;

        BridgeInput(ReadStream<Buffer> source, long maxBytes) {
            this.source = source;
            this.maxBytes = maxBytes;
            this.context = Vertx.currentContext();
            source.handler(b -> {
                chunks.add(b.getBytes());
                if (chunks.size() > HIGH && !paused) {
                    paused = true;
                    source.pause();
                }
            });
            source.exceptionHandler(t -> chunks.add(t));
            source.endHandler(v -> chunks.add(END));
            source.resume();
        }

        private boolean fill() throws IOException {
            while (pos >= current.length) {
                if (ended) {
                    return false;
                }
                Object next;
                try {
                    next = chunks.poll(10, TimeUnit.MINUTES);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException();
                }
                if (next == null) {
                    throw new IOException("timed out waiting for the request body");
                }
                if (paused && chunks.size() < HIGH / 2 && resumeAsked.compareAndSet(false, true)) {
                    Runnable resume = () -> {
                        resumeAsked.set(false);
                        if (paused && chunks.size() < HIGH / 2) {
                            paused = false;
                            source.resume();
                        }
                    };
                    if (context == null) {
                        resume.run();
                    } else {
                        context.runOnContext(v -> resume.run());
                    }
                }
                if (next == END) {
                    ended = true;
                    return false;
                }
                if (next instanceof Throwable t) {
                    throw new IOException("request body: " + t.getMessage(), t);
                }
                current = (byte[]) next;
                pos = 0;
                total += current.length;
                if (total > maxBytes) {
                    throw EngineException.invalid("request body is larger than " + maxBytes + " bytes");
                }
            }
            return true;
        }

        @Override
        public int read() throws IOException {
            return fill() ? current[pos++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!fill()) {
                return -1;
            }
            int n = Math.min(len, current.length - pos);
            System.arraycopy(current, pos, b, off, n);
            pos += n;
            return n;
        }
    }

    private static final class BridgeOutput extends OutputStream {
        private final WriteStream<Buffer> sink;
        private final Semaphore drained = new Semaphore(0);
        private volatile Throwable failure;

        BridgeOutput(WriteStream<Buffer> sink) {
            this.sink = sink;
            sink.exceptionHandler(t -> {
                failure = t;
                drained.release();
            });
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (failure != null) {
                throw new IOException("client went away", failure);
            }
            if (len == 0) {
                return;
            }
            while (sink.writeQueueFull()) {
                drained.drainPermits();
                sink.drainHandler(v -> drained.release());
                if (!sink.writeQueueFull()) {
                    break;
                }
                try {
                    if (!drained.tryAcquire(5, TimeUnit.MINUTES)) {
                        throw new IOException("client stopped reading");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException();
                }
                if (failure != null) {
                    throw new IOException("client went away", failure);
                }
            }
            byte[] copy = new byte[len];
            System.arraycopy(b, off, copy, 0, len);
            sink.write(Buffer.buffer(copy));
        }
    }
}
