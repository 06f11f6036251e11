package io.berth.bench;

import io.berth.events.ContainerEvent;
import io.berth.events.Event;
import io.berth.events.EventEnvelope;
import io.berth.events.Fixtures;
import io.berth.events.journal.Journal;
import io.berth.events.journal.JournalConfig;
import io.berth.events.journal.internal.ChronicleJournal;
import io.berth.events.snapshot.SnapshotStore;
import io.berth.events.state.EngineState;
import io.berth.events.state.StateReducer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Fills a daemon's data root with a journal of a given length over a given number of containers,
 * for the restart benchmark: each container is created, then runs start/exit cycles
 * until the journal holds the events asked for (one more at most); every container ends exited, as
 * after a quiet day. With a snapshot interval, it snapshots as the daemon does, every that many
 * events, so a restart replays only the tail.
 *
 * <p>{@code JournalFill DATA_ROOT EVENTS CONTAINERS SNAPSHOT_EVERY} (0: no snapshots)
 */
public final class JournalFill {

    private JournalFill() {}

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        long events = Long.parseLong(args[1]);
        int containers = Integer.parseInt(args[2]);
        long snapshotEvery = Long.parseLong(args[3]);
        SnapshotStore snapshots = snapshotEvery > 0 ? new SnapshotStore(root.resolve("snapshots"), 2) : null;
        Journal journal = ChronicleJournal.open(JournalConfig.defaults(root.resolve("journal")));
        EngineState state = EngineState.EMPTY;
        long written = 0;
        int round = 0;
        try {
            List<Event> batch = new ArrayList<>();
            for (int c = 0; c < containers; c++) {
                batch.add(new ContainerEvent.Created(Fixtures.id(c + 1), "c" + (c + 1), Fixtures.spec("busybox")));
            }
            while (written < events) {
                if (batch.isEmpty()) {
                    round++;
                    for (int c = 0; c < containers && batch.size() < 4096; c++) {
                        String id = Fixtures.id(c + 1);
                        int pid = 10_000 + (round * 7 + c) % 50_000;
                        batch.add(new ContainerEvent.Started(id, pid, 0));
                        batch.add(new ContainerEvent.Exited(id, round % 3, 0, pid));
                    }
                }
                // Whole start/exit pairs, so no container is left running (the count may end one over).
                long remaining = events - written;
                int take = (int) Math.min(batch.size(), remaining + (remaining % 2));
                List<Event> now = new ArrayList<>(batch.subList(0, take));
                batch.subList(0, now.size()).clear();
                for (EventEnvelope env : journal.appendAll(now).get()) {
                    state = StateReducer.apply(state, env);
                    written++;
                    // Half an interval out of step with round lengths, so a restart replays a tail of
                    // about half an interval, the daemon's average.
                    if (snapshots != null && (written + snapshotEvery / 2) % snapshotEvery == 0) {
                        snapshots.write(state);
                    }
                }
            }
        } finally {
            journal.close();
        }
        System.out.printf("%d events, %d containers, last sequence %d, snapshot at %d%n", written,
                state.containers().size(), state.seq(), snapshots == null ? 0 : snapshots.latestSeq());
    }
}
