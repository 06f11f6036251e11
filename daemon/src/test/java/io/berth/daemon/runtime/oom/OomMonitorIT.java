package io.berth.daemon.runtime.oom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import io.berth.daemon.runtime.oom.OomMonitor.OomNotice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The OOM monitors against the host kernel; needs root (CI runs as root). Each test makes its own
 * top-level cgroup {@code berth-oomtest-<random>} and a shell child that moves itself in; its cleanup
 * runs even when it fails: kills the child by pid, closes the monitor, removes the cgroup.
 */
// A separate thread, so a test stuck in a native call fails instead of hanging the build.
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class OomMonitorIT {
    private static final Path V1_MEMORY = Path.of("/sys/fs/cgroup/memory");
    private static final long LIMIT = 8L << 20;

    private final String name = "berth-oomtest-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
    private final List<Path> cgroups = new ArrayList<>();
    private final BlockingQueue<OomNotice> notices = new LinkedBlockingQueue<>();
    private Process child;
    private OomMonitor monitor;
    private int inotifyFd = -1;

    @BeforeAll
    static void needsRoot() throws IOException {
        assertEquals(0, (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid"), "these tests need root");
    }

    @AfterEach
    void cleanUp() throws Exception {
        List<String> problems = new ArrayList<>();
        if (child != null) {
            child.destroyForcibly(); // SIGKILL to its pid
            if (!child.waitFor(10, TimeUnit.SECONDS)) {
                problems.add("child " + child.pid() + " still running");
            }
        }
        if (monitor != null) {
            monitor.close();
        }
        EpollLoop.closeQuietly(inotifyFd);
        for (Path cgroup : cgroups) {
            if (!rmdir(cgroup)) {
                problems.add("cannot remove " + cgroup);
            }
        }
        if (!problems.isEmpty()) {
            fail(String.join("\n", problems));
        }
    }

    /** Removes an empty cgroup, waiting for a killed process to leave it; true once it is gone. */
    private static boolean rmdir(Path cgroup) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            try {
                Files.deleteIfExists(cgroup);
                return true;
            } catch (IOException e) {
                Thread.sleep(50); // EBUSY while the dying task is still a member
            }
        }
        return false;
    }

    /**
     * Starts a shell that moves itself into {@code cgroup} and then runs {@code command}. The command
     * runs only once the move succeeded, so it never runs outside the cgroup.
     */
    private Process startIn(Path cgroup, String command) throws IOException {
        String script = "echo $$ > " + cgroup.resolve("cgroup.procs") + " && exec " + command;
        child = new ProcessBuilder("/bin/sh", "-c", script).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return child;
    }

    @Test
    void v1ReportsTheKillAndForgetsTheRemovedCgroupQuietly() throws Exception {
        assumeTrue(Files.isDirectory(V1_MEMORY), "no cgroup v1 memory hierarchy on this host");
        Path cgroup = Files.createDirectory(V1_MEMORY.resolve(name));
        cgroups.add(cgroup);
        Files.writeString(cgroup.resolve("memory.limit_in_bytes"), Long.toString(LIMIT));
        if (Files.exists(cgroup.resolve("memory.memsw.limit_in_bytes"))) {
            Files.writeString(cgroup.resolve("memory.memsw.limit_in_bytes"), Long.toString(LIMIT));
        }
        Map<String, Long> fdsBefore = OomMonitorContract.anonymousFds();
        CgroupV1OomMonitor v1 = new CgroupV1OomMonitor(V1_MEMORY);
        monitor = v1;
        monitor.start(notices::add);
        assertEquals(0, monitor.watch(name));

        // ulimit -v: should the cgroup's limit somehow not hold, the shell fails instead of the host.
        Process p = startIn(cgroup, "/bin/sh -c 'ulimit -v 65536; a=aaaaaaaa; while :; do a=$a$a; done'");
        assertEquals(new OomNotice(name, 1), notices.poll(10, TimeUnit.SECONDS));
        assertTrue(p.waitFor(10, TimeUnit.SECONDS), "the OOM-killed child exited");
        assertEquals(137, p.exitValue(), "killed by SIGKILL");
        assertEquals(1, monitor.killCount(name));
        assertNull(notices.poll(300, TimeUnit.MILLISECONDS), "one kill, one notice");

        assertTrue(rmdir(cgroup), "cgroup removed");
        for (int i = 0; i < 100 && !v1.watched().isEmpty(); i++) {
            Thread.sleep(20);
        }
        assertEquals(Set.of(), v1.watched(), "the removal's signal released the watch");
        assertNull(notices.poll(500, TimeUnit.MILLISECONDS), "no notice for the removal");
        assertEquals(-1, monitor.killCount(name));
        monitor.unwatch(name); // after the cgroup vanished
        assertTrue(OomMonitorContract.monitorThreadAlive(), "the monitor survived the removal");
        monitor.close();
        assertEquals(fdsBefore, OomMonitorContract.anonymousFds(), "eventfd, epoll or inotify descriptors left");
    }

    /**
     * What the v2 monitor relies on, where this host allows checking it: kernfs reports a cgroup
     * file's change to inotify as IN_MODIFY. A hybrid host's cgroup2 mount has no memory controller,
     * so {@code cgroup.events} (populated 0 to 1, told through the same cgroup_file_notify as
     * {@code memory.events}) stands in for {@code memory.events}.
     */
    @Test
    void kernfsTellsInotifyOfACgroupFileChange() throws Exception {
        Path unified = Files.readAllLines(Path.of("/proc/self/mounts")).stream().map(l -> l.split(" "))
                .filter(f -> f.length > 2 && f[2].equals("cgroup2")).map(f -> Path.of(f[1])).findFirst().orElse(null);
        assumeTrue(unified != null, "no cgroup2 mount on this host");
        Path cgroup = Files.createDirectory(unified.resolve(name));
        cgroups.add(cgroup);
        LinuxLibC c = LinuxLibC.INSTANCE;
        inotifyFd = c.inotify_init1(LinuxLibC.IN_CLOEXEC | LinuxLibC.IN_NONBLOCK);
        assertTrue(inotifyFd >= 0, LinuxLibC.error("inotify_init1"));
        Path events = cgroup.resolve("cgroup.events");
        assertTrue(c.inotify_add_watch(inotifyFd, events.toString(), LinuxLibC.IN_MODIFY) >= 0,
                LinuxLibC.error("inotify_add_watch"));
        assertTrue(Files.readString(events).contains("populated 0"), Files.readString(events));

        startIn(cgroup, "sleep 60");
        byte[] buf = new byte[4096];
        long n = -1;
        for (int i = 0; i < 250 && n <= 0; i++) {
            n = c.read(inotifyFd, buf, buf.length);
            if (n <= 0) {
                Thread.sleep(20);
            }
        }
        assertTrue(n >= 16, "an inotify event within 5 s");
        int mask = ByteBuffer.wrap(buf).order(ByteOrder.nativeOrder()).getInt(4);
        assertTrue((mask & LinuxLibC.IN_MODIFY) != 0, "mask " + Integer.toHexString(mask));
        assertTrue(Files.readString(events).contains("populated 1"), Files.readString(events));
    }
}
