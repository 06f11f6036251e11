package io.berth.events.journal;

import java.util.List;

/** What a replay read: how many entries, up to which sequence, and the damage it skipped. */
public record ReplayResult(long count, long lastSeq, List<JournalDamage> damage) {
    public ReplayResult {
        damage = List.copyOf(damage);
    }
}
