package io.berth.daemon.runtime;

import java.nio.file.Path;

/**
 * What the runtime needs to create a container.
 *
 * @param id       the container id (also the runtime's and the shim's id)
 * @param name     the container name, for the shim's logs
 * @param bundle   the OCI bundle directory holding {@code config.json}
 * @param shimDir  a per-container directory for the shim's files (attach socket, ctl, oom, pids);
 *                 short enough that {@code shimDir/attach} fits a socket path
 * @param exitDir  the shared directory where the shim writes {@code <id>} with the exit code
 * @param logFile  the container's log, in the k8s-file format the shim writes
 * @param tty      whether the container has a terminal (config.json says so too)
 * @param stdin    whether the shim keeps the container's stdin open for attach clients
 */
public record CreateRequest(String id, String name, Path bundle, Path shimDir, Path exitDir, Path logFile,
                            boolean tty, boolean stdin) {}
