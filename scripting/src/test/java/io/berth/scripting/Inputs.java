package io.berth.scripting;

import io.berth.scripting.PolicyEngine.Input;
import io.berth.scripting.PolicyEngine.Transition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Policy inputs for tests. */
final class Inputs {

    static final long T0 = 1_795_000_000_000L;

    private Inputs() {}

    /** An exit with {@code code} at T0 after a run of {@code ranMs}, with no labels and a history of just this exit. */
    static Input exit(int code, int restartCount, long ranMs) {
        return new Input("c0ffee", "web", "busybox:latest", Map.of(), code, false, restartCount, T0 - ranMs, T0, 0,
                List.of(new Transition("start", T0 - ranMs, null), new Transition("die", T0, code)));
    }

    static Input withLabels(Input in, Map<String, String> labels) {
        return new Input(in.id(), in.name(), in.image(), labels, in.exitCode(), in.oomKilled(), in.restartCount(),
                in.startedAt(), in.finishedAt(), in.memoryLimit(), in.history());
    }

    static Input at(Input in, long finishedAt) {
        return new Input(in.id(), in.name(), in.image(), in.labels(), in.exitCode(), in.oomKilled(), in.restartCount(),
                finishedAt - (in.finishedAt() - in.startedAt()), finishedAt, in.memoryLimit(),
                List.of(new Transition("die", finishedAt, in.exitCode())));
    }

    /** An OOM kill at T0 of a container limited to {@code memoryLimit} bytes. */
    static Input oom(long memoryLimit) {
        return new Input("c0ffee", "web", "busybox:latest", Map.of(), 137, true, 0, T0 - 5_000, T0, memoryLimit,
                List.of(new Transition("start", T0 - 5_000, null), new Transition("oom", T0 - 1, null),
                        new Transition("die", T0, 137)));
    }

    /** An exit at T0 after {@code exits} earlier start/die cycles spaced {@code everyMs} apart. */
    static Input flapping(int exits, long everyMs) {
        List<Transition> history = new ArrayList<>();
        for (int i = exits; i >= 0; i--) {
            long t = T0 - i * everyMs;
            history.add(new Transition("start", t - everyMs / 2, null));
            history.add(new Transition("die", t, 1));
        }
        return new Input("c0ffee", "web", "busybox:latest", Map.of(), 1, false, exits, T0 - everyMs / 2, T0, 0, history);
    }
}
