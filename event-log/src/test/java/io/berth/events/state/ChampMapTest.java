package io.berth.events.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChampMapTest {

    /** A key whose hash the test chooses, to force deep paths and full collisions. */
    record Key(int hash, int id) {
        @Override
        public int hashCode() {
            return hash;
        }
    }

    @Test
    void behavesLikeAHashMapUnderRandomOperations() {
        Random rnd = new Random(7);
        for (int round = 0; round < 20; round++) {
            Map<Key, Integer> model = new HashMap<>();
            ChampMap<Key, Integer> map = ChampMap.empty();
            int hashes = 1 + rnd.nextInt(round % 2 == 0 ? 8 : 5000);
            for (int op = 0; op < 5000; op++) {
                Key k = new Key(rnd.nextInt(hashes) * (round % 3 == 0 ? 1 << 27 : 1), rnd.nextInt(40));
                if (rnd.nextInt(3) == 0) {
                    ChampMap<Key, Integer> before = map;
                    map = map.minus(k);
                    if (model.remove(k) == null) {
                        assertSame(before, map, "removing an absent key changes nothing");
                    }
                } else {
                    int v = rnd.nextInt(100);
                    map = map.plus(k, v);
                    model.put(k, v);
                }
                assertEquals(model.size(), map.size());
                assertEquals(model.get(k), map.get(k));
            }
            assertEquals(model, map);
            assertEquals(map, model);
            assertEquals(model.hashCode(), map.hashCode());
            for (Key k : List.copyOf(model.keySet())) {
                map = map.minus(k);
            }
            assertEquals(0, map.size());
            assertEquals(Map.of(), map);
        }
    }

    @Test
    void oldVersionsStayIntact() {
        ChampMap<String, Integer> a = ChampMap.<String, Integer>empty().plus("x", 1).plus("y", 2);
        ChampMap<String, Integer> b = a.plus("x", 3).minus("y");
        assertEquals(Map.of("x", 1, "y", 2), a);
        assertEquals(Map.of("x", 3), b);
        assertNull(b.get("y"));
        assertSame(a, a.plus("x", a.get("x")), "putting the same value again returns the same map");
        assertThrows(UnsupportedOperationException.class, () -> a.put("z", 1));
        assertThrows(NullPointerException.class, () -> a.plus(null, 1));
    }
}
