package io.berth.exporters.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import io.berth.events.ContainerEvent;
import io.berth.events.DaemonEvent;
import io.berth.events.Event;
import io.berth.events.EventEnvelope;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class JournalCountersTest {

    private static final String ID = "c".repeat(64);

    private static void fold(JournalCounters c, long fromSeq, List<Event> events) {
        long seq = fromSeq;
        for (Event e : events) {
            c.apply(new EventEnvelope(seq, seq * 1000, e.actorId(), e));
            seq++;
        }
    }

    private static Map<JournalCounters.RestartKey, Long> restarts(JournalCounters c) {
        return c.containers().get(ID).restarts().entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().get()));
    }

    private static final List<Event> LIFE = List.of(
            new ContainerEvent.Created(ID, "web", null),
            new ContainerEvent.Started(ID, 10, 1),
            new ContainerEvent.OomKilled(ID),
            new ContainerEvent.Exited(ID, 137, 2, 10),
            new ContainerEvent.Restarting(ID, 1, 100, "always after exit code 137"),
            new ContainerEvent.Started(ID, 11, 3),
            new ContainerEvent.Exited(ID, 1, 4, 11),
            new ContainerEvent.Restarting(ID, 2, 200, "policy backoff (onExit) after exit code 1"),
            new ContainerEvent.Started(ID, 12, 5),
            new ContainerEvent.Exited(ID, 0, 6, 12),
            new ContainerEvent.Restarting(ID, 3, 400, "always after exit code 0"));

    @Test
    void countsRestartsByWhatEndedTheRunAndWhoDecided() {
        JournalCounters c = new JournalCounters();
        fold(c, 1, LIFE);
        assertEquals(Map.of(new JournalCounters.RestartKey("oom", "always"), 1L,
                new JournalCounters.RestartKey("error", "policy:backoff"), 1L,
                new JournalCounters.RestartKey("exit", "always"), 1L), restarts(c));
        assertEquals(1, c.containers().get(ID).ooms().get());
        assertEquals(3, c.events().get(new JournalCounters.EventKey("container", "started")).get());
        assertEquals(1, c.events().get(new JournalCounters.EventKey("container", "oom-killed")).get());
        assertEquals(11, c.seq());
    }

    @Test
    void aCheckpointContinuesExactlyAndOldEntriesAreNotCountedTwice() {
        JournalCounters whole = new JournalCounters();
        fold(whole, 1, LIFE);
        fold(whole, 12, List.of(new DaemonEvent.Started("d", "0.1.0", 1)));

        JournalCounters first = new JournalCounters();
        fold(first, 1, LIFE.subList(0, 6));
        JournalCounters resumed = JournalCounters.fromJson(first.toJson());
        // A tailer resuming from the checkpoint may hand back the entry it covers; it is skipped.
        fold(resumed, 6, LIFE.subList(5, LIFE.size()));
        fold(resumed, 12, List.of(new DaemonEvent.Started("d", "0.1.0", 1)));
        assertEquals(whole.toJson(), resumed.toJson());
    }

    @Test
    void aRemovedContainerLeavesNoCounts() {
        JournalCounters c = new JournalCounters();
        fold(c, 1, List.of(new ContainerEvent.Created(ID, "web", null), new ContainerEvent.Removed(ID)));
        assertNull(c.containers().get(ID));
    }

    @Test
    void theDeciderIsTheHeadOfTheReason() {
        assertEquals("on-failure", JournalCounters.decidedBy("on-failure:3 after exit code 1"));
        assertEquals("unless-stopped", JournalCounters.decidedBy("unless-stopped after exit code 0"));
        assertEquals("policy:oom-grow", JournalCounters.decidedBy("policy oom-grow (onOom) after exit code 137"));
        assertEquals("unknown", JournalCounters.decidedBy(""));
    }
}
