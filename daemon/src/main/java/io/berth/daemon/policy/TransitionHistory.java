package io.berth.daemon.policy;

import io.berth.events.ContainerEvent;
import io.berth.events.EventEnvelope;
import io.berth.events.journal.Journal;
import io.berth.events.journal.JournalTailer;
import io.berth.scripting.PolicyEngine.Transition;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Each container's recent transitions, in {@code docker events}' words, as a policy's
 * {@code ctx.history} shows them: folded from the journal as it is written, and seeded at start from
 * the journal's last entries, so a decision after a daemon restart sees the runs before it.
 * Confined to the engine's context.
 */
public final class TransitionHistory {

    /** How many transitions a container keeps. */
    static final int KEEP = 64;
    /** How far back a start reads the journal for them. */
    static final long SEED_ENTRIES = 50_000;

    private final Map<String, Deque<Transition>> byContainer = new HashMap<>();

    /** Reads the journal's last entries (up to {@link #SEED_ENTRIES}) into the history. */
    public void seed(Journal journal) {
        long last = journal.lastSeq();
        if (last == 0) {
            return;
        }
        try (JournalTailer t = journal.tailerFrom(Math.max(journal.firstSeq(), last - SEED_ENTRIES + 1))) {
            for (EventEnvelope e = t.next(); e != null; e = t.next()) {
                accept(e);
                if (e.seq() >= last) {
                    break;
                }
            }
        }
    }

    /** Folds one journal entry. */
    public void accept(EventEnvelope env) {
        if (!(env.event() instanceof ContainerEvent e)) {
            return;
        }
        long ms = env.timeNanos() / 1_000_000;
        Transition t = switch (e) {
            case ContainerEvent.Created x -> new Transition("create", ms, null);
            case ContainerEvent.Started x -> new Transition("start", ms, null);
            case ContainerEvent.Exited x -> new Transition("die", x.finishedAtNanos() > 0
                    ? x.finishedAtNanos() / 1_000_000 : ms, x.exitCode());
            case ContainerEvent.OomKilled x -> new Transition("oom", ms, null);
            case ContainerEvent.Killed x -> new Transition("kill", ms, null);
            case ContainerEvent.Stopped x -> new Transition("stop", ms, null);
            case ContainerEvent.Paused x -> new Transition("pause", ms, null);
            case ContainerEvent.Unpaused x -> new Transition("unpause", ms, null);
            case ContainerEvent.Restarting x -> new Transition("restarting", ms, null);
            case ContainerEvent.Restarted x -> new Transition("restart", ms, null);
            case ContainerEvent.Removed x -> {
                byContainer.remove(x.id());
                yield null;
            }
            default -> null;
        };
        if (t != null) {
            Deque<Transition> d = byContainer.computeIfAbsent(e.id(), k -> new ArrayDeque<>());
            d.addLast(t);
            while (d.size() > KEEP) {
                d.removeFirst();
            }
        }
    }

    /** The container's transitions, oldest first. */
    public List<Transition> of(String id) {
        Deque<Transition> d = byContainer.get(id);
        return d == null ? List.of() : List.copyOf(d);
    }
}
