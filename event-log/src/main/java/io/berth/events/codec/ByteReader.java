package io.berth.events.codec;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import net.openhft.chronicle.bytes.Bytes;

/**
 * A read cursor over part of a byte array, for decoding what the codec wrote into Chronicle
 * {@code Bytes}: the same stop-bit integers and little-endian fixed-width values, with the JDK's
 * array bounds checks. Chronicle checks each read through a call on its buffer store, which the JIT
 * cannot inline on the replay path (heap and mapped stores meet there); that call was a fifth of
 * decoding an entry. Reading past the end throws {@link IllegalArgumentException}.
 */
public final class ByteReader {

    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private final byte[] data;
    private final int start;
    private final int limit;
    private final StringCache strings;
    private int pos;

    /** Reads {@code length} bytes of {@code data} from {@code offset}. */
    public ByteReader(byte[] data, int offset, int length) {
        this(data, offset, length, null);
    }

    /** Reads {@code length} bytes of {@code data} from {@code offset}, taking strings from {@code strings}. */
    public ByteReader(byte[] data, int offset, int length, StringCache strings) {
        if (offset < 0 || length < 0 || offset > data.length - length) {
            throw new IndexOutOfBoundsException("bytes " + offset + "+" + length + " of " + data.length);
        }
        this.data = data;
        this.start = offset;
        this.pos = offset;
        this.limit = offset + length;
        this.strings = strings;
    }

    /**
     * A reader of what {@code in} has left to read, for the codec's {@code Bytes} entry points:
     * an on-heap buffer is read in place, any other is copied first. Call {@link #consumedFrom}
     * afterwards to move {@code in} past what was read.
     */
    static ByteReader of(Bytes<?> in) {
        long remaining = in.readRemaining();
        if (remaining > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("cannot decode " + remaining + " bytes at once");
        }
        if (in.underlyingObject() instanceof byte[] array && in.start() == 0 && in.readLimit() <= array.length) {
            return new ByteReader(array, Math.toIntExact(in.readPosition()), (int) remaining);
        }
        byte[] copy = new byte[(int) remaining];
        in.read(in.readPosition(), copy, 0, copy.length);
        return new ByteReader(copy, 0, copy.length);
    }

    /** Moves {@code in}, the buffer this reader was made {@link #of}, past the bytes read. */
    void consumedFrom(Bytes<?> in) {
        in.readSkip(pos - start);
    }

    /** Bytes read so far. */
    public int readPosition() {
        return pos - start;
    }

    public int readRemaining() {
        return limit - pos;
    }

    private void require(int n) {
        if (limit - pos < n) {
            throw new IllegalArgumentException("truncated: " + n + " bytes wanted at offset " + (pos - start)
                    + ", " + (limit - pos) + " left");
        }
    }

    public byte readByte() {
        require(1);
        return data[pos++];
    }

    public int readInt() {
        require(4);
        int v = (int) INT.get(data, pos);
        pos += 4;
        return v;
    }

    public long readLong() {
        require(8);
        long v = (long) LONG.get(data, pos);
        pos += 8;
        return v;
    }

    public double readDouble() {
        return Double.longBitsToDouble(readLong());
    }

    /**
     * A stop-bit integer as Chronicle writes it: seven bits a byte, low bits first, the high bit set
     * on every byte but the last; a negative number is written as its complement followed by a
     * zero byte.
     */
    public long readStopBit() {
        byte b = readByte();
        if (b >= 0) {
            return b;
        }
        long value = b & 0x7FL;
        int shift = 7;
        while ((b = readByte()) < 0) {
            if (shift > 63) {
                throw new IllegalArgumentException("stop-bit number longer than 10 bytes at offset " + (pos - start));
            }
            value |= (b & 0x7FL) << shift;
            shift += 7;
        }
        if (b != 0) {
            if (shift > 56) {
                throw new IllegalArgumentException("stop-bit number longer than 9 bytes at offset " + (pos - start));
            }
            return value | ((long) b << shift);
        }
        return ~value;
    }

    public void readSkip(long n) {
        if (n < 0 || n > readRemaining()) {
            throw new IllegalArgumentException("cannot skip " + n + " bytes at offset " + (pos - start) + ", "
                    + readRemaining() + " left");
        }
        pos += (int) n;
    }

    /** The next {@code length} bytes as UTF-8. */
    String readUtf8(int length) {
        require(length);
        String s = strings == null ? new String(data, pos, length, StandardCharsets.UTF_8) : strings.get(data, pos, length);
        pos += length;
        return s;
    }
}
