package io.berth.events.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.errors.EngineException;
import io.berth.errors.ErrorKind;
import io.berth.events.state.ContainerState.Status;
import io.berth.events.state.Transitions.Verb;
import org.junit.jupiter.api.Test;

class TransitionsTest {

    @Test
    void dockerLifecycleMoves() {
        assertEquals(Status.RUNNING, Transitions.next(Status.CREATED, Verb.START));
        assertEquals(Status.PAUSED, Transitions.next(Status.RUNNING, Verb.PAUSE));
        assertEquals(Status.RUNNING, Transitions.next(Status.PAUSED, Verb.UNPAUSE));
        assertEquals(Status.EXITED, Transitions.next(Status.PAUSED, Verb.EXIT));
        assertEquals(Status.EXITED, Transitions.next(Status.RUNNING, Verb.EXIT));
        assertEquals(Status.RESTARTING, Transitions.next(Status.EXITED, Verb.RESTART));
        assertEquals(Status.RUNNING, Transitions.next(Status.RESTARTING, Verb.START));
        assertEquals(Status.EXITED, Transitions.next(Status.RESTARTING, Verb.CANCEL), "stop during backoff");
        assertEquals(Status.RUNNING, Transitions.next(Status.EXITED, Verb.START));
        assertEquals(Status.REMOVING, Transitions.next(Status.EXITED, Verb.REMOVE));
        assertEquals(Status.DEAD, Transitions.next(Status.REMOVING, Verb.DIE));
        assertEquals(Status.REMOVING, Transitions.next(Status.DEAD, Verb.REMOVE));
        assertNull(Transitions.next(Status.REMOVING, Verb.REMOVED));
    }

    @Test
    void illegalMovesAreConflictsNamingVerbAndState() {
        EngineException e = assertThrows(EngineException.class, () -> Transitions.next(Status.EXITED, Verb.PAUSE));
        assertEquals(ErrorKind.CONFLICT, e.kind());
        assertEquals("cannot pause: container is exited", e.getMessage());
        assertEquals("cannot start: container is running",
                assertThrows(EngineException.class, () -> Transitions.next(Status.RUNNING, Verb.START)).getMessage());
        assertEquals("cannot remove: container is running",
                assertThrows(EngineException.class, () -> Transitions.next(Status.RUNNING, Verb.REMOVE)).getMessage());
    }

    @Test
    void onlyRunningContainersTakeExecAndOnlyLiveOnesTakeSignals() {
        for (Status s : Status.values()) {
            assertEquals(s == Status.RUNNING, Transitions.allowed(s, Verb.EXEC), s.word());
            assertEquals(s == Status.RUNNING || s == Status.PAUSED, Transitions.allowed(s, Verb.KILL), s.word());
        }
    }

    @Test
    void removingAndDeadContainersAcceptNothingButRemoval() {
        for (Verb v : Verb.values()) {
            if (v != Verb.DIE && v != Verb.REMOVED) {
                assertFalse(Transitions.allowed(Status.REMOVING, v), v.word());
            }
            if (v != Verb.REMOVE) {
                assertFalse(Transitions.allowed(Status.DEAD, v), v.word());
            }
        }
        assertTrue(Transitions.allowed(Status.DEAD, Verb.REMOVE));
    }
}
