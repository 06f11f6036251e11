package io.berth.daemon.os;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class SubIdsTest {

    private static final String FILE = """
            # comment
            alice:100000:65536
            bob:165536:65536
            alice:300000:1000
            1001:400000:65536
            broken:x:1
            empty:500000:0
            """;

    @Test
    void rangesOfAUserByNameOrIdAreConsecutiveInTheContainer() {
        assertEquals(List.of(new IdMap.Range(0, 100_000, 65_536), new IdMap.Range(65_536, 300_000, 1000)),
                SubIds.ranges(FILE, "alice", 1000));
        assertEquals(List.of(new IdMap.Range(0, 400_000, 65_536)), SubIds.ranges(FILE, "carol", 1001),
                "subuid(5) allows a numeric uid in place of the name");
        assertEquals(List.of(), SubIds.ranges(FILE, "broken", 7));
        assertEquals(List.of(), SubIds.ranges(FILE, "empty", 8));
        assertEquals(List.of(), SubIds.ranges("", "alice", 1000));
    }

    @Test
    void aFreeRangeOverlapsNobody() {
        assertEquals(SubIds.FIRST, SubIds.freeStart("", SubIds.SIZE));
        assertEquals(231_072, SubIds.freeStart("alice:100000:65536\nbob:165536:65536\n", SubIds.SIZE));
        // The gap between 236072 and 300000 is too small for 65536 ids; the one from 301000 is not.
        assertEquals(301_000, SubIds.freeStart(FILE + "dan:231072:5000\n", SubIds.SIZE));
        assertEquals(236_072, SubIds.freeStart(FILE + "dan:231072:5000\n", 100),
                "a small range fits in the first gap");
        assertEquals(100_000, SubIds.freeStart("low:1000:5000\n", SubIds.SIZE), "ranges below the start are ignored");
    }
}
