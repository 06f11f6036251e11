package io.berth.events.journal;

/**
 * When an append is acknowledged, and so what survives which failure.
 */
public enum SyncMode {
    /**
     * Acknowledged once written to the memory-mapped journal file (the OS page cache). Survives a
     * crash or {@code kill -9} of the daemon; the last moments before a power loss or kernel crash
     * may be lost.
     */
    NONE,
    /**
     * As {@link #NONE}, and the journal is fsynced in the background at the configured period, so a
     * power loss loses at most about one period of acknowledged events.
     */
    PERIODIC,
    /**
     * Acknowledged only after an fsync that covers the event. Concurrent appends share one fsync
     * (group commit). Survives power loss.
     */
    FSYNC
}
