package io.berth.daemon.runtime.oom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.daemon.runtime.oom.OomMonitor.OomNotice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link OomMonitor} does, run against a temporary directory of fake cgroups. Each
 * implementation's test says how the kernel would change a cgroup's counters and tell the monitor.
 * Every test closes the monitor and then fails if its thread or one of its descriptors is left.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
abstract class OomMonitorContract {
    /** How long a notice that should not come is waited for. */
    static final long QUIET_MILLIS = 300;

    @TempDir
    Path cgroups;
    CgroupOomMonitor<?> monitor;
    final BlockingQueue<OomNotice> notices = new LinkedBlockingQueue<>();
    private Map<String, Long> fdsBefore;

    abstract CgroupOomMonitor<?> create(Path cgroups);

    /** Makes cgroup {@code id} whose counter file says {@code kills}. */
    abstract void makeCgroup(String id, long kills) throws Exception;

    /**
     * Rewrites {@code id}'s counter file to say {@code kills} (with other counters changed, so the
     * content differs even when {@code kills} does not) and tells the monitor as the kernel would.
     */
    abstract void kernelCounts(String id, long kills) throws Exception;

    /** Writes {@code text} as {@code id}'s counter file and tells the monitor as the kernel would. */
    abstract void kernelWrites(String id, String text) throws Exception;

    /** Removes cgroup {@code id} and tells the monitor as the kernel would. */
    abstract void kernelRemoves(String id) throws Exception;

    @BeforeEach
    void setUp() {
        fdsBefore = anonymousFds();
        monitor = create(cgroups);
    }

    @AfterEach
    void tearDown() throws Exception {
        monitor.close();
        assertFalse(monitorThreadAlive(), "the monitor's thread outlived close()");
        assertEquals(fdsBefore, anonymousFds(), "eventfd, epoll or inotify descriptors left");
    }

    static boolean monitorThreadAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals(CgroupOomMonitor.THREAD_NAME) && t.isAlive());
    }

    /** This process's descriptors of eventfds, epoll and inotify instances, counted by kind. */
    static Map<String, Long> anonymousFds() {
        Map<String, Long> kinds = new TreeMap<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("anon_inode:")) {
                        kinds.merge(target, 1L, Long::sum);
                    }
                } catch (IOException e) {
                    // closed while listing (the listing's own descriptor among them)
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return kinds;
    }

    OomNotice next() throws InterruptedException {
        OomNotice notice = notices.poll(5, TimeUnit.SECONDS);
        if (notice == null) {
            throw new AssertionError("no notice within 5 s");
        }
        return notice;
    }

    void assertQuiet() throws InterruptedException {
        assertNull(notices.poll(QUIET_MILLIS, TimeUnit.MILLISECONDS));
    }

    void awaitWatched(Set<String> ids) throws InterruptedException {
        for (int i = 0; i < 250 && !monitor.watched().equals(ids); i++) {
            Thread.sleep(20);
        }
        assertEquals(ids, monitor.watched());
    }

    // ---- the contract -----------------------------------------------------------------------------

    @Test
    void aRiseIsReportedOnceWithTheNewCount() throws Exception {
        makeCgroup("c1", 0);
        monitor.start(notices::add);
        assertEquals(0, monitor.watch("c1"));
        kernelCounts("c1", 1);
        assertEquals(new OomNotice("c1", 1), next());
        assertQuiet();
        assertEquals(1, monitor.killCount("c1"));
        kernelCounts("c1", 3); // two kills between looks: one notice, with the count
        assertEquals(new OomNotice("c1", 3), next());
        assertQuiet();
    }

    @Test
    void anUnchangedCountIsNotReported() throws Exception {
        makeCgroup("c1", 2);
        monitor.start(notices::add);
        assertEquals(2, monitor.watch("c1"));
        kernelCounts("c1", 2);
        assertQuiet();
        kernelCounts("c1", 4); // the monitor was listening all along
        assertEquals(new OomNotice("c1", 4), next());
    }

    @Test
    void watchingTwiceRegistersOnce() throws Exception {
        makeCgroup("c1", 5);
        monitor.start(notices::add);
        assertEquals(5, monitor.watch("c1"));
        Map<String, Long> fds = anonymousFds();
        assertEquals(5, monitor.watch("c1"));
        assertEquals(fds, anonymousFds());
        kernelCounts("c1", 6);
        assertEquals(new OomNotice("c1", 6), next());
        assertQuiet();
    }

    @Test
    void unwatchStopsNoticesForThatCgroupOnly() throws Exception {
        makeCgroup("a", 0);
        makeCgroup("b", 0);
        monitor.start(notices::add);
        monitor.watch("a");
        monitor.watch("b");
        monitor.unwatch("a");
        monitor.unwatch("a"); // twice is fine
        monitor.unwatch("never-watched");
        assertEquals(Set.of("b"), monitor.watched());
        kernelCounts("a", 1);
        kernelCounts("b", 1);
        assertEquals(new OomNotice("b", 1), next());
        assertQuiet();
        assertEquals(1, monitor.killCount("a"), "an unwatched cgroup can still be read");
    }

    @Test
    void killsBeforeStartAreReportedOnStart() throws Exception {
        makeCgroup("c1", 0);
        assertEquals(0, monitor.watch("c1"));
        kernelCounts("c1", 1);
        assertQuiet();
        monitor.start(notices::add);
        assertEquals(new OomNotice("c1", 1), next());
    }

    @Test
    void aRemovedCgroupIsForgottenWithoutNotice() throws Exception {
        makeCgroup("gone", 0);
        makeCgroup("kept", 0);
        monitor.start(notices::add);
        monitor.watch("gone");
        monitor.watch("kept");
        kernelRemoves("gone");
        awaitWatched(Set.of("kept"));
        assertQuiet();
        assertEquals(-1, monitor.killCount("gone"));
        monitor.unwatch("gone"); // after it vanished: nothing to do, nothing thrown
        kernelCounts("kept", 1);
        assertEquals(new OomNotice("kept", 1), next());
    }

    @Test
    void whatCannotBeWatchedIsMinusOne() throws Exception {
        monitor.start(notices::add);
        assertEquals(-1, monitor.watch("missing"));
        assertEquals(-1, monitor.killCount("missing"));
        makeCgroup("junk", 0);
        kernelWrites("junk", "oom_kill one\n");
        assertEquals(-1, monitor.watch("junk"), "unreadable counters");
        assertEquals(-1, monitor.killCount("junk"));
        assertEquals(Set.of(), monitor.watched());
        for (String bad : List.of("", ".", "..", "../x", "a/b")) {
            assertThrows(IllegalArgumentException.class, () -> monitor.watch(bad), bad);
            assertThrows(IllegalArgumentException.class, () -> monitor.killCount(bad), bad);
        }
    }

    @Test
    void malformedCountersAreSkippedUntilTheyAreReadable() throws Exception {
        makeCgroup("c1", 0);
        monitor.start(notices::add);
        monitor.watch("c1");
        kernelWrites("c1", "oom_kill_disable 0\nunder_oom 1\nlow 0\nhigh 0\nmax 20\noom 1\n"); // no oom_kill
        kernelWrites("c1", "oom_kill 1 1\n");
        assertQuiet();
        assertEquals(Set.of("c1"), monitor.watched());
        kernelCounts("c1", 1);
        assertEquals(new OomNotice("c1", 1), next());
    }

    @Test
    void aListenerMayThrowOrCallBackIntoTheMonitor() throws Exception {
        makeCgroup("a", 0);
        makeCgroup("b", 0);
        List<Long> countsSeenByListener = new ArrayList<>();
        monitor.start(n -> {
            countsSeenByListener.add(monitor.killCount(n.id()));
            monitor.unwatch(n.id());
            notices.add(n);
            throw new IllegalStateException("listener bug");
        });
        monitor.watch("a");
        monitor.watch("b");
        kernelCounts("a", 1);
        assertEquals(new OomNotice("a", 1), next());
        kernelCounts("b", 2);
        assertEquals(new OomNotice("b", 2), next());
        assertEquals(List.of(1L, 2L), countsSeenByListener);
        awaitWatched(Set.of());
    }

    @Test
    void closeEndsTheThreadAndReleasesEveryWatch() throws Exception {
        makeCgroup("c1", 0);
        monitor.start(notices::add);
        monitor.watch("c1");
        assertTrue(monitorThreadAlive());
        monitor.close();
        assertFalse(monitorThreadAlive());
        assertEquals(fdsBefore, anonymousFds());
        assertEquals(-1, monitor.watch("c1"), "a closed monitor watches nothing");
        kernelCounts("c1", 1);
        assertQuiet();
        monitor.close(); // twice is fine
        assertThrows(IllegalStateException.class, () -> monitor.start(notices::add));
    }

    @Test
    void startTwiceIsAnError() {
        monitor.start(notices::add);
        assertThrows(IllegalStateException.class, () -> monitor.start(notices::add));
    }
}
