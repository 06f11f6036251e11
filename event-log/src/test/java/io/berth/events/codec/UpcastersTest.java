package io.berth.events.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import io.berth.events.ContainerEvent;
import io.berth.events.ContainerSpec;
import io.berth.events.Fixtures;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.openhft.chronicle.bytes.Bytes;
import org.junit.jupiter.api.Test;

/** One test per upcaster: an entry written in the old shape reads as the current record. */
class UpcastersTest {

    @Test
    void containerExitedV1ReadsAsV2WithUnknownPid() {
        Map<String, Object> v1 = new LinkedHashMap<>();
        v1.put("id", Fixtures.id(9));
        v1.put("exitCode", 3);
        v1.put("finishedAtNanos", 1_700_000_000_000_000_001L);
        Bytes<byte[]> b = Bytes.allocateElasticOnHeap(64);
        Utf8.write(b, "container.exited.v1");
        BinaryCodec.writeGeneric(Upcasters.CONTAINER_EXITED_V1.fromShape(), v1, b);

        assertEquals(new ContainerEvent.Exited(Fixtures.id(9), 3, 1_700_000_000_000_000_001L, 0), EventCodec.read(b));
        assertEquals(0, b.readRemaining());
    }

    @Test
    void theV1ShapeIsTheOneV1WasWrittenIn() {
        // The golden line of container.exited before v2; a change here would make old journals unreadable.
        assertEquals("Exited{id:S,exitCode:I,finishedAtNanos:J}",
                Upcasters.CONTAINER_EXITED_V1.fromShape().describe());
    }

    @Test
    void containerStartedV1ReadsAsV2WithTheJournalTimeStandingIn() {
        Map<String, Object> v1 = new LinkedHashMap<>();
        v1.put("id", Fixtures.id(4));
        v1.put("pid", 321);
        Bytes<byte[]> b = Bytes.allocateElasticOnHeap(64);
        Utf8.write(b, "container.started.v1");
        BinaryCodec.writeGeneric(Upcasters.CONTAINER_STARTED_V1.fromShape(), v1, b);
        assertEquals(new ContainerEvent.Started(Fixtures.id(4), 321, 0), EventCodec.read(b));
        assertEquals("Started{id:S,pid:I}", Upcasters.CONTAINER_STARTED_V1.fromShape().describe());
    }

    @Test
    void containerStopRequestedV1ReadsAsAUsersStop() {
        Map<String, Object> v1 = new LinkedHashMap<>();
        v1.put("id", Fixtures.id(5));
        v1.put("signal", 15);
        v1.put("timeoutSeconds", 10);
        Bytes<byte[]> b = Bytes.allocateElasticOnHeap(64);
        Utf8.write(b, "container.stop-requested.v1");
        BinaryCodec.writeGeneric(Upcasters.CONTAINER_STOP_REQUESTED_V1.fromShape(), v1, b);
        assertEquals(new ContainerEvent.StopRequested(Fixtures.id(5), 15, 10, false), EventCodec.read(b));
        assertEquals("StopRequested{id:S,signal:I,timeoutSeconds:I}",
                Upcasters.CONTAINER_STOP_REQUESTED_V1.fromShape().describe());
    }

    @Test
    void containerCreatedV1ReadsAsV2WithoutPortsMountsOrAliases() {
        ContainerSpec spec = Fixtures.spec("busybox");
        // Written as v1 was: the v2 record's payload without the fields v2 added.
        Map<String, Object> current = new LinkedHashMap<>();
        Bytes<byte[]> tmp = Bytes.allocateElasticOnHeap(256);
        BinaryCodec.write(new ContainerEvent.Created(Fixtures.id(3), "old", spec), tmp);
        current.putAll(BinaryCodec.readGeneric(BinaryCodec.shapeOf(ContainerEvent.Created.class), tmp));
        @SuppressWarnings("unchecked")
        Map<String, Object> s = new LinkedHashMap<>((Map<String, Object>) current.get("spec"));
        for (String added : List.of("exposedPorts", "portBindings", "publishAllPorts", "mounts",
                "networkAliases")) {
            s.remove(added);
        }
        current.put("spec", s);
        Bytes<byte[]> b = Bytes.allocateElasticOnHeap(256);
        Utf8.write(b, "container.created.v1");
        BinaryCodec.writeGeneric(Upcasters.CONTAINER_CREATED_V1.fromShape(), current, b);

        assertEquals(new ContainerEvent.Created(Fixtures.id(3), "old", spec), EventCodec.read(b));
        assertEquals(0, b.readRemaining());
        assertEquals(true, Upcasters.CONTAINER_CREATED_V1.fromShape().describe().endsWith("networkMode:S,binds:L<S>}}"));
    }

    @Test
    void containerCreatedV2ReadsAsV3WithDockersDefaultConfinement() {
        ContainerSpec spec = Fixtures.spec("busybox");
        Map<String, Object> current = new LinkedHashMap<>();
        Bytes<byte[]> tmp = Bytes.allocateElasticOnHeap(256);
        BinaryCodec.write(new ContainerEvent.Created(Fixtures.id(6), "v2", spec), tmp);
        current.putAll(BinaryCodec.readGeneric(BinaryCodec.shapeOf(ContainerEvent.Created.class), tmp));
        @SuppressWarnings("unchecked")
        Map<String, Object> s = new LinkedHashMap<>((Map<String, Object>) current.get("spec"));
        s.remove("security");
        current.put("spec", s);
        Bytes<byte[]> b = Bytes.allocateElasticOnHeap(256);
        Utf8.write(b, "container.created.v2");
        BinaryCodec.writeGeneric(Upcasters.CONTAINER_CREATED_V2.fromShape(), current, b);

        ContainerEvent.Created read = (ContainerEvent.Created) EventCodec.read(b);
        assertEquals(ContainerSpec.Security.DEFAULT, read.spec().security());
        assertEquals(new ContainerEvent.Created(Fixtures.id(6), "v2", spec), read);
        assertEquals(0, b.readRemaining());
    }

    @Test
    void aVersionNewerThanThisBuildIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Upcasters.upcast("container.exited", 3, new LinkedHashMap<>()));
    }
}
