package io.berth.daemon.runtime.oom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How {@link OomMonitor#forHost} tells the cgroup layouts apart; the mount table is the oracle. */
class OomMonitorForHostTest {
    @TempDir
    Path root;

    /** Mount points of cgroup2 file systems, from /proc/self/mounts. */
    private static List<Path> cgroup2Mounts() throws Exception {
        return Files.readAllLines(Path.of("/proc/self/mounts")).stream()
                .map(line -> line.split(" "))
                .filter(f -> f.length > 2 && f[2].equals("cgroup2"))
                .map(f -> Path.of(f[1].replace("\\040", " ")))
                .toList();
    }

    @Test
    void aV1MemoryHierarchyGivesTheV1Monitor() throws Exception {
        Files.createDirectories(root.resolve("memory"));
        try (OomMonitor monitor = OomMonitor.forHost(root, "berth")) {
            assertEquals(root.resolve("memory/berth"), assertInstanceOf(CgroupV1OomMonitor.class, monitor).cgroups);
        }
    }

    @Test
    void cgroupControllersAloneDoNotMakeCgroup2() throws Exception {
        Files.writeString(root.resolve("cgroup.controllers"), "cpuset cpu io memory pids\n");
        assertFalse(CgroupOomMonitor.isUnified(root), "statfs must say cgroup2 too");
        assertThrows(IllegalStateException.class, () -> OomMonitor.forHost(root, "berth"));
        Files.createDirectories(root.resolve("memory"));
        try (OomMonitor monitor = OomMonitor.forHost(root, "berth")) {
            assertInstanceOf(CgroupV1OomMonitor.class, monitor);
        }
    }

    @Test
    void noMemoryCgroupsAtAllIsAnError() {
        assertThrows(IllegalStateException.class, () -> OomMonitor.forHost(root, "berth"));
    }

    @Test
    void aCgroup2MountGivesTheV2Monitor() throws Exception {
        List<Path> mounts = cgroup2Mounts();
        assumeTrue(!mounts.isEmpty(), "this host mounts no cgroup2");
        Path mount = mounts.getFirst();
        assertTrue(CgroupOomMonitor.isUnified(mount), mount.toString());
        try (OomMonitor monitor = OomMonitor.forHost(mount, "berth")) {
            assertEquals(mount.resolve("berth"), assertInstanceOf(CgroupV2OomMonitor.class, monitor).cgroups);
        }
    }

    @Test
    void thisHostsLayoutIsTheOneItMounts() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/sys/fs/cgroup")), "no /sys/fs/cgroup");
        boolean pureV2 = cgroup2Mounts().contains(Path.of("/sys/fs/cgroup"));
        assumeTrue(pureV2 || Files.isDirectory(Path.of("/sys/fs/cgroup/memory")), "no memory cgroups here");
        try (OomMonitor monitor = OomMonitor.forHost()) {
            assertEquals(pureV2 ? CgroupV2OomMonitor.class : CgroupV1OomMonitor.class, monitor.getClass());
        }
    }
}
