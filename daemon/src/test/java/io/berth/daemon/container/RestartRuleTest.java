package io.berth.daemon.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.daemon.container.RestartRule.Decision;
import io.berth.daemon.container.RestartRule.LastRun;
import io.berth.events.ContainerSpec.RestartPolicy;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RestartRuleTest {

    private static final RestartRule.Backoff B = RestartRule.Backoff.DOCKER;
    private static final long SECOND = 1_000_000_000L;

    private static Decision after(String policy, int max, int exit, boolean byUser, long ranNanos, int count, long prev) {
        return RestartRule.afterExit(new RestartPolicy(policy, max), new LastRun(exit, byUser, byUser, ranNanos, count, prev), B);
    }

    @Test
    void noNeverRestarts() {
        assertInstanceOf(Decision.Stay.class, after("no", 0, 1, false, SECOND, 0, 0));
        assertInstanceOf(Decision.Stay.class, RestartRule.afterExit(null, new LastRun(1, false, false, 0, 0, 0), B));
    }

    @Test
    void alwaysAndUnlessStoppedRestartAfterAnyExitTheUserDidNotCause() {
        for (String p : new String[] {"always", "unless-stopped"}) {
            assertEquals(new Decision.Restart(1, 100, p + " after exit code 0"), after(p, 0, 0, false, SECOND, 0, 0));
            assertInstanceOf(Decision.Restart.class, after(p, 0, 137, false, SECOND, 5, 800));
            assertEquals(new Decision.Stay("stopped by the user"), after(p, 0, 137, true, SECOND, 0, 0));
        }
    }

    @Test
    void aSignalThatIsNotAStopKeepsOnlyUnlessStoppedDown() {
        LastRun signalled = new LastRun(138, false, true, SECOND, 0, 0);
        RestartPolicy unlessStopped = new RestartPolicy("unless-stopped", 0);
        assertEquals(new Decision.Stay("unless-stopped: the user signalled the container"),
                RestartRule.afterExit(unlessStopped, signalled, B));
        assertInstanceOf(Decision.Restart.class, RestartRule.afterExit(new RestartPolicy("always", 0), signalled, B));
        assertInstanceOf(Decision.Restart.class, RestartRule.afterExit(new RestartPolicy("on-failure", 0), signalled, B));
    }

    @Test
    void onFailureOnlyForNonZeroAndAtMostNTimes() {
        assertInstanceOf(Decision.Stay.class, after("on-failure", 0, 0, false, SECOND, 0, 0));
        assertInstanceOf(Decision.Restart.class, after("on-failure", 0, 1, false, SECOND, 50, 100), "no maximum");
        Decision.Restart second = (Decision.Restart) after("on-failure", 2, 1, false, SECOND, 1, 100);
        assertEquals(new Decision.Restart(2, 200, "on-failure:2 after exit code 1"), second);
        Decision done = after("on-failure", 2, 1, false, SECOND, 2, 200);
        assertEquals(new Decision.Stay("on-failure:2 reached its maximum of 2 restarts"), done);
        assertInstanceOf(Decision.Stay.class, after("on-failure", 2, 1, true, SECOND, 0, 0), "a user stop wins");
    }

    @Test
    void backoffDoublesUpToAMinuteAndResetsAfterALongRun() {
        long delay = 0;
        long[] expected = {100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 51200, 60000, 60000};
        for (int i = 0; i < expected.length; i++) {
            Decision.Restart r = (Decision.Restart) after("always", 0, 1, false, SECOND, i, delay);
            assertEquals(expected[i], r.delayMillis(), "restart " + (i + 1));
            delay = r.delayMillis();
        }
        Decision.Restart reset = (Decision.Restart) after("always", 0, 1, false, 10 * SECOND, 12, 60000);
        assertEquals(100, reset.delayMillis(), "a run of 10 s resets the delay");
    }

    @Test
    void backoffIsConfigurable() {
        var b = new RestartRule.Backoff(Duration.ofSeconds(1), Duration.ofSeconds(3), Duration.ofSeconds(30));
        Decision.Restart r = (Decision.Restart) RestartRule.afterExit(new RestartPolicy("always", 0),
                new LastRun(1, false, false, SECOND, 3, 2000), b);
        assertEquals(3000, r.delayMillis());
        assertThrows(IllegalArgumentException.class,
                () -> new RestartRule.Backoff(Duration.ZERO, Duration.ofSeconds(1), Duration.ZERO));
    }

    @Test
    void whoComesBackWhenTheDaemonStarts() {
        assertTrue(RestartRule.atDaemonStart(new RestartPolicy("always", 0), false));
        assertTrue(RestartRule.atDaemonStart(new RestartPolicy("always", 0), true), "always forgets a user stop");
        assertTrue(RestartRule.atDaemonStart(new RestartPolicy("unless-stopped", 0), false));
        assertFalse(RestartRule.atDaemonStart(new RestartPolicy("unless-stopped", 0), true));
        assertFalse(RestartRule.atDaemonStart(new RestartPolicy("on-failure", 3), false));
        assertFalse(RestartRule.atDaemonStart(new RestartPolicy("no", 0), false));
    }
}
