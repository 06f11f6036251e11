package io.berth.daemon.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.berth.events.ContainerEvent;
import io.berth.events.ContainerSpec;
import io.berth.events.DaemonEvent;
import io.berth.events.Event;
import io.berth.events.EventEnvelope;
import io.berth.events.ExecEvent;
import io.berth.events.ImageEvent;
import io.berth.events.PolicyEvent;
import io.berth.events.state.EngineState;
import io.berth.events.state.StateReducer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The mapping from journal entries to Docker's events, checked against what dockerd emits. */
class DockerEventProjectionTest {

    private static final String C = "95a2227d3c6da1b8336e19b1157911eaa01f9b678bd1a4bc985bf5006b017473";
    private static final String IMG = "sha256:3c37491660e4ca30c35e0a033c5a320c3b039becf94dbc4eb73dc94a24717970";

    private DockerEventProjection projection;
    private long seq;

    @BeforeEach
    void fresh() {
        projection = new DockerEventProjection("host1");
        seq = 0;
    }

    static ContainerSpec spec(String image, Map<String, String> labels) {
        return new ContainerSpec(image, IMG, List.of(), List.of("sleep", "600"), List.of(), "", "", "", "", false,
                false, false, labels, "SIGTERM", -1, ContainerSpec.Resources.NONE, ContainerSpec.RestartPolicy.NO, false,
                "none", List.of());
    }

    private DockerEvent apply(Event e) {
        seq++;
        return projection.apply(new EventEnvelope(seq, 1_000_000_000L * seq + 7, e.actorId(), e));
    }

    /** Action and the attributes other than labels, name and image, as {@code action k=v ...}. */
    private String line(Event e) {
        DockerEvent d = apply(e);
        if (d == null) {
            return null;
        }
        StringBuilder sb = new StringBuilder(d.action());
        d.attributes().forEach((k, v) -> {
            if (!k.equals("name") && !k.equals("image")) {
                sb.append(' ').append(k).append('=').append(v);
            }
        });
        return sb.toString();
    }

    @Test
    void aStopAndRemoveReadsAsDockerdWritesIt() {
        // The journal of: docker run -d; pause; unpause; stop (SIGTERM ignored, SIGKILL after the timeout); rm.
        List<String> actions = new ArrayList<>();
        for (Event e : List.<Event>of(
                new ContainerEvent.Created(C, "anchor-ev1", spec("busybox", Map.of())),
                new ContainerEvent.Started(C, 100, 0),
                new ContainerEvent.Paused(C),
                new ContainerEvent.Unpaused(C),
                new ContainerEvent.StopRequested(C, 15, 1, false),
                new ContainerEvent.Killed(C, 15),
                new ContainerEvent.Killed(C, 9),
                new ContainerEvent.Exited(C, 137, 5, 100),
                new ContainerEvent.Stopped(C),
                new ContainerEvent.Removing(C),
                new ContainerEvent.Removed(C))) {
            String l = line(e);
            if (l != null) {
                actions.add(l);
            }
        }
        // The container lines of ../shared/testdata/docker-events-sample.jsonl for anchor-ev1.
        assertEquals(List.of("create", "start", "pause", "unpause", "kill signal=15", "kill signal=9", "die exitCode=137",
                "stop", "destroy"), actions);
    }

    @Test
    void containerEventsCarryNameImageAndLabels() {
        DockerEvent created = apply(new ContainerEvent.Created(C, "web", spec("busybox", Map.of("app", "shop", "name", "x"))));
        assertEquals(DockerEvent.CONTAINER, created.type());
        assertEquals(C, created.actorId());
        assertEquals(Map.of("app", "shop", "name", "web", "image", "busybox"), created.attributes(),
                "as dockerd: labels first, then name and image over them");
        assertEquals(seq, created.seq());
        assertEquals(1_000_000_007L, created.timeNanos());
        DockerEvent renamed = apply(new ContainerEvent.Renamed(C, "web", "shop"));
        assertEquals("rename", renamed.action());
        assertEquals("shop", renamed.attribute("name"));
        assertEquals("/web", renamed.attribute("oldName"));
        assertEquals("shop", apply(new ContainerEvent.Attached(C)).attribute("name"), "the fold keeps the new name");
        DockerEvent resized = apply(new ContainerEvent.Resized(C, 24, 80));
        assertEquals("resize", resized.action());
        assertEquals("24", resized.attribute("height"));
        assertEquals("80", resized.attribute("width"));
        assertEquals("update", apply(new ContainerEvent.Updated(C, ContainerSpec.Resources.NONE,
                ContainerSpec.RestartPolicy.NO)).action());
        assertEquals("oom", apply(new ContainerEvent.OomKilled(C)).action());
        assertEquals("restart", apply(new ContainerEvent.Restarted(C)).action());
        assertEquals("attach", apply(new ContainerEvent.Attached(C)).action());
        assertEquals("destroy", apply(new ContainerEvent.Removed(C)).action());
        assertEquals(Map.of("signal", "9"), apply(new ContainerEvent.Killed(C, 9)).attributes(),
                "after destroy the fold forgets the container");
    }

    @Test
    void aRestartPolicysDecisionSaysWhy() {
        apply(new ContainerEvent.Created(C, "web", spec("busybox", Map.of())));
        DockerEvent e = apply(new ContainerEvent.Restarting(C, 2, 200, "on-failure:3 after exit code 1"));
        assertEquals("restarting", e.action());
        assertEquals(Map.of("attempt", "2", "delay", "200ms", "reason", "on-failure:3 after exit code 1",
                "image", "busybox", "name", "web"), e.attributes());
    }

    @Test
    void stepsDockerDoesNotReportGiveNothing() {
        apply(new ContainerEvent.Created(C, "web", spec("busybox", Map.of())));
        assertNull(apply(new ContainerEvent.StopRequested(C, 15, 10, false)));
        assertNull(apply(new ContainerEvent.RestartCancelled(C, "stopped by the user")));
        assertNull(apply(new ContainerEvent.Removing(C)));
        assertNull(apply(new ContainerEvent.Dead(C, "busy")));
        assertNull(apply(new PolicyEvent.Decided("p", "h", C, "onExit", "", "restart", 0, 0)));
    }

    @Test
    void execsAsDockerNamesThem() {
        apply(new ContainerEvent.Created(C, "anchor-ev3", spec("busybox", Map.of())));
        String x = "8832573ae59bf8eeb3efe55291c568da81bd481585fe4150f0066147ee67986f";
        DockerEvent created = apply(new ExecEvent.Created(x, C, List.of("true"), List.of(), "", "", false, false, false));
        assertEquals("exec_create: true ", created.action(), "dockerd's trailing space for no arguments");
        assertEquals(Map.of("execID", x, "image", "busybox", "name", "anchor-ev3"), created.attributes());
        assertEquals("exec_start: true ", apply(new ExecEvent.Started(x, C, 5)).action());
        DockerEvent died = apply(new ExecEvent.Exited(x, C, 3));
        assertEquals("exec_die", died.action());
        assertEquals(Map.of("execID", x, "exitCode", "3", "image", "busybox", "name", "anchor-ev3"), died.attributes());
        assertEquals("exec_create: sh -c echo hi", apply(new ExecEvent.Created("y", C, List.of("sh", "-c", "echo hi"),
                List.of(), "", "", false, false, false)).action());
    }

    @Test
    void imagesAsDockerNamesThem() {
        var info = new ImageEvent.ImageInfo(IMG, 1, 1, List.of());
        DockerEvent tag = apply(new ImageEvent.Tagged(IMG, "docker.io/library/busybox:evtest"));
        assertEquals(DockerEvent.IMAGE, tag.type());
        assertEquals(IMG, tag.actorId());
        assertEquals(Map.of("name", "busybox:evtest"), tag.attributes());
        assertEquals(Map.of("name", IMG), apply(new ImageEvent.Untagged(IMG, "docker.io/library/busybox:evtest")).attributes(),
                "dockerd names an untagged image by its id");
        assertEquals("delete", apply(new ImageEvent.Removed(IMG)).action());
        assertEquals("save", apply(new ImageEvent.Saved(IMG)).action());
        DockerEvent imported = apply(new ImageEvent.Imported(IMG, info, "docker.io/library/busybox:latest"));
        assertEquals("import", imported.action());
        assertEquals("busybox:latest", imported.attribute("name"));
        assertEquals(IMG, apply(new ImageEvent.Imported(IMG, info, "")).attribute("name"));
        assertEquals("load", apply(new ImageEvent.Loaded(IMG, info, List.of("docker.io/library/bb:1"))).action());
        DockerEvent pulled = apply(new ImageEvent.Pulled(IMG, info, "localhost:5000/bb:1", "localhost:5000/bb@sha256:ab"));
        assertEquals("pull", pulled.action());
        assertEquals("localhost:5000/bb:1", pulled.actorId());
        assertEquals("localhost:5000/bb", pulled.attribute("name"));
        assertEquals("push", apply(new ImageEvent.Pushed(IMG, "localhost:5000/bb:1", "")).action());
    }

    @Test
    void daemonEvents() {
        DockerEvent start = apply(new DaemonEvent.Started("d-1", "0.1.0", 42));
        assertEquals(DockerEvent.DAEMON, start.type());
        assertEquals("start", start.action());
        assertEquals("d-1", start.actorId());
        assertEquals(Map.of("name", "host1"), start.attributes());
        assertEquals("reload", apply(new DaemonEvent.Reloaded("d-1", "x")).action());
        assertEquals("stop", apply(new DaemonEvent.Stopping("d-1", "signal")).action());
    }

    @Test
    void aFoldSeededFromAStateContinuesWhereItStopped() {
        List<Event> history = List.of(
                new ContainerEvent.Created(C, "web", spec("busybox", Map.of("tier", "front"))),
                new ContainerEvent.Started(C, 100, 0),
                new ExecEvent.Created("x1", C, List.of("ls", "-l"), List.of(), "", "", false, false, false));
        EngineState state = EngineState.EMPTY;
        for (Event e : history) {
            seq++;
            state = StateReducer.apply(state, new EventEnvelope(seq, seq, e.actorId(), e));
        }
        projection = DockerEventProjection.from(state, "host1");
        DockerEvent started = apply(new ExecEvent.Started("x1", C, 7));
        assertEquals("exec_start: ls -l", started.action());
        assertEquals(Map.of("execID", "x1", "image", "busybox", "name", "web", "tier", "front"), started.attributes());
    }

    @Test
    void aContainerCreatedBeforeTheKeptHistoryGivesWhatItsEntriesSay() {
        DockerEvent died = apply(new ContainerEvent.Exited(C, 1, 0, 0));
        assertEquals("die", died.action());
        assertEquals(Map.of("exitCode", "1"), died.attributes());
    }
}
