package io.berth.events.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.openhft.chronicle.bytes.Bytes;
import org.junit.jupiter.api.Test;

class ByteReaderTest {

    @Test
    void readsWhatChronicleWrites() {
        List<Long> values = new ArrayList<>(List.of(0L, 1L, -1L, 127L, 128L, -128L, -129L, 16383L, 16384L,
                Integer.MAX_VALUE + 1L, Integer.MIN_VALUE - 1L, Long.MAX_VALUE, Long.MIN_VALUE));
        Random rnd = new Random(11);
        for (int i = 0; i < 10_000; i++) {
            values.add(rnd.nextLong() >> rnd.nextInt(64));
        }
        Bytes<byte[]> out = Bytes.allocateElasticOnHeap(64);
        for (long v : values) {
            out.writeStopBit(v);
            out.writeLong(v);
            out.writeInt((int) v);
            out.writeDouble(Double.longBitsToDouble(v));
            out.writeByte((byte) v);
        }
        byte[] written = out.toByteArray();
        ByteReader in = new ByteReader(written, 0, written.length);
        for (long v : values) {
            assertEquals(v, in.readStopBit(), "stop bit");
            assertEquals(v, in.readLong());
            assertEquals((int) v, in.readInt());
            assertEquals(v, Double.doubleToRawLongBits(in.readDouble()));
            assertEquals((byte) v, in.readByte());
        }
        assertEquals(0, in.readRemaining());
        assertEquals(written.length, in.readPosition());
    }

    @Test
    void readingPastTheEndIsRefused() {
        byte[] data = {1, 2, 3, (byte) 0x80, (byte) 0x80};
        assertThrows(IllegalArgumentException.class, () -> new ByteReader(data, 0, 3).readInt());
        ByteReader r = new ByteReader(data, 1, 4);
        assertEquals(2, r.readByte());
        assertEquals(3, r.readByte());
        assertThrows(IllegalArgumentException.class, r::readStopBit, "a stop-bit number cut after its continuation bytes");
        assertThrows(IllegalArgumentException.class, () -> new ByteReader(data, 0, 5).readSkip(6));
        assertThrows(IndexOutOfBoundsException.class, () -> new ByteReader(data, 3, 3));
    }

    @Test
    void bytesEntryPointsLeaveTheBufferAfterWhatWasRead() {
        for (Bytes<?> b : List.of(Bytes.allocateElasticOnHeap(16), Bytes.allocateElasticDirect(16))) {
            try {
                b.writeByte((byte) 9);
                Utf8.write(b, "first");
                Utf8.write(b, "second");
                assertEquals(9, b.readByte());
                ByteReader r = ByteReader.of(b);
                assertEquals("first", Utf8.read(r));
                r.consumedFrom(b);
                assertEquals("second", Utf8.read(b), "the Bytes moved past what the reader read");
                assertEquals(0, b.readRemaining());
            } finally {
                b.releaseLast();
            }
        }
    }
}
