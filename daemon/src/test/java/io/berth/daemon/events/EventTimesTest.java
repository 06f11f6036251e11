package io.berth.daemon.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.berth.errors.EngineException;
import io.berth.errors.ErrorKind;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** since/until as the docker CLI sends them, and as people type them against the API. */
class EventTimesTest {

    private static final long NOW = 1_795_394_433_514_365_519L;
    private static final ZoneId UTC = ZoneOffset.UTC;

    private static long parse(String v) {
        return EventTimes.parse(v, "since", EventTimes.NO_SINCE, NOW, UTC);
    }

    @Test
    void absentIsTheGivenDefault() {
        assertEquals(EventTimes.NO_SINCE, parse(null));
        assertEquals(EventTimes.NO_SINCE, parse(""));
        assertEquals(EventTimes.NO_UNTIL, EventTimes.parse(null, "until", EventTimes.NO_UNTIL, NOW, UTC));
    }

    @Test
    void unixSecondsWithAFractionAsTheCliSendsThem() {
        assertEquals(1_795_394_433_514_365_519L, parse("1795394433.514365519"), "the CLI's %d.%09d");
        assertEquals(1_795_394_433_000_000_000L, parse("1795394433"));
        assertEquals(1_795_394_433_500_000_000L, parse("1795394433.5"), "a short fraction is tenths, as in dockerd");
        assertEquals(0, parse("0"));
    }

    @Test
    void rfc3339DatesAndDurations() {
        assertEquals(1_795_394_433_514_365_519L, parse("2026-11-23T00:40:33.514365519Z"));
        assertEquals(1_795_394_433_000_000_000L, parse("2026-11-23T01:40:33+01:00"));
        assertEquals(1_795_394_433_000_000_000L, parse("2026-11-23T00:40:33"), "no zone: the daemon's");
        assertEquals(1_795_392_000_000_000_000L, parse("2026-11-23"));
        assertEquals(NOW - 600_000_000_000L, parse("10m"));
        assertEquals(NOW - 5_400_000_000_000L, parse("1h30m"));
        assertEquals(NOW - 1_500_000_000L, parse("1.5s"));
        assertEquals(NOW - 250_000_000L, parse("250ms"));
    }

    @Test
    void garbageIsRefusedWithDockerdsMessage() {
        EngineException e = assertThrows(EngineException.class, () -> parse("yesterday"));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertEquals("invalid since timestamp: strconv.ParseInt: parsing \"yesterday\": invalid syntax", e.getMessage());
        assertEquals("invalid until timestamp: strconv.ParseInt: parsing \"x\": invalid syntax",
                assertThrows(EngineException.class, () -> EventTimes.parse("12.x", "until", 0, NOW, UTC)).getMessage());
        assertThrows(EngineException.class, () -> parse("10 minutes"));
        assertThrows(EngineException.class, () -> parse("99999999999999999999"));
    }
}
