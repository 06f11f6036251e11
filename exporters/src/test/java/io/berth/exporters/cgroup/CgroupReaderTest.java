package io.berth.exporters.cgroup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Both readers on cgroup files: v1 captured from a berth container on a hybrid Debian 12 host (a 64m
 * limit, 20 MiB written to /dev/shm), v2 in the kernel's formats (cgroup-v2.rst).
 */
class CgroupReaderTest {

    private static Path root(String name) throws URISyntaxException {
        return Path.of(CgroupReaderTest.class.getResource("/" + name).toURI());
    }

    @Test
    void v1ReadsEachControllersFiles() throws Exception {
        CgroupReader r = CgroupReader.forHost(root("cgroup-v1"), "berth");
        assertInstanceOf(CgroupV1Reader.class, r, "no cgroup.controllers at the root: v1");
        CgroupSample s = r.read("c1");
        assertEquals(1, s.cgroupVersion());
        assertEquals(54_111_390, s.cpuTotalNanos());
        assertEquals(20_000_000, s.cpuUserNanos(), "2 USER_HZ ticks");
        assertEquals(30_000_000, s.cpuSystemNanos());
        assertArrayEquals(new long[] {39_078_568, 15_032_822}, s.perCpuNanos());
        assertEquals(21_745_664, s.memoryUsage());
        assertEquals(67_108_864, s.memoryLimit());
        assertEquals(20_975_616, s.cache(), "total_cache: the /dev/shm file");
        assertEquals(57_344, s.rss());
        assertEquals(21_745_664, s.workingSet(), "nothing inactive to reclaim");
        assertEquals(20_975_616L, s.memoryStat().get("total_cache"));
        assertEquals(1, s.pids());
        assertEquals(CgroupSample.UNLIMITED, s.pidsLimit(), "pids.max is max");
        assertEquals(List.of(), s.io(), "a Total line alone is no device");
        assertEquals("/berth/c1", r.cgroupPath("c1"));
    }

    @Test
    void v1BlkioDropsTheTotalAndAnUnsetLimitIsUnlimited() throws Exception {
        CgroupSample s = CgroupReader.forHost(root("cgroup-v1"), "berth").read("c2");
        assertEquals(1_048_576, s.ioReadBytes());
        assertEquals(8_192, s.ioWriteBytes());
        assertEquals(6, s.io().size(), "the device lines, its Total too (Docker reports it), not the last Total");
        assertEquals(new CgroupSample.IoEntry(8, 0, "read", 1_048_576), s.io().get(0));
        assertEquals(CgroupSample.UNLIMITED, s.memoryLimit());
        assertEquals(0, s.cpuTotalNanos(), "missing controllers read as 0");
    }

    @Test
    void v2ReadsTheUnifiedFiles() throws Exception {
        CgroupReader r = CgroupReader.forHost(root("cgroup-v2"), "berth");
        assertInstanceOf(CgroupV2Reader.class, r);
        CgroupSample s = r.read("c1");
        assertEquals(2, s.cgroupVersion());
        assertEquals(1_250_000_000L, s.cpuTotalNanos());
        assertEquals(1_000_000_000L, s.cpuUserNanos());
        assertEquals(250_000_000L, s.cpuSystemNanos());
        assertEquals(0, s.perCpuNanos().length);
        assertEquals(40, s.cpuPeriods());
        assertEquals(7, s.cpuThrottledPeriods());
        assertEquals(350_000_000L, s.cpuThrottledNanos());
        assertEquals(52_428_800, s.memoryUsage());
        assertEquals(67_108_864, s.memoryLimit());
        assertEquals(3, s.memoryFailcnt(), "memory.events max");
        assertEquals(31_457_280, s.rss());
        assertEquals(20_971_520, s.cache());
        assertEquals(52_428_800 - 5_242_880, s.workingSet());
        assertEquals(4, s.pids());
        assertEquals(50, s.pidsLimit());
        assertEquals(1_048_576 + 4_096, s.ioReadBytes());
        assertEquals(4_194_304, s.ioWriteBytes());
    }

    @Test
    void aContainerWithoutCgroupReadsAsNullAndIdsStayInTheParent() throws Exception {
        CgroupReader v1 = CgroupReader.forHost(root("cgroup-v1"), "berth");
        CgroupReader v2 = CgroupReader.forHost(root("cgroup-v2"), "berth");
        assertNull(v1.read("gone"));
        assertNull(v2.read("gone"));
        assertThrows(IllegalArgumentException.class, () -> v1.read("../c1"));
        assertThrows(IllegalArgumentException.class, () -> v2.read(".."));
    }
}
