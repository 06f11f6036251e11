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
        out.write(b);
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
        byte[] b = new byte[(int) len];
        in.read(b);
        return new String(b, StandardCharsets.UTF_8);
    }
}
