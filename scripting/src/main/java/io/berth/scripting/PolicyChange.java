package io.berth.scripting;

import java.util.Set;

/**
 * What happened to a policy when it was loaded, reloaded or deleted: told to the listener of a
 * {@link PolicyDirectory} (for the daemon's log and its {@code policy.rejected} journal events) and
 * returned by {@link PolicyEngine#load}.
 */
public sealed interface PolicyChange {

    /** The policy's name: its file name without {@code .js}. */
    String name();

    /** A version became active. */
    record Loaded(String name, String versionHash, String file, Set<PolicyEngine.Hook> hooks)
            implements PolicyChange {}

    /**
     * A version was not loaded: where it failed (line and column from 1, 0 when unknown) and why.
     *
     * @param keptVersionHash the previous version, still active; null when none is
     */
    record Rejected(String name, String file, int line, int column, String reason, String keptVersionHash)
            implements PolicyChange {}

    /** The policy's file is gone; the policy is forgotten. */
    record Removed(String name, String file) implements PolicyChange {}
}
