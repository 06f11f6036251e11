package io.berth.events;

import java.util.List;

/** Events of a process run inside a running container with {@code docker exec}. */
public sealed interface ExecEvent extends Event {

    String execId();

    String containerId();

    @Override
    default String actorId() {
        return containerId();
    }

    @EventType(name = "exec.created", version = 1)
    record Created(String execId, String containerId, List<String> cmd, List<String> env, String user,
                   String workingDir, boolean tty, boolean attachStdin, boolean privileged) implements ExecEvent {
        public Created {
            cmd = List.copyOf(cmd);
            env = List.copyOf(env);
        }
    }

    @EventType(name = "exec.started", version = 1)
    record Started(String execId, String containerId, int pid) implements ExecEvent {}

    @EventType(name = "exec.exited", version = 1)
    record Exited(String execId, String containerId, int exitCode) implements ExecEvent {}
}
