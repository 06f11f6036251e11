package io.berth.events.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import io.berth.events.ContainerEvent;
import io.berth.events.ContainerSpec;
import io.berth.events.Event;
import io.berth.events.EventCatalog;
import io.berth.events.Fixtures;
import io.berth.events.state.ContainerState;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.openhft.chronicle.bytes.Bytes;
import org.junit.jupiter.api.Test;

class BinaryCodecTest {

    @Test
    void everyEventRoundTripsUnderItsVersionedName() {
        for (Event e : Fixtures.oneOfEach()) {
            Bytes<byte[]> b = Bytes.allocateElasticOnHeap(256);
            EventCodec.write(e, b);
            long start = b.readPosition();
            assertEquals(EventCatalog.of(e.getClass()).wireName(), Utf8.read(b), "the logical name comes first");
            b.readPosition(start);
            Event back = EventCodec.read(b);
            assertEquals(e, back);
            assertEquals(0, b.readRemaining(), "nothing left over for " + e);
        }
    }

    @Test
    void typicalEventsAreSmall() {
        Bytes<byte[]> b = Bytes.allocateElasticOnHeap(256);
        EventCodec.write(new ContainerEvent.Exited(Fixtures.id(1), 137, 1_700_000_000_000_000_000L,
                4242), b);
        assertTrue(b.writePosition() < 120, "exit event takes " + b.writePosition() + " bytes");
    }

    record WithUnion(String name, ContainerState state, List<ContainerState> history, Map<String, Long> counts) {}

    @Test
    void sealedInterfacesNullsAndNestedCollectionsRoundTrip() {
        WithUnion v = new WithUnion(null, new ContainerState.Running(12),
                List.of(new ContainerState.Created(), new ContainerState.Dead("x")), Map.of("a", 1L, "b", -5L));
        Bytes<byte[]> b = Bytes.allocateElasticOnHeap(64);
        BinaryCodec.write(v, b);
        assertEquals(v, BinaryCodec.read(WithUnion.class, b));
        WithUnion empty = new WithUnion("n", null, List.of(), Map.of());
        b.clear();
        BinaryCodec.write(empty, b);
        assertEquals(empty, BinaryCodec.read(WithUnion.class, b));
    }

    /** Public, so the codec reads its components through generated accessor functions. */
    public record Primitives(int i, long l, boolean b, double d, String s) {}

    @Test
    void publicAndPackagePrivateRecordsWriteTheSameBytes() {
        Primitives pub = new Primitives(-7, Long.MAX_VALUE, true, 2.5, "é");
        Bytes<byte[]> b = Bytes.allocateElasticOnHeap(16);
        BinaryCodec.write(pub, b);
        byte[] written = b.toByteArray();
        assertEquals(pub, BinaryCodec.read(Primitives.class, b));
        PackagePrivate hidden = new PackagePrivate(-7, Long.MAX_VALUE, true, 2.5, "é");
        b.clear();
        BinaryCodec.write(hidden, b);
        assertArrayEquals(written, b.toByteArray(), "same layout whichever way the components are read");
        assertEquals(hidden, BinaryCodec.read(PackagePrivate.class, b));
    }

    private record PackagePrivate(int i, long l, boolean b, double d, String s) {}

    @Test
    void stringsLongerThanTheBufferGrowIt() {
        String big = "ü€".repeat(5000);
        Bytes<byte[]> b = Bytes.allocateElasticOnHeap(8);
        b.writeInt(42);
        Utf8.write(b, big);
        Utf8.write(b, "");
        assertEquals(42, b.readInt());
        assertEquals(big, Utf8.read(b));
        assertEquals("", Utf8.read(b));
        assertEquals(0, b.readRemaining());
    }

    @Test
    void genericFormRoundTripsThroughTheDescribedShape() {
        ContainerSpec spec = Fixtures.spec("busybox");
        Shape.Rec shape = BinaryCodec.shapeOf(ContainerSpec.class);
        assertEquals(shape, ShapeParser.parse(shape.describe()), "describe and parse are inverses");

        Bytes<byte[]> b = Bytes.allocateElasticOnHeap(256);
        BinaryCodec.write(spec, b);
        Map<String, Object> generic = BinaryCodec.readGeneric(shape, b);
        assertEquals("busybox", generic.get("image"));
        assertEquals(spec, BinaryCodec.fromGeneric(ContainerSpec.class, generic));

        Bytes<byte[]> again = Bytes.allocateElasticOnHeap(256);
        BinaryCodec.writeGeneric(shape, generic, again);
        assertEquals(spec, BinaryCodec.read(ContainerSpec.class, again));
    }

    @Test
    void absentFieldsTakeDefaults() {
        ContainerSpec.Resources r = BinaryCodec.fromGeneric(ContainerSpec.Resources.class,
                new HashMap<>(Map.of("memory", 5L)));
        assertEquals(5L, r.memory());
        assertEquals(0L, r.nanoCpus());
        assertEquals(List.of(), r.ulimits());
    }

    @Test
    void damagedInputFailsInsteadOfAllocatingWildly() {
        Bytes<byte[]> b = Bytes.allocateElasticOnHeap(16);
        Utf8.write(b, "container.created.v1");
        Utf8.write(b, Fixtures.id(1));
        Utf8.write(b, "n");
        b.writeByte((byte) 1);
        Utf8.write(b, "img");
        Utf8.write(b, "sha256:x");
        b.writeStopBit(Integer.MAX_VALUE); // entrypoint list count far beyond the input
        assertThrows(IllegalArgumentException.class, () -> EventCodec.read(b));
    }

    @Test
    void unknownAndFutureEventsAreRefused() {
        Bytes<byte[]> b = Bytes.allocateElasticOnHeap(16);
        Utf8.write(b, "container.teleported.v1");
        assertThrows(IllegalArgumentException.class, () -> EventCodec.read(b));
        Bytes<byte[]> c = Bytes.allocateElasticOnHeap(16);
        Utf8.write(c, "container.started.v9");
        assertThrows(IllegalArgumentException.class, () -> EventCodec.read(c));
    }
}
