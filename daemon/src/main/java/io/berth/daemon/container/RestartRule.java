package io.berth.daemon.container;

import io.berth.events.ContainerSpec;
import java.time.Duration;

/**
 * Docker's restart policies as a pure decision: given a container's policy and what is known of its
 * last run, whether it starts again and after how long. No clock, no I/O: the caller reads the
 * inputs from the journal and schedules the outcome, so the decision can be tested for every edge.
 *
 * <p>Docker's rules: {@code no} never restarts; {@code always} and {@code unless-stopped} restart
 * after any exit the user did not cause; {@code on-failure[:N]} restarts after a non-zero exit, at
 * most N times when N is set. A stop or kill by the user is never undone by the policy. The delay
 * starts at 100 ms and doubles up to a minute, and falls back to 100 ms after a run of at least 10
 * seconds (all three settable, which Docker users have long asked for).
 */
public final class RestartRule {

    /** Backoff settings. */
    public record Backoff(Duration initial, Duration max, Duration resetAfter) {
        public static final Backoff DOCKER = new Backoff(Duration.ofMillis(100), Duration.ofMinutes(1),
                Duration.ofSeconds(10));

        public Backoff {
            if (initial.toMillis() < 1 || max.compareTo(initial) < 0 || resetAfter.isNegative()) {
                throw new IllegalArgumentException("restart backoff needs 0 < initial <= max and resetAfter >= 0");
            }
        }
    }

    /**
     * What ended a run, as the journal tells it.
     *
     * @param exitRequested   a user's stop or kill asked this run to end
     * @param manuallyStopped a user stopped or signalled the container since it was last started by hand
     * @param ranNanos        how long the run lasted
     * @param restartCount    policy restarts so far
     * @param previousDelayMillis the backoff before the latest policy restart, 0 if none
     */
    public record LastRun(int exitCode, boolean exitRequested, boolean manuallyStopped, long ranNanos,
                          int restartCount, long previousDelayMillis) {}

    /** The outcome: start again after a delay, or stay exited. */
    public sealed interface Decision {
        /** Start again after {@code delayMillis}; {@code attempt} counts restarts from 1. */
        record Restart(int attempt, long delayMillis, String reason) implements Decision {}

        /** Stay exited. */
        record Stay(String reason) implements Decision {}
    }

    private RestartRule() {}

    /** The decision after an exit. */
    public static Decision afterExit(ContainerSpec.RestartPolicy policy, LastRun run, Backoff backoff) {
        String name = policy == null ? "no" : policy.name();
        if (run.exitRequested()) {
            return new Decision.Stay("stopped by the user");
        }
        switch (name) {
            case "always" -> {
                return restart(name, run, backoff);
            }
            case "unless-stopped" -> {
                return run.manuallyStopped() ? new Decision.Stay("unless-stopped: the user signalled the container")
                        : restart(name, run, backoff);
            }
            case "on-failure" -> {
                if (run.exitCode() == 0) {
                    return new Decision.Stay("exited with 0: on-failure does not restart");
                }
                int max = policy.maximumRetryCount();
                if (max > 0 && run.restartCount() >= max) {
                    return new Decision.Stay("on-failure:" + max + " reached its maximum of " + max + " restarts");
                }
                return restart(max > 0 ? "on-failure:" + max : "on-failure", run, backoff);
            }
            default -> {
                return new Decision.Stay("restart policy is no");
            }
        }
    }

    private static Decision restart(String policy, LastRun run, Backoff backoff) {
        long initial = backoff.initial().toMillis();
        boolean ranLong = run.ranNanos() >= backoff.resetAfter().toNanos();
        long delay = run.previousDelayMillis() <= 0 || ranLong ? initial
                : Math.min(run.previousDelayMillis() * 2, backoff.max().toMillis());
        return new Decision.Restart(run.restartCount() + 1, delay, policy + " after exit code " + run.exitCode());
    }

    /**
     * Whether a container that is not running comes back when the daemon starts: with {@code always}
     * it does even after a stop by the user (Docker forgets that stop when the daemon restarts); with
     * {@code unless-stopped} only if the user did not stop it.
     */
    public static boolean atDaemonStart(ContainerSpec.RestartPolicy policy, boolean stoppedByUser) {
        String name = policy == null ? "no" : policy.name();
        return switch (name) {
            case "always" -> true;
            case "unless-stopped" -> !stoppedByUser;
            default -> false;
        };
    }
}
