package io.berth.daemon.runtime.oom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OomCountersTest {
    /** {@code cat /sys/fs/cgroup/memory/memory.oom_control} on the cgroup v1 build host (kernel 6.18). */
    static final String V1_ROOT = "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n";
    /** A container's memory.oom_control after its main process was OOM-killed (RUNTIME.md §4). */
    static final String V1_AFTER_KILL = "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n";
    /** memory.events as kernel 6.x prints it for a cgroup that hit memory.max and had two kills. */
    static final String V2_EVENTS = "low 0\nhigh 0\nmax 1543\noom 3\noom_kill 2\noom_group_kill 0\n";

    @Test
    void readsV1OomControl() {
        assertEquals(Map.of("oom_kill_disable", 0L, "under_oom", 0L, "oom_kill", 0L), OomCounters.parse(V1_ROOT));
        assertEquals(List.of("oom_kill_disable", "under_oom", "oom_kill"), List.copyOf(OomCounters.parse(V1_ROOT).keySet()));
        assertEquals(0, OomCounters.oomKill(V1_ROOT));
        assertEquals(1, OomCounters.oomKill(V1_AFTER_KILL));
    }

    @Test
    void readsV2MemoryEventsWhateverCountersTheKernelAdds() {
        assertEquals(2, OomCounters.oomKill(V2_EVENTS));
        assertEquals(1543, OomCounters.parse(V2_EVENTS).get("max"));
        // Older kernels lack oom_group_kill; newer ones add counters such as sock_throttled.
        assertEquals(7, OomCounters.oomKill("low 0\nhigh 0\nmax 9\noom 7\noom_kill 7\n"));
        assertEquals(7, OomCounters.oomKill(V2_EVENTS.replace("oom_kill 2", "oom_kill 7") + "sock_throttled 4\n"));
        assertEquals(Long.MAX_VALUE, OomCounters.oomKill("oom_kill " + Long.MAX_VALUE)); // no final newline
    }

    @Test
    void malformedTextIsRejectedWithTheLine() {
        for (String bad : List.of("oom_kill", "oom_kill ", " 1", "oom_kill  1", "oom_kill 1 2", "oom_kill\t1",
                "oom_kill -1", "oom_kill +1", "oom_kill 1x", "oom_kill 0x10", "oom_kill 99999999999999999999",
                "under_oom 0\r\noom_kill 1\n")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OomCounters.parse(bad), bad);
            assertTrue(e.getMessage().contains("\""), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> OomCounters.parse("oom 1\noom 2\n"));
    }

    @Test
    void aFileWithoutOomKillHasNoCount() {
        assertEquals(Map.of(), OomCounters.parse(""));
        assertThrows(IllegalArgumentException.class, () -> OomCounters.oomKill(""));
        assertThrows(IllegalArgumentException.class, () -> OomCounters.oomKill("low 0\nhigh 0\nmax 0\noom 0\n"));
        assertThrows(IllegalArgumentException.class, () -> OomCounters.oomKill("oom_group_kill 1\n"));
    }
}
