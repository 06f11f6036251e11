package io.berth.events.state;

import static io.berth.events.state.ContainerState.Status.CREATED;
import static io.berth.events.state.ContainerState.Status.DEAD;
import static io.berth.events.state.ContainerState.Status.EXITED;
import static io.berth.events.state.ContainerState.Status.PAUSED;
import static io.berth.events.state.ContainerState.Status.REMOVING;
import static io.berth.events.state.ContainerState.Status.RESTARTING;
import static io.berth.events.state.ContainerState.Status.RUNNING;

import io.berth.errors.EngineException;
import io.berth.events.state.ContainerState.Status;
import java.util.Locale;

/**
 * The container lifecycle's transition table: for each state, which verbs are legal and which state
 * each leads to. The reducer enforces it on every event, and the daemon checks it before it asks the
 * runtime to do anything, so both refuse the same moves with the same CONFLICT error.
 */
public final class Transitions {

    /** What can be done to a container. Verbs that keep the state map a state to itself. */
    public enum Verb {
        START, PAUSE, UNPAUSE, EXIT, RESTART, REMOVE, DIE, REMOVED,
        KILL, STOP, OOM, RENAME, UPDATE, EXEC, ATTACH, RESIZE, CANCEL;

        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Marks the end of a container's life: after {@code REMOVED} it is gone from the state. */
    public static final Status GONE = null;

    /**
     * The table by ordinals, legality apart because a legal move may lead to {@link #GONE}: the
     * reducer consults it on every container event of a replay.
     */
    private static final boolean[][] LEGAL = new boolean[Status.values().length][Verb.values().length];
    private static final Status[][] NEXT = new Status[Status.values().length][Verb.values().length];

    static {
        on(CREATED, Verb.START, RUNNING);
        on(CREATED, Verb.REMOVE, REMOVING);
        stays(CREATED, Verb.RENAME, Verb.UPDATE, Verb.ATTACH);

        on(RUNNING, Verb.PAUSE, PAUSED);
        on(RUNNING, Verb.EXIT, EXITED);
        stays(RUNNING, Verb.KILL, Verb.STOP, Verb.OOM, Verb.RENAME, Verb.UPDATE, Verb.EXEC, Verb.ATTACH, Verb.RESIZE);

        on(PAUSED, Verb.UNPAUSE, RUNNING);
        on(PAUSED, Verb.EXIT, EXITED);
        stays(PAUSED, Verb.KILL, Verb.STOP, Verb.OOM, Verb.RENAME, Verb.UPDATE, Verb.ATTACH, Verb.RESIZE);

        on(EXITED, Verb.START, RUNNING);
        on(EXITED, Verb.RESTART, RESTARTING);
        on(EXITED, Verb.REMOVE, REMOVING);
        stays(EXITED, Verb.RENAME, Verb.UPDATE, Verb.ATTACH);

        on(RESTARTING, Verb.START, RUNNING);
        on(RESTARTING, Verb.CANCEL, EXITED);
        on(RESTARTING, Verb.REMOVE, REMOVING);
        stays(RESTARTING, Verb.STOP, Verb.RENAME, Verb.UPDATE);

        on(REMOVING, Verb.DIE, DEAD);
        on(REMOVING, Verb.REMOVED, GONE);

        on(DEAD, Verb.REMOVE, REMOVING);
    }

    private Transitions() {}

    private static void on(Status from, Verb verb, Status to) {
        LEGAL[from.ordinal()][verb.ordinal()] = true;
        NEXT[from.ordinal()][verb.ordinal()] = to;
    }

    private static void stays(Status state, Verb... verbs) {
        for (Verb v : verbs) {
            on(state, v, state);
        }
    }

    /** True when {@code verb} is legal in state {@code from}. */
    public static boolean allowed(Status from, Verb verb) {
        return LEGAL[from.ordinal()][verb.ordinal()];
    }

    /**
     * The state {@code verb} leads to from {@code from} ({@link #GONE} for {@code REMOVED}).
     *
     * @throws EngineException CONFLICT "cannot VERB: container is STATE" when the move is illegal
     */
    public static Status next(Status from, Verb verb) {
        if (!allowed(from, verb)) {
            throw EngineException.conflict("cannot " + verb.word() + ": container is " + from.word());
        }
        return NEXT[from.ordinal()][verb.ordinal()];
    }

    /** Checks that {@code verb} is legal for the container without computing the next state. */
    public static void require(Container c, Verb verb) {
        next(c.state().status(), verb);
    }
}
