package io.berth.events.codec;

import java.nio.charset.StandardCharsets;
import net.openhft.chronicle.bytes.Bytes;

/**
 * How strings are written: a stop-bit length (0 for null, else the byte count plus one) and standard
 * UTF-8. The JDK's bulk conversion is several times faster than Chronicle's per-character UTF-8 with
 * string interning, and its bytes are standard for every code point.
 */
public final class Utf8 {

    private Utf8() {}

    public static void write(Bytes<?> out, String s) {
        if (s == null) {
            out.writeStopBit(0);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeStopBit(b.length + 1L);
        writeBytes(out, b);
    }

    /**
     * Appends {@code b} to {@code out}. Into a heap buffer it copies with {@link System#arraycopy}:
     * Chronicle's heap-to-heap copy asks {@code Unsafe} for the array base offset on every call,
     * a native call that cost more than the copy of a short string.
     */
    public static void writeBytes(Bytes<?> out, byte[] b) {
        long at = out.writePosition();
        out.ensureCapacity(at + b.length);
        if (out.underlyingObject() instanceof byte[] array && out.start() == 0) {
            System.arraycopy(b, 0, array, Math.toIntExact(at), b.length);
            out.writeSkip(b.length);
        } else {
            out.write(b);
        }
    }

    public static String read(Bytes<?> in) {
        long n = in.readStopBit();
        if (n == 0) {
            return null;
        }
        long len = n - 1;
        if (len < 0 || len > in.readRemaining()) {
            throw new IllegalArgumentException("bad string length " + len + " at offset " + in.readPosition());
        }
        if (in.underlyingObject() instanceof byte[] array) {
            // Decode straight from the heap buffer, without an intermediate copy.
            int at = Math.toIntExact(in.readPosition() - in.start());
            in.readSkip(len);
            return new String(array, at, (int) len, StandardCharsets.UTF_8);
        }
        byte[] b = new byte[(int) len];
        in.read(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    public static String read(ByteReader in) {
        long n = in.readStopBit();
        if (n == 0) {
            return null;
        }
        long len = n - 1;
        if (len < 0 || len > in.readRemaining()) {
            throw new IllegalArgumentException("bad string length " + len + " at offset " + in.readPosition());
        }
        return in.readUtf8((int) len);
    }

    /** Skips a string. */
    public static void skip(ByteReader in) {
        long n = in.readStopBit();
        if (n > 1) {
            in.readSkip(n - 1);
        }
    }

    /**
     * Skips a string, returning its bytes' position and length (for callers that compare or cache
     * without decoding).
     */
    public static void skip(Bytes<?> in) {
        long n = in.readStopBit();
        if (n > 1) {
            if (n - 1 > in.readRemaining()) {
                throw new IllegalArgumentException("bad string length " + (n - 1) + " at offset " + in.readPosition());
            }
            in.readSkip(n - 1);
        }
    }
}
