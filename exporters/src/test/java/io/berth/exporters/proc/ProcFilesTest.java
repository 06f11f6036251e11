package io.berth.exporters.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ProcFilesTest {

    @Test
    void netDevSkipsHeadersAndLoopback() {
        String text = """
                Inter-|   Receive                                                |  Transmit
                 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
                    lo:     140       2    0    0    0     0          0         0      140       2    0    0    0     0       0          0
                  eth0:    5000      40    1    2    0     0          0         0     3000      30    3    4    0     0       0          0
                """;
        assertEquals(List.of(new NetDev.Interface("eth0", 5000, 40, 1, 2, 3000, 30, 3, 4)), NetDev.parse(text));
    }

    @Test
    void hostCpuSumsTheFirstEightFieldsInNanoseconds() {
        String text = "cpu  100 5 50 800 10 1 2 3 7 0\ncpu0 50 2 25 400 5 0 1 1 0 0\ncpu1 50 3 25 400 5 1 1 2 0 0\nintr 1\n";
        assertEquals(new HostCpu.Reading(971L * 10_000_000L, 2), HostCpu.parse(text));
    }
}
