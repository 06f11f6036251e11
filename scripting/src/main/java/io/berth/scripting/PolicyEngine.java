package io.berth.scripting;

import io.berth.scripting.graaljs.GraalPolicyEngine;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Evaluates operators' JavaScript transition policies in a sandbox.
 *
 * <p>A policy is a script, known by a name, that defines some of the top-level functions named by
 * {@link Hook}. {@link #load} compiles and validates a version of it, which becomes the active one;
 * {@link #evaluate} calls a hook of the active version with what is known about a container's
 * transition and returns a validated {@link Decision}. A script that throws, overruns its limits or
 * returns anything but a decision gives a failed {@link Outcome} whose decision is
 * {@link Decision.Default}, so the caller falls back to the container's Docker restart policy.
 *
 * <p>Thread-safe. {@link #evaluate} and {@link #load} block while a script runs (bounded by
 * {@link PolicyLimits}): never call them on an event loop. Closing stops the evaluation threads and
 * releases every script context.
 */
public interface PolicyEngine extends AutoCloseable {

    /** The sandboxed GraalJS engine: creating it takes about half a second, so make one per daemon. */
    static PolicyEngine create(PolicyLimits limits) {
        return new GraalPolicyEngine(limits);
    }

    /** A version's hash: sha256 of the source's UTF-8 bytes, in lower-case hex. */
    static String versionHash(String source) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(source.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** The functions a policy may define, each optional. */
    enum Hook {
        /** The container's process exited (also after an OOM kill, if the policy has no onOom). */
        ON_EXIT("onExit"),
        /** The container's process was killed by the kernel's OOM killer; may raise the memory limit. */
        ON_OOM("onOom"),
        /** Starting the container failed before its process ran. */
        ON_START_FAILURE("onStartFailure");

        private final String function;

        Hook(String function) {
            this.function = function;
        }

        /** The name of the script's function, also the hook's name in journal events. */
        public String function() {
            return function;
        }

        /** The hook whose function is named {@code function}. */
        public static Optional<Hook> byFunction(String function) {
            for (Hook h : values()) {
                if (h.function.equals(function)) {
                    return Optional.of(h);
                }
            }
            return Optional.empty();
        }
    }

    /**
     * What a policy is told, as the script's {@code ctx} argument (same names). Times are ms since
     * the epoch, 0 when unknown.
     *
     * @param memoryLimit the container's memory limit in bytes, 0 when it has none
     * @param history     the container's recent transitions, oldest first, up to and including the
     *                    one being decided about (its {@code die} entry for an exit)
     */
    record Input(String id, String name, String image, Map<String, String> labels, int exitCode,
                 boolean oomKilled, int restartCount, long startedAt, long finishedAt, long memoryLimit,
                 List<Transition> history) {
        public Input {
            Objects.requireNonNull(id, "id");
            name = name == null ? "" : name;
            image = image == null ? "" : image;
            labels = labels == null ? Map.of() : Map.copyOf(labels);
            history = history == null ? List.of() : List.copyOf(history);
        }

        /** A short, stable text of what the script is given, for the journal. */
        public String summary() {
            long ran = startedAt > 0 && finishedAt >= startedAt ? finishedAt - startedAt : 0;
            return "exitCode=" + exitCode + " oomKilled=" + oomKilled + " restartCount=" + restartCount
                    + " ranMs=" + ran + " memoryLimit=" + memoryLimit + " history=" + history.size();
        }
    }

    /**
     * One past transition: {@code action} in Docker's event words ({@code start}, {@code die},
     * {@code oom}, {@code stop}, {@code kill}, {@code restart}, ...); {@code exitCode} only for a
     * {@code die}, otherwise null (absent in the script).
     */
    record Transition(String action, long time, Integer exitCode) {
        public Transition {
            Objects.requireNonNull(action, "action");
        }
    }

    /** What a policy decided. */
    sealed interface Decision {
        /** The decision's name in journal events: restart, stop or default. */
        String action();

        /** Start the container again after {@code delayMs}; from onOom with a new memory limit first. */
        record Restart(long delayMs, long memoryBytes) implements Decision {
            /** @param memoryBytes the new memory limit, 0 to keep the current one */
            public Restart {
                if (delayMs < 0 || memoryBytes < 0) {
                    throw new IllegalArgumentException("delayMs and memoryBytes must be >= 0");
                }
            }

            @Override
            public String action() {
                return "restart";
            }
        }

        /** Leave the container exited; a start by hand still works. */
        record Stop() implements Decision {
            @Override
            public String action() {
                return "stop";
            }
        }

        /** Defer to the container's Docker restart policy. */
        record Default() implements Decision {
            @Override
            public String action() {
                return "default";
            }
        }
    }

    /**
     * The outcome of one evaluation: a decision, or a failure with its reason (the script threw,
     * overran a limit or returned garbage, or the policy is missing). A failure always carries
     * {@link Decision.Default}.
     *
     * @param versionHash    the evaluated version's hash, empty when no version is active
     * @param inputsSummary  {@link Input#summary()}
     * @param failure        null when the policy decided
     */
    record Outcome(String policy, String versionHash, Hook hook, String inputsSummary, Decision decision,
                   String failure) {
        public boolean failed() {
            return failure != null;
        }
    }

    /** A policy file that was not loaded, where it went wrong (line and column from 1; 0 when unknown). */
    record Rejection(String file, int line, int column, String reason, String versionHash) {
        @Override
        public String toString() {
            return file + ":" + line + ":" + column + ": " + reason;
        }
    }

    /**
     * A known policy.
     *
     * @param file        the active version's file (or the rejected one's, if none is active)
     * @param versionHash sha256 (hex) of the active version's source; null when none is active
     * @param hooks       the hooks the active version defines
     * @param rejection   the latest version's rejection, null when the latest version is active
     */
    record PolicyInfo(String name, String file, String versionHash, Set<Hook> hooks, Rejection rejection) {
        /** The state in a word: {@code active}, {@code active (update rejected)} or {@code rejected}. */
        public String state() {
            if (versionHash == null) {
                return "rejected";
            }
            return rejection == null ? "active" : "active (update rejected)";
        }
    }

    /**
     * Calls {@code hook} of the active version of {@code policy}. A hook the policy does not define
     * gives {@link Decision.Default} without running anything (not a failure); check
     * {@link #hasHook} first to tell the two apart. Never throws for what the script does.
     */
    Outcome evaluate(String policy, Hook hook, Input input);

    /** The known policies, by name. */
    List<PolicyInfo> policies();

    /** The policy called {@code name}, if known. */
    Optional<PolicyInfo> policy(String name);

    /** Whether the active version of {@code policy} defines {@code hook}. */
    boolean hasHook(String policy, Hook hook);

    /**
     * Compiles and validates a version of a policy and, if it passes, makes it the active one
     * (evaluations already running finish on the previous version). It fails if the script does not
     * parse, its top level throws or overruns the limits, a hook is not a function, or it defines no
     * hook; then the previous version, if any, stays active.
     *
     * @param file where the source came from, for messages
     * @return {@link PolicyChange.Loaded} or {@link PolicyChange.Rejected}
     */
    PolicyChange load(String name, String file, String source);

    /** Forgets a policy; empty if it was not known. */
    Optional<PolicyChange.Removed> remove(String name);

    @Override
    void close();
}
