package io.berth.events;

/**
 * Events of scripted transition policies. A decision is journaled before it is acted on, so replay
 * re-applies it without running the script again.
 */
public sealed interface PolicyEvent extends Event {

    String policy();

    @Override
    default String actorId() {
        return policy();
    }

    /**
     * A policy decided about a container's transition: {@code action} is {@code restart},
     * {@code stop} or {@code default}; {@code inputs} summarises what it was given.
     */
    @EventType(name = "policy.decided", version = 1)
    record Decided(String policy, String versionHash, String containerId, String hook, String inputs,
                   String action, long delayMillis, long memoryBytes) implements PolicyEvent {}

    /** A policy file was not loaded: it failed to parse or validate. */
    @EventType(name = "policy.rejected", version = 1)
    record Rejected(String policy, String file, int line, int column, String reason) implements PolicyEvent {}

    /** A policy threw, timed out or returned garbage; the container's Docker policy applied instead. */
    @EventType(name = "policy.failed", version = 1)
    record Failed(String policy, String versionHash, String containerId, String hook, String reason)
            implements PolicyEvent {}
}
