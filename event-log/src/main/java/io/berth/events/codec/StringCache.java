package io.berth.events.codec;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The strings a decoder made recently, found again by their UTF-8 bytes: a replay decodes the same
 * container ids and names over and over, and handing the reducer the instance its maps already
 * hold spares it hashing and comparing a fresh copy of every id (on the thread that is replay's
 * bottleneck) and the decoder allocating one. Fixed size, direct-mapped, so it never grows; a miss
 * just makes a new string, whose hash it computes at once so that the reducer's thread finds it
 * cached. One thread at a time.
 */
public final class StringCache {

    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int SLOTS = 4096;
    /** Longer strings are rarely repeated (commands, messages) and would only churn the slots. */
    static final int MAX_BYTES = 128;

    private final byte[][] keys = new byte[SLOTS][];
    private final String[] values = new String[SLOTS];

    /** The string of {@code length} UTF-8 bytes of {@code data} at {@code offset}. */
    String get(byte[] data, int offset, int length) {
        if (length > MAX_BYTES) {
            return new String(data, offset, length, StandardCharsets.UTF_8);
        }
        if (length == 0) {
            return "";
        }
        long h = length >= 8
                ? (long) LONG.get(data, offset) * 0x9E3779B97F4A7C15L ^ (long) LONG.get(data, offset + length - 8)
                : shortKey(data, offset, length) * 0x9E3779B97F4A7C15L;
        h ^= length;
        int slot = (int) (h ^ (h >>> 29) ^ (h >>> 47)) & (SLOTS - 1);
        byte[] key = keys[slot];
        if (key != null && Arrays.equals(key, 0, key.length, data, offset, offset + length)) {
            return values[slot];
        }
        String s = hashed(new String(data, offset, length, StandardCharsets.UTF_8));
        keys[slot] = Arrays.copyOfRange(data, offset, offset + length);
        values[slot] = s;
        return s;
    }

    /** The bytes of a string shorter than eight bytes as one number: a spec's values mostly are. */
    private static long shortKey(byte[] data, int offset, int length) {
        long v = 0;
        for (int i = 0; i < length; i++) {
            v = v << 8 | (data[offset + i] & 0xFF);
        }
        return v;
    }

    /** Most cached strings are ids and names, which the reducer hashes as map keys; hash them here. */
    private static String hashed(String s) {
        s.hashCode();
        return s;
    }
}
