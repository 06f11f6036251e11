package io.berth.events.journal.internal;

import io.berth.events.codec.ByteReader;
import io.berth.events.codec.StringCache;
import io.berth.events.codec.Utf8;
import io.berth.events.Event;
import io.berth.events.EventEnvelope;
import io.berth.events.codec.EventCodec;
import java.time.Instant;
import java.util.zip.CRC32C;
import net.openhft.chronicle.bytes.Bytes;

/**
 * The byte layout of one journal entry inside a Chronicle excerpt:
 * {@code seq:int64, timeNanos:int64, actor:utf8, event name:utf8, payload, crc32c:int32}. The CRC
 * covers everything before it, so a torn or corrupted entry is told apart from a valid one.
 *
 * <p>A second layout marks an entry lost when its file was cut short on disk:
 * {@code 0:int64, repairedAtNanos:int64, readableEnd:int64, crc32c:int32}. Sequences start at 1, so
 * the leading 0 never starts an entry; the repair writes one in place of each lost entry so that the
 * entries after it keep their Chronicle indexes (see {@link CycleFileRepair}), and readers report it
 * as damage.
 *
 * <p>Instances hold scratch buffers: one thread at a time.
 */
final class EntryFormat {

    /** seq + time + two empty strings + crc. */
    static final int MIN_LENGTH = 8 + 8 + 1 + 1 + 4;

    /** The sequence field of a lost entry's placeholder. */
    private static final long LOST = 0;

    private final Bytes<byte[]> out = unchecked(Bytes.allocateElasticOnHeap(512));
    private final CRC32C crc = new CRC32C();
    private final StringCache strings;
    private byte[] in = new byte[512];

    EntryFormat() {
        this(null);
    }

    /** A format whose decoding takes repeated strings from {@code strings} (null: none). */
    EntryFormat(StringCache strings) {
        this.strings = strings;
    }

    /** The journal makes its format on the opening thread and the writer thread uses it. */
    private static Bytes<byte[]> unchecked(Bytes<byte[]> b) {
        b.singleThreadedCheckDisabled(true);
        return b;
    }

    /** Encodes into the internal buffer and returns it, ready to be copied into an excerpt. */
    Bytes<byte[]> encode(long seq, long timeNanos, Event event) {
        out.clear();
        out.writeLong(seq);
        out.writeLong(timeNanos);
        Utf8.write(out, event.actorId());
        EventCodec.write(event, out);
        int length = (int) out.writePosition();
        crc.reset();
        crc.update(out.underlyingObject(), 0, length);
        out.writeInt((int) crc.getValue());
        return out;
    }

    /**
     * Encodes the placeholder of an entry lost when its file was cut short, into the internal buffer.
     *
     * @param readableEnd     where the readable part of the file ended when it was repaired
     * @param repairedAtNanos when it was repaired
     */
    Bytes<byte[]> encodeLost(long readableEnd, long repairedAtNanos) {
        out.clear();
        out.writeLong(LOST);
        out.writeLong(repairedAtNanos);
        out.writeLong(readableEnd);
        crc.reset();
        crc.update(out.underlyingObject(), 0, (int) out.writePosition());
        out.writeInt((int) crc.getValue());
        return out;
    }

    /** The outcome of reading one excerpt: an entry, or the reason it is damaged. */
    record Decoded(EventEnvelope entry, String damage) {}

    /** Reads the excerpt in {@code bytes} (its whole readable region). */
    Decoded decode(Bytes<?> bytes) {
        long remaining = bytes.readRemaining();
        if (remaining < MIN_LENGTH || remaining > Integer.MAX_VALUE) {
            return new Decoded(null, "entry of " + remaining + " bytes is too short");
        }
        int length = (int) remaining;
        if (in.length < length) {
            in = new byte[Math.max(length, in.length * 2)];
        }
        bytes.read(in, 0, length);
        return decodeIn(length);
    }

    /** Reads the excerpt of {@code length} bytes at {@code offset} in {@code data}. */
    Decoded decode(byte[] data, int offset, int length) {
        if (length < MIN_LENGTH) {
            return new Decoded(null, "entry of " + length + " bytes is too short");
        }
        if (in.length < length) {
            in = new byte[Math.max(length, in.length * 2)];
        }
        System.arraycopy(data, offset, in, 0, length);
        return decodeIn(length);
    }

    /** Checks and decodes the {@code length} bytes copied into {@code in}. */
    private Decoded decodeIn(int length) {
        crc.reset();
        crc.update(in, 0, length - 4);
        int stored = new ByteReader(in, length - 4, 4).readInt();
        if (stored != (int) crc.getValue()) {
            return new Decoded(null, "checksum mismatch (torn or corrupted write)");
        }
        ByteReader inView = new ByteReader(in, 0, length - 4, strings);
        try {
            long seq = inView.readLong();
            if (seq == LOST && inView.readRemaining() == 16) {
                long repairedAt = inView.readLong();
                return new Decoded(null, "lost when its file was cut short on disk (the readable part ended at byte "
                        + inView.readLong() + "); repaired on open at " + Instant.ofEpochSecond(0, repairedAt)
                        + ", this placeholder keeps its index");
            }
            long time = inView.readLong();
            // The actor is written for readers that filter without decoding; the event carries it too.
            Utf8.skip(inView);
            Event event = EventCodec.read(inView);
            String actor = event.actorId();
            if (inView.readRemaining() != 0) {
                return new Decoded(null, inView.readRemaining() + " unexpected bytes after the event");
            }
            return new Decoded(new EventEnvelope(seq, time, actor, event), null);
        } catch (RuntimeException e) {
            return new Decoded(null, "undecodable: " + e.getMessage());
        }
    }

    /**
     * The sequence at the start of an excerpt without checking it, or -1 if it is too short; 0 for
     * a lost entry's placeholder.
     */
    static long peekSeq(Bytes<?> bytes) {
        return bytes.readRemaining() < MIN_LENGTH ? -1 : bytes.readLong(bytes.readPosition());
    }
}
