package io.berth.events.state;

import static io.berth.events.Fixtures.id;
import static io.berth.events.Fixtures.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.errors.EngineException;
import io.berth.errors.ErrorKind;
import io.berth.events.ContainerEvent;
import io.berth.events.ContainerSpec;
import io.berth.events.Event;
import io.berth.events.EventEnvelope;
import io.berth.events.ExecEvent;
import io.berth.events.ImageEvent;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class StateReducerTest {

    private EngineState state;
    private long seq;
    private final String c = id(1);

    @BeforeEach
    void empty() {
        state = EngineState.EMPTY;
        seq = 0;
    }

    private EngineState apply(Event e) {
        seq++;
        state = StateReducer.apply(state, new EventEnvelope(seq, seq * 1000, e.actorId(), e));
        return state;
    }

    private EngineException refused(Event e) {
        EngineState before = state;
        EngineException ex = assertThrows(EngineException.class,
                () -> StateReducer.apply(before, new EventEnvelope(seq + 1, 0, e.actorId(), e)));
        assertSame(before, state);
        return ex;
    }

    @Test
    void aRunFromCreateToRemove() {
        apply(new ContainerEvent.Created(c, "web", spec("busybox")));
        Container created = state.container(c);
        assertEquals(ContainerState.Status.CREATED, created.state().status());
        assertEquals(1000, created.createdNanos());
        assertEquals(c, state.names().get("web"));

        apply(new ContainerEvent.Started(c, 321, 0));
        assertEquals(new ContainerState.Running(321), state.container(c).state());
        assertEquals(321, state.container(c).pid());
        assertEquals(2000, state.container(c).startedNanos(), "a v1 start: the journal time");

        apply(new ContainerEvent.Paused(c));
        assertEquals(new ContainerState.Paused(321), state.container(c).state());
        apply(new ContainerEvent.Unpaused(c));
        apply(new ContainerEvent.OomKilled(c));
        apply(new ContainerEvent.Exited(c, 137, 99_000, 321));
        Container exited = state.container(c);
        assertEquals(ContainerState.Status.EXITED, exited.state().status());
        assertEquals(137, exited.exitCode());
        assertTrue(exited.oomKilled());
        assertEquals(99_000, exited.finishedNanos());
        assertEquals(0, exited.pid());

        apply(new ContainerEvent.Started(c, 400, 1500));
        assertEquals(1500, state.container(c).startedNanos(), "the runtime's start time wins over the journal's");
        assertFalse(state.container(c).oomKilled(), "a new run clears the last run's facts");
        assertEquals(0, state.container(c).finishedNanos());
        apply(new ContainerEvent.Exited(c, 0, 120_000, 400));
        apply(new ContainerEvent.Removing(c));
        apply(new ContainerEvent.Removed(c));
        assertNull(state.container(c));
        assertFalse(state.names().containsKey("web"));
        assertEquals(seq, state.seq());
    }

    @Test
    void restartsByPolicyCountUntilAManualStart() {
        apply(new ContainerEvent.Created(c, "web", spec("busybox")));
        apply(new ContainerEvent.Started(c, 1, 0));
        for (int attempt = 1; attempt <= 3; attempt++) {
            apply(new ContainerEvent.Exited(c, 1, seq, 0));
            apply(new ContainerEvent.Restarting(c, attempt, 100, "on-failure"));
            assertEquals(new ContainerState.Restarting(attempt, 100), state.container(c).state());
            apply(new ContainerEvent.Started(c, 10 + attempt, 0));
            assertEquals(attempt, state.container(c).restartCount());
        }
        apply(new ContainerEvent.Exited(c, 0, seq, 0));
        apply(new ContainerEvent.Started(c, 50, 0));
        assertEquals(0, state.container(c).restartCount());
    }

    @Test
    void aStopDuringBackoffKeepsTheLastRunsExitCode() {
        apply(new ContainerEvent.Created(c, "web", spec("busybox")));
        apply(new ContainerEvent.Started(c, 1, 0));
        apply(new ContainerEvent.Exited(c, 3, 5_000, 1));
        apply(new ContainerEvent.Restarting(c, 1, 60_000, "always"));
        apply(new ContainerEvent.StopRequested(c, 15, 10, false));
        apply(new ContainerEvent.RestartCancelled(c, "stopped by the user"));
        assertEquals(3, state.container(c).exitCode());
        assertEquals(5_000, state.container(c).finishedNanos());
        assertEquals(ContainerState.Status.EXITED, state.container(c).state().status());
        assertTrue(state.container(c).manuallyStopped());
        assertEquals(ErrorKind.CONFLICT, refused(new ContainerEvent.Exited(c, 0, 9_000, 0)).kind(),
                "only a run exits");
    }

    @Test
    void theUsersHandIsRememberedUntilAStartByHand() {
        apply(new ContainerEvent.Created(c, "web", spec("busybox")));
        apply(new ContainerEvent.Started(c, 1, 0));
        apply(new ContainerEvent.Killed(c, 10));
        Container signalled = state.container(c);
        assertTrue(signalled.manuallyStopped(), "any signal by the user is Docker's manual stop");
        assertFalse(signalled.exitRequested(), "a signal that is not a stop does not claim the exit");
        apply(new ContainerEvent.StopRequested(c, 15, 10, false));
        assertTrue(state.container(c).exitRequested());
        apply(new ContainerEvent.Exited(c, 143, 5_000, 1));
        assertTrue(state.container(c).manuallyStopped(), "survives the exit (and a replay)");
        assertTrue(state.container(c).exitRequested());

        apply(new ContainerEvent.Started(c, 2, 0));
        assertFalse(state.container(c).manuallyStopped());
        assertFalse(state.container(c).exitRequested());

        apply(new ContainerEvent.StopRequested(c, 15, 10, true));
        apply(new ContainerEvent.Killed(c, 15));
        assertTrue(state.container(c).exitRequested());
        assertFalse(state.container(c).manuallyStopped(), "the daemon's shutdown is not the user's hand");
    }

    @Test
    void theBackoffOfTheLatestPolicyRestartIsKeptUntilAStartByHand() {
        apply(new ContainerEvent.Created(c, "web", spec("busybox")));
        apply(new ContainerEvent.Started(c, 1, 0));
        apply(new ContainerEvent.Exited(c, 1, 5_000, 1));
        apply(new ContainerEvent.Restarting(c, 1, 100, "always"));
        apply(new ContainerEvent.Started(c, 2, 0));
        apply(new ContainerEvent.Exited(c, 1, 6_000, 2));
        apply(new ContainerEvent.Restarting(c, 2, 200, "always"));
        assertEquals(200, state.container(c).restartDelayMillis());
        apply(new ContainerEvent.Started(c, 3, 0));
        assertEquals(200, state.container(c).restartDelayMillis(), "a policy start keeps the backoff");
        apply(new ContainerEvent.StopRequested(c, 15, 1, false));
        apply(new ContainerEvent.Exited(c, 143, 7_000, 3));
        apply(new ContainerEvent.Started(c, 4, 0));
        assertEquals(0, state.container(c).restartDelayMillis());
        assertEquals(0, state.container(c).restartCount());
    }

    @Test
    void illegalEventsAreRefusedAndLeaveTheStateAlone() {
        assertEquals(ErrorKind.NOT_FOUND, refused(new ContainerEvent.Started(c, 1, 0)).kind());
        apply(new ContainerEvent.Created(c, "web", spec("busybox")));
        EngineException e = refused(new ContainerEvent.Paused(c));
        assertEquals(ErrorKind.CONFLICT, e.kind());
        assertEquals("cannot pause: container is created", e.getMessage());
        assertEquals(ErrorKind.ALREADY_EXISTS, refused(new ContainerEvent.Created(c, "other", spec("x"))).kind());
        EngineException dup = refused(new ContainerEvent.Created(id(2), "web", spec("x")));
        assertEquals(ErrorKind.CONFLICT, dup.kind());
        assertTrue(dup.getMessage().contains("\"/web\" is already in use"), dup.getMessage());
        assertEquals(ErrorKind.FAILED_PRECONDITION, assertThrows(EngineException.class,
                () -> StateReducer.apply(state, new EventEnvelope(seq, 0, c, new ContainerEvent.Started(c, 1, 0)))).kind());
    }

    @Test
    void renameMovesTheNameAndRefusesATakenOne() {
        apply(new ContainerEvent.Created(c, "web", spec("busybox")));
        apply(new ContainerEvent.Created(id(2), "db", spec("busybox")));
        apply(new ContainerEvent.Renamed(c, "web", "web2"));
        assertEquals("web2", state.container(c).name());
        assertEquals(c, state.names().get("web2"));
        assertFalse(state.names().containsKey("web"));
        assertEquals(ErrorKind.CONFLICT, refused(new ContainerEvent.Renamed(c, "web2", "db")).kind());
        assertSame(state.container(c), state.findContainer("/web2"));
        assertSame(state.container(c), state.findContainer(c.substring(0, 12)));
        assertNull(state.findContainer("0000000"), "an ambiguous prefix finds nothing");
        assertTrue(state.ambiguousContainerPrefix("0000000"));
    }

    @Test
    void updateReplacesLimitsAndPolicyOnly() {
        apply(new ContainerEvent.Created(c, "web", spec("busybox")));
        var res = new ContainerSpec.Resources(1 << 20, 0, 0, false, 0, 0, 0, 0, "", 7, List.of());
        apply(new ContainerEvent.Updated(c, res, new ContainerSpec.RestartPolicy("always", 0)));
        ContainerSpec s = state.container(c).spec();
        assertEquals(res, s.resources());
        assertEquals("always", s.restartPolicy().name());
        assertEquals(spec("busybox").cmd(), s.cmd());
    }

    @Test
    void execsNeedARunningContainerAndGoWithIt() {
        apply(new ContainerEvent.Created(c, "web", spec("busybox")));
        String x = id(50);
        var created = new ExecEvent.Created(x, c, List.of("true"), List.of(), "", "/", false, false, false);
        assertEquals("cannot exec: container is created", refused(created).getMessage());
        apply(new ContainerEvent.Started(c, 9, 0));
        apply(created);
        apply(new ExecEvent.Started(x, c, 77));
        assertEquals(Exec.Status.RUNNING, state.execs().get(x).status());
        apply(new ExecEvent.Exited(x, c, 4));
        assertEquals(4, state.execs().get(x).exitCode());
        assertEquals(ErrorKind.CONFLICT, refused(new ExecEvent.Exited(x, c, 4)).kind());
        apply(new ContainerEvent.Exited(c, 0, 1, 9));
        apply(new ContainerEvent.Removing(c));
        apply(new ContainerEvent.Removed(c));
        assertTrue(state.execs().isEmpty());
    }

    @Test
    void tagsMoveBetweenImagesAndGoWithThem() {
        String a = "sha256:" + id(10);
        String b = "sha256:" + id(11);
        apply(new ImageEvent.Imported(a, new ImageEvent.ImageInfo(a, 10, 1, List.of()), "busybox:latest"));
        apply(new ImageEvent.Loaded(b, new ImageEvent.ImageInfo(b, 20, 2, List.of()), List.of("bb:1")));
        apply(new ImageEvent.Tagged(b, "busybox:latest"));
        assertEquals(b, state.tags().get("busybox:latest"));
        assertEquals(List.of(), state.images().get(a).tags());
        assertEquals(List.of("bb:1", "busybox:latest"), state.images().get(b).tags());
        apply(new ImageEvent.Untagged(b, "bb:1"));
        assertEquals(List.of("busybox:latest"), state.images().get(b).tags());
        apply(new ImageEvent.Removed(b));
        assertFalse(state.tags().containsKey("busybox:latest"));
        assertNull(state.images().get(b));
        assertEquals(ErrorKind.NOT_FOUND, refused(new ImageEvent.Tagged(b, "x:1")).kind());
    }

    @Test
    void aCommitRecordsTheImageItWasMadeOn() {
        String base = "sha256:" + id(7); // the image of Fixtures.spec
        String committed = "sha256:" + id(12);
        apply(new ImageEvent.Imported(base, new ImageEvent.ImageInfo(base, 10, 1, List.of("l1")), "busybox:latest"));
        apply(new ContainerEvent.Created(c, "web", spec("busybox")));
        apply(new ImageEvent.Committed(committed, new ImageEvent.ImageInfo(committed, 12, 2, List.of("l1", "l2")),
                "", c));
        assertEquals(base, state.images().get(committed).parentId());
        assertEquals("", state.images().get(base).parentId());
        assertEquals(List.of(), state.images().get(committed).tags());
    }

    @Test
    void attachResizeStopAndRestartMarkersChangeNothing() {
        apply(new ContainerEvent.Created(c, "web", spec("busybox")));
        EngineState created = apply(new ContainerEvent.Attached(c));
        assertEquals(ContainerState.Status.CREATED, created.container(c).state().status());
        assertEquals("cannot resize: container is created", refused(new ContainerEvent.Resized(c, 24, 80)).getMessage());
        apply(new ContainerEvent.Started(c, 5, 0));
        Container running = state.container(c);
        apply(new ContainerEvent.Resized(c, 24, 80));
        apply(new ContainerEvent.Exited(c, 137, 9, 5));
        apply(new ContainerEvent.Stopped(c));
        apply(new ContainerEvent.Started(c, 6, 0));
        apply(new ContainerEvent.Restarted(c));
        assertEquals(new ContainerState.Running(6), state.container(c).state());
        assertEquals(running.name(), state.container(c).name());
        apply(new ContainerEvent.Exited(c, 0, 10, 6));
        apply(new ContainerEvent.Removing(c));
        assertEquals("cannot attach: container is removing", refused(new ContainerEvent.Attached(c)).getMessage());
        apply(new ContainerEvent.Removed(c));
        assertEquals(ErrorKind.NOT_FOUND, refused(new ContainerEvent.Stopped(c)).kind());
    }

    @Test
    void aSaveNeedsTheImageAndChangesNothing() {
        String a = "sha256:" + id(10);
        assertEquals(ErrorKind.NOT_FOUND, refused(new ImageEvent.Saved(a)).kind());
        EngineState before = apply(new ImageEvent.Imported(a, new ImageEvent.ImageInfo(a, 10, 1, List.of()), "bb:1"));
        EngineState after = apply(new ImageEvent.Saved(a));
        assertEquals(before.images(), after.images());
        assertEquals(before.tags(), after.tags());
    }
}
