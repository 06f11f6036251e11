package io.berth.daemon.runtime;

import java.nio.file.Path;

/**
 * A process to start inside a running container.
 *
 * @param containerId the container
 * @param execId      the exec session's id (the shim's uuid)
 * @param processJson an OCI {@code process} object in a file, as {@code runc exec --process} takes it
 * @param sessionDir  a per-session directory for the shim's files and the exit code
 * @param tty         whether the process has a terminal
 * @param stdin       whether the shim keeps the process's stdin open for the attach client
 * @param attach      whether the shim waits for an attach client before starting the process
 */
public record ExecRequest(String containerId, String execId, Path processJson, Path sessionDir, boolean tty,
                          boolean stdin, boolean attach) {}
