package io.berth.daemon.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.errors.EngineException;
import java.util.List;
import org.junit.jupiter.api.Test;

class SubnetsTest {

    @Test
    void subnetsAreParsedAndCompared() {
        assertEquals("10.1.0.0/16", Subnets.normalize("10.1.2.3/16"));
        assertEquals("10.1.0.1", Subnets.firstHost("10.1.0.0/16"));
        assertTrue(Subnets.overlap("172.17.0.0/16", "172.17.5.0/24"));
        assertFalse(Subnets.overlap("172.17.0.0/16", "172.18.0.0/16"));
        assertTrue(Subnets.contains("172.17.0.0/16", "172.17.3.9"));
        assertFalse(Subnets.contains("172.17.0.0/16", "172.18.0.2"));
        assertThrows(EngineException.class, () -> Subnets.normalize("10.1.2.3"));
        assertThrows(EngineException.class, () -> Subnets.normalize("300.1.2.3/16"));
    }

    @Test
    void theFirstFreePoolIsPicked() {
        assertEquals("172.18.0.0/16", Subnets.pick(List.of("172.17.0.0/16")));
        assertEquals("172.20.0.0/16", Subnets.pick(List.of("172.17.0.0/16", "172.18.0.0/16", "172.19.3.0/24")));
    }

    @Test
    void resolvConfDropsLoopbackNameServers() {
        assertEquals("search x\nnameserver 10.0.0.2\n", HostsFiles.resolvConf("search x\nnameserver 127.0.0.53\nnameserver 10.0.0.2\n"));
        assertEquals("nameserver 8.8.8.8\nnameserver 8.8.4.4\n", HostsFiles.resolvConf("nameserver 127.0.0.53\n"));
    }
}
