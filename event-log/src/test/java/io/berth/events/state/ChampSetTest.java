package io.berth.events.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ChampSetTest {

    @Test
    void behavesLikeAHashSetUnderRandomOperations() {
        Random rnd = new Random(11);
        Set<String> model = new HashSet<>();
        ChampSet<String> set = ChampSet.empty();
        for (int op = 0; op < 20_000; op++) {
            String e = "x" + rnd.nextInt(3000);
            if (rnd.nextInt(3) == 0) {
                ChampSet<String> before = set;
                set = set.minus(e);
                if (!model.remove(e)) {
                    assertSame(before, set, "removing an absent element changes nothing");
                }
            } else {
                set = set.plus(e);
                model.add(e);
            }
            assertEquals(model.size(), set.size());
            assertEquals(model.contains(e), set.contains(e));
        }
        assertEquals(model, set);
        assertEquals(set, model);
        assertEquals(model.hashCode(), set.hashCode());
        assertEquals(model, new HashSet<>(List.copyOf(set)), "iteration yields each element once");
        assertEquals(0, set.minusAll(List.copyOf(model)).size());
    }

    @Test
    void oldVersionsStayIntactAndMutatorsThrow() {
        ChampSet<String> a = ChampSet.<String>empty().plusAll(List.of("a", "b"));
        ChampSet<String> b = a.minus("a").plus("c");
        assertEquals(Set.of("a", "b"), a);
        assertEquals(Set.of("b", "c"), b);
        assertSame(a, a.plus("a"), "adding a present element returns the same set");
        assertFalse(b.contains("a"));
        assertTrue(b.contains("c"));
        assertThrows(UnsupportedOperationException.class, () -> a.add("z"));
        assertThrows(UnsupportedOperationException.class, () -> a.remove("a"));
        assertThrows(NullPointerException.class, () -> a.plus(null));
    }
}
