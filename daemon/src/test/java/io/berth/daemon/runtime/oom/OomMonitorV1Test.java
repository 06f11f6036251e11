package io.berth.daemon.runtime.oom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.daemon.runtime.oom.OomMonitor.OomNotice;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@link CgroupV1OomMonitor} against fake v1 cgroups: regular files {@code memory.oom_control} and
 * {@code cgroup.event_control}. The test plays the kernel: it takes the eventfd the monitor registered
 * from {@code cgroup.event_control} and signals it. {@code OomMonitorIT} runs it against the real one.
 */
class OomMonitorV1Test extends OomMonitorContract {

    @Override
    CgroupOomMonitor<?> create(Path cgroups) {
        return new CgroupV1OomMonitor(cgroups);
    }

    @Override
    void makeCgroup(String id, long kills) throws Exception {
        Files.createDirectories(cgroups.resolve(id));
        Files.writeString(cgroups.resolve(id).resolve("cgroup.event_control"), "");
        Files.writeString(cgroups.resolve(id).resolve("memory.oom_control"), oomControl(kills, 0));
    }

    private static String oomControl(long kills, int underOom) {
        return "oom_kill_disable 0\nunder_oom " + underOom + "\noom_kill " + kills + "\n";
    }

    @Override
    void kernelCounts(String id, long kills) throws Exception {
        kernelWrites(id, oomControl(kills, 1));
    }

    @Override
    void kernelWrites(String id, String text) throws Exception {
        Files.writeString(cgroups.resolve(id).resolve("memory.oom_control"), text);
        signal(id);
    }

    @Override
    void kernelRemoves(String id) throws Exception {
        int eventFd = registeredEventFd(id);
        Path dir = cgroups.resolve(id);
        Files.delete(dir.resolve("cgroup.event_control"));
        Files.delete(dir.resolve("memory.oom_control"));
        Files.delete(dir);
        signal(eventFd);
    }

    private void signal(String id) throws Exception {
        signal(registeredEventFd(id));
    }

    private static void signal(int eventFd) throws Exception {
        // Only while it is one: after unwatch or close the number may be reused for something else.
        if (isEventFd(eventFd)) {
            EpollLoop.signal(eventFd);
        }
    }

    /** The eventfd from the last registration written to {@code id}'s cgroup.event_control; -1 if none. */
    private int registeredEventFd(String id) throws Exception {
        String registration = Files.readString(cgroups.resolve(id).resolve("cgroup.event_control"));
        return registration.isEmpty() ? -1 : Integer.parseInt(registration.split(" ")[0]);
    }

    private static boolean isEventFd(int fd) {
        try {
            return fd >= 0 && Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString().equals("anon_inode:[eventfd]");
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void registersAnEventfdAndTheOomControlDescriptor() throws Exception {
        makeCgroup("c1", 0);
        monitor.watch("c1");
        String registration = Files.readString(cgroups.resolve("c1").resolve("cgroup.event_control"));
        assertTrue(registration.matches("\\d+ \\d+"), registration);
        assertTrue(isEventFd(registeredEventFd("c1")), registration);
    }

    @Test
    void aSignalBeforeTheKillIsCountedIsFollowedByRereads() throws Exception {
        makeCgroup("c1", 0);
        monitor.start(notices::add);
        monitor.watch("c1");
        signal("c1"); // the kernel signals on entering OOM, then kills and counts
        Thread.sleep(60);
        Files.writeString(cgroups.resolve("c1").resolve("memory.oom_control"), oomControl(1, 0));
        assertEquals(new OomNotice("c1", 1), next());
        assertQuiet();
    }

    @Test
    void rereadsStopWhenNoKillFollows() throws Exception {
        makeCgroup("c1", 0);
        monitor.start(notices::add);
        monitor.watch("c1");
        signal("c1"); // an OOM that reclaim resolved
        Thread.sleep(4 * CgroupV1OomMonitor.LAST_RECHECK_MILLIS); // re-reads end 2 * LAST after the signal
        Files.writeString(cgroups.resolve("c1").resolve("memory.oom_control"), oomControl(1, 0));
        assertQuiet(); // no signal, and the re-reads are over: the rise waits for the next signal
        signal("c1");
        assertEquals(new OomNotice("c1", 1), next());
    }
}
