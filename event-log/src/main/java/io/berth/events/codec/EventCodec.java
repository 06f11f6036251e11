package io.berth.events.codec;

import io.berth.events.Event;
import io.berth.events.EventCatalog;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import net.openhft.chronicle.bytes.Bytes;

/**
 * Writes an event as its versioned logical name followed by its binary payload, and reads it back,
 * upcasting entries written by older versions.
 */
public final class EventCodec {

    /** A parsed wire name: logical name and version. */
    private record WireName(String name, int version) {}

    /** Only names that resolve are kept, so damaged input cannot grow it. */
    private static final ConcurrentHashMap<String, Function<ByteReader, Event>> READERS = new ConcurrentHashMap<>();

    private EventCodec() {}

    /** Each event class's wire name as it is written (length and UTF-8), encoded once. */
    private static final ClassValue<byte[]> WIRE_NAMES = new ClassValue<>() {
        @Override
        protected byte[] computeValue(Class<?> type) {
            Bytes<byte[]> b = Bytes.allocateElasticOnHeap(64);
            Utf8.write(b, EventCatalog.of(type.asSubclass(Event.class)).wireName());
            return b.toByteArray();
        }
    };

    public static void write(Event event, Bytes<?> out) {
        Utf8.writeBytes(out, WIRE_NAMES.get(event.getClass()));
        BinaryCodec.write((Record) event, out);
    }

    /**
     * Reads one event.
     *
     * @throws IllegalArgumentException when the name is unknown, the version has no upcaster chain,
     *                                  or the payload does not decode
     */
    public static Event read(Bytes<?> in) {
        ByteReader r = ByteReader.of(in);
        Event e = read(r);
        r.consumedFrom(in);
        return e;
    }

    /** Reads one event, as {@link #read(Bytes)}. */
    public static Event read(ByteReader in) {
        String wire = Utf8.read(in);
        if (wire == null) {
            throw new IllegalArgumentException("missing event name");
        }
        Function<ByteReader, Event> reader = READERS.get(wire);
        if (reader == null) {
            // A plain get first: computeIfAbsent costs a replay more per entry even when the name is there.
            reader = READERS.computeIfAbsent(wire, EventCodec::readerFor);
        }
        return reader.apply(in);
    }

    /**
     * The payload reader for a wire name, resolved once per name: a replay reads a million entries
     * under a few dozen names, and one lookup per entry is all it pays.
     */
    private static Function<ByteReader, Event> readerFor(String wire) {
        WireName wn = parse(wire);
        EventCatalog.Entry current = EventCatalog.byName(wn.name());
        if (current == null) {
            throw new IllegalArgumentException("unknown event " + wire);
        }
        Function<ByteReader, ? extends Record> payload = BinaryCodec.reader(recordType(current));
        if (wn.version() == current.version()) {
            return in -> (Event) payload.apply(in);
        }
        Upcaster first = Upcasters.from(wn.name(), wn.version());
        if (first == null) {
            throw new IllegalArgumentException("cannot read " + wire + ": no upcaster to v" + current.version());
        }
        return in -> (Event) BinaryCodec.fromGeneric(recordType(current),
                Upcasters.upcast(wn.name(), wn.version(), BinaryCodec.readGeneric(first.fromShape(), in)));
    }

    @SuppressWarnings("unchecked")
    private static Class<? extends Record> recordType(EventCatalog.Entry e) {
        return (Class<? extends Record>) (Class<?>) e.type();
    }

    private static WireName parse(String wire) {
        int dot = wire.lastIndexOf(".v");
        if (dot <= 0) {
            throw new IllegalArgumentException("bad event name " + wire);
        }
        try {
            return new WireName(wire.substring(0, dot), Integer.parseInt(wire.substring(dot + 2)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad event name " + wire, e);
        }
    }
}
