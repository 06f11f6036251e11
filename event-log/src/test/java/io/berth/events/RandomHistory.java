package io.berth.events;

import io.berth.events.state.Container;
import io.berth.events.state.EngineState;
import io.berth.events.state.Exec;
import io.berth.events.state.Image;
import io.berth.events.state.StateReducer;
import io.berth.events.state.Transitions;
import io.berth.events.state.Transitions.Verb;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Generates random but valid event histories: every event is legal in the state the previous ones
 * produced, so the reducer accepts the whole sequence. Deterministic for a seed.
 */
public final class RandomHistory {

    private final Random rnd;
    private final int maxContainers;
    private EngineState state = EngineState.EMPTY;
    private long seq;
    private long time = 1_700_000_000_000_000_000L;
    private int counter;
    private final List<String> live = new ArrayList<>();

    public RandomHistory(long seed, int maxContainers) {
        this.rnd = new Random(seed);
        this.maxContainers = maxContainers;
    }

    /** The state after all events generated so far. */
    public EngineState state() {
        return state;
    }

    /** The next {@code n} events as envelopes with gapless sequences after the previous ones. */
    public List<EventEnvelope> envelopes(int n) {
        List<EventEnvelope> out = new ArrayList<>(n);
        while (out.size() < n) {
            Event e = nextEvent();
            EventEnvelope env = new EventEnvelope(++seq, time += 1 + rnd.nextInt(1000), e.actorId(), e);
            state = StateReducer.apply(state, env);
            if (e instanceof ContainerEvent.Created c) {
                live.add(c.id());
            } else if (e instanceof ContainerEvent.Removed r) {
                live.remove(r.id());
            }
            out.add(env);
        }
        return out;
    }

    public List<Event> events(int n) {
        return envelopes(n).stream().map(EventEnvelope::event).toList();
    }

    private Event nextEvent() {
        int roll = rnd.nextInt(100);
        if (roll < 3) {
            return imageEvent();
        }
        if (roll < 4) {
            return new DaemonEvent.Reloaded("daemon", "log-level=" + rnd.nextInt(3));
        }
        if (roll < 5 && !live.isEmpty()) {
            Container c = state.container(pick(live));
            return new PolicyEvent.Decided("p" + rnd.nextInt(3), "h", c.id(), "onExit", "exitCode=1", "default", 0, 0);
        }
        if (live.size() < maxContainers && (live.isEmpty() || rnd.nextInt(10) == 0)) {
            String id = Fixtures.id(++counter);
            return new ContainerEvent.Created(id, "c" + counter, Fixtures.spec("busybox"));
        }
        Container c = state.container(pick(live));
        List<Verb> legal = new ArrayList<>();
        for (Verb v : Verb.values()) {
            if (Transitions.allowed(c.state().status(), v)) {
                legal.add(v);
            }
        }
        Collections.shuffle(legal, rnd);
        for (Verb v : legal) {
            Event e = containerEvent(c, v);
            if (e != null) {
                return e;
            }
        }
        throw new IllegalStateException("no legal event for a " + c.state().status().word() + " container");
    }

    private Event containerEvent(Container c, Verb v) {
        String id = c.id();
        return switch (v) {
            case START -> new ContainerEvent.Started(id, 1000 + rnd.nextInt(30000), 0);
            case PAUSE -> new ContainerEvent.Paused(id);
            case UNPAUSE -> new ContainerEvent.Unpaused(id);
            case EXIT -> new ContainerEvent.Exited(id, rnd.nextInt(3) == 0 ? 137 : rnd.nextInt(4), time, c.pid());
            case RESTART -> new ContainerEvent.Restarting(id, c.restartCount() + 1, 100L << rnd.nextInt(5), "always");
            case REMOVE -> new ContainerEvent.Removing(id);
            case DIE -> new ContainerEvent.Dead(id, "busy");
            case REMOVED -> new ContainerEvent.Removed(id);
            case KILL -> new ContainerEvent.Killed(id, rnd.nextBoolean() ? 9 : 15);
            case STOP -> new ContainerEvent.StopRequested(id, 15, 10, rnd.nextInt(4) == 0);
            case OOM -> new ContainerEvent.OomKilled(id);
            case RENAME -> new ContainerEvent.Renamed(id, c.name(), "r" + (++counter));
            case UPDATE -> new ContainerEvent.Updated(id, Fixtures.spec("x").resources(),
                    new ContainerSpec.RestartPolicy(rnd.nextBoolean() ? "always" : "no", 0));
            case CANCEL -> new ContainerEvent.RestartCancelled(id, "stopped by the user");
            case EXEC -> execEvent(c);
            case ATTACH, RESIZE -> null;
        };
    }

    private Event execEvent(Container c) {
        for (Exec x : state.execsOf(c.id())) {
            if (x.status() == Exec.Status.CREATED) {
                return new ExecEvent.Started(x.id(), c.id(), 5000 + rnd.nextInt(1000));
            }
            if (x.status() == Exec.Status.RUNNING) {
                return new ExecEvent.Exited(x.id(), c.id(), rnd.nextInt(3));
            }
        }
        return new ExecEvent.Created(Fixtures.id(1_000_000 + ++counter), c.id(), List.of("true"), List.of(), "", "/",
                false, false, false);
    }

    private Event imageEvent() {
        if (state.images().isEmpty() || rnd.nextInt(4) == 0) {
            String img = "sha256:" + Fixtures.id(2_000_000 + ++counter);
            return new ImageEvent.Imported(img, new ImageEvent.ImageInfo(img, rnd.nextInt(1 << 20), time, List.of()),
                    "img" + counter + ":latest");
        }
        Image img = pick(new ArrayList<>(state.images().values()));
        int r = rnd.nextInt(3);
        if (r == 0) {
            return new ImageEvent.Tagged(img.id(), "t" + rnd.nextInt(5) + ":latest");
        }
        if (r == 1 && !img.tags().isEmpty()) {
            return new ImageEvent.Untagged(img.id(), pick(img.tags()));
        }
        return new ImageEvent.Removed(img.id());
    }

    private <T> T pick(List<T> list) {
        return list.get(rnd.nextInt(list.size()));
    }
}
