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
        int len = length(in.readStopBit(), in.readRemaining(), in.readPosition());
        if (len < 0) {
            return null;
        }
        if (in.underlyingObject() instanceof byte[] array) {
            // Decode straight from the heap buffer, without an intermediate copy.
            int at = Math.toIntExact(in.readPosition() - in.start());
            in.readSkip(len);
            return new String(array, at, len, StandardCharsets.UTF_8);
        }
        byte[] b = new byte[len];
        in.read(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    public static String read(ByteReader in) {
        int len = length(in.readStopBit(), in.readRemaining(), in.readPosition());
        return len < 0 ? null : in.readUtf8(len);
    }

    public static void skip(ByteReader in) {
        int len = length(in.readStopBit(), in.readRemaining(), in.readPosition());
        if (len > 0) {
            in.readSkip(len);
        }
    }

    /** The byte length a string's stop-bit prefix {@code n} gives, -1 for null; refuses one longer than what is left. */
    private static int length(long n, long remaining, long at) {
        long len = n - 1;
        if (len < -1 || len > remaining) {
            throw new IllegalArgumentException("bad string length " + len + " at offset " + at);
        }
        return Math.toIntExact(len);
    }
}
