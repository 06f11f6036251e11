package io.berth.daemon.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.errors.EngineException;
import io.vertx.core.json.JsonArray;
import java.util.List;
import org.junit.jupiter.api.Test;

class IdMapTest {

    private static final IdMap TWO_RANGES = new IdMap(
            List.of(new IdMap.Range(0, 100_000, 1000), new IdMap.Range(1000, 500_000, 64_536)),
            List.of(new IdMap.Range(0, 200_000, 65_536)));

    @Test
    void idsMapBothWaysThroughTheirRanges() {
        assertTrue(TWO_RANGES.remapped());
        assertEquals(100_000, TWO_RANGES.rootUid());
        assertEquals(200_000, TWO_RANGES.rootGid());
        assertEquals(100_999, TWO_RANGES.hostUid(999));
        assertEquals(500_000, TWO_RANGES.hostUid(1000));
        assertEquals(564_535, TWO_RANGES.hostUid(65_535));
        assertEquals(1000, TWO_RANGES.containerUid(500_000));
        assertEquals(65_534, TWO_RANGES.containerUid(0), "host root is nobody inside");
        assertEquals(265_534, TWO_RANGES.hostGid(65_534));
        EngineException e = assertThrows(EngineException.class, () -> TWO_RANGES.hostUid(65_536));
        assertEquals("container uid 65536 cannot be mapped to a host uid", e.getMessage());
    }

    @Test
    void noneIsTheIdentity() {
        assertFalse(IdMap.NONE.remapped());
        assertEquals(0, IdMap.NONE.rootUid());
        assertEquals(70_000, IdMap.NONE.hostGid(70_000));
        assertEquals(70_000, IdMap.NONE.containerUid(70_000));
    }

    @Test
    void ociMappingsListEveryRange() {
        assertEquals(new JsonArray("[{\"containerID\":0,\"hostID\":100000,\"size\":1000},"
                + "{\"containerID\":1000,\"hostID\":500000,\"size\":64536}]"), TWO_RANGES.ociUids());
        assertEquals(new JsonArray("[{\"containerID\":0,\"hostID\":200000,\"size\":65536}]"), TWO_RANGES.ociGids());
        assertThrows(IllegalArgumentException.class, () -> new IdMap(List.of(new IdMap.Range(0, 1, 1)), List.of()));
        assertThrows(IllegalArgumentException.class, () -> new IdMap.Range(0, 1, 0));
    }
}
