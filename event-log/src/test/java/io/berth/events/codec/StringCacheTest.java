package io.berth.events.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StringCacheTest {

    @Test
    void repeatedBytesGiveTheSameInstanceAndEveryStringIsRight() {
        StringCache cache = new StringCache();
        Random rnd = new Random(5);
        // Far more distinct strings than slots, so slots are shared and overwritten.
        for (int i = 0; i < 50_000; i++) {
            String want = switch (rnd.nextInt(4)) {
                case 0 -> "id" + rnd.nextInt(20_000) + "-ü-padding";
                case 1 -> "c" + rnd.nextInt(50);
                case 2 -> "x".repeat(StringCache.MAX_BYTES + 1);
                default -> Long.toHexString(rnd.nextLong()) + Long.toHexString(rnd.nextInt(300));
            };
            byte[] framed = ("##" + want + "##").getBytes(StandardCharsets.UTF_8);
            int length = framed.length - 4;
            assertEquals(want, cache.get(framed, 2, length));
        }
        byte[] again = "id42-ü-padding".getBytes(StandardCharsets.UTF_8);
        String a = cache.get(again, 0, again.length);
        assertSame(a, cache.get(again.clone(), 0, again.length), "the second read of the same bytes is the first's string");
        byte[] shortOne = "box".getBytes(StandardCharsets.UTF_8);
        assertSame(cache.get(shortOne, 0, 3), cache.get(shortOne.clone(), 0, 3), "short strings are cached too");
        assertEquals("", cache.get(shortOne, 1, 0));
    }
}
