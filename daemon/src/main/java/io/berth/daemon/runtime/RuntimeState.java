package io.berth.daemon.runtime;

/**
 * The runtime's view of one container, as {@code runc state} reports it.
 *
 * @param status one of {@code creating}, {@code created}, {@code running}, {@code paused}, {@code stopped}
 * @param pid    host PID of the init process, 0 when it has none
 */
public record RuntimeState(String id, String status, int pid) {}
