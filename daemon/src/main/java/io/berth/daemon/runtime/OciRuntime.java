package io.berth.daemon.runtime;

import java.nio.file.Path;
import java.util.List;

/**
 * The OCI runtime as the engine drives it: one method per OCI verb, plus exec and attach through the
 * per-container shim (conmon) that holds the container's stdio, writes its log and records its exit
 * code, so containers neither depend on nor die with the daemon.
 *
 * <p>Every method blocks on child processes: call it off the Vert.x event loop. A failing method
 * throws an {@link io.berth.errors.EngineException} whose message carries the runtime's stderr, and
 * leaves nothing behind (as if it was never attempted).
 */
public interface OciRuntime {

    /**
     * Creates the container from its bundle under a new shim: {@code runc create} has run and the init
     * process waits for {@link #start}. The shim's files (attach socket, ctl FIFO, oom marker, pid
     * files) go into {@code request.shimDir()}; its exit code goes to {@code exitDir()/<id>}.
     *
     * @return the host PID of the container's init process
     */
    int create(CreateRequest request);

    void start(String id);

    /** Sends {@code signal} to the container's init process. */
    void kill(String id, int signal);

    void pause(String id);

    void resume(String id);

    /**
     * Forgets a stopped container ({@code runc delete}); with {@code force} a running one is killed
     * first. Deleting an id the runtime does not know is not an error.
     */
    void delete(String id, boolean force);

    /** The runtime's view of a container, or null when it does not know the id. */
    RuntimeState state(String id);

    /** Every container the runtime knows (in Berth's private runtime root only). */
    List<RuntimeState> list();

    /** Host PIDs of the processes in the container ({@code runc ps}). */
    List<Integer> pids(String id);

    /**
     * Starts a process inside a running container under its own shim. With {@code request.attach()}
     * the shim waits for a client on the session's attach socket before it starts the process.
     */
    ExecProcess exec(ExecRequest request);

    /** Connects to a shim's attach socket (a container's or an exec session's). */
    AttachConnection attach(Path attachSocket);

    /** Resizes the terminal of a TTY container or exec session through its shim's ctl FIFO. */
    void resize(Path shimDir, int height, int width);
}
