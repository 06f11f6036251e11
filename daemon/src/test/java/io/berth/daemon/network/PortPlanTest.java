package io.berth.daemon.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.berth.errors.EngineException;
import io.berth.events.ContainerSpec;
import io.berth.events.NetworkEvent;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PortPlanTest {

    @Test
    void portsAreNormalizedToPortSlashProto() {
        assertEquals("80/tcp", PortPlan.normalize("80"));
        assertEquals("53/udp", PortPlan.normalize("53/UDP"));
        assertThrows(EngineException.class, () -> PortPlan.normalize("http"));
        assertThrows(EngineException.class, () -> PortPlan.normalize("70000/tcp"));
        assertThrows(EngineException.class, () -> PortPlan.normalize("80/icmp"));
    }

    @Test
    void theCliBindingsAreRead() {
        // What docker run -p 8080:80 -p 127.0.0.1::443 -p 53/udp sends.
        JsonObject body = new JsonObject("""
                {"80/tcp":[{"HostIp":"","HostPort":"8080"}],"443/tcp":[{"HostIp":"127.0.0.1","HostPort":""}],
                 "53/udp":[{"HostIp":"","HostPort":""}]}""");
        assertEquals(List.of(new ContainerSpec.PortBinding("80/tcp", "", "8080"),
                new ContainerSpec.PortBinding("443/tcp", "127.0.0.1", ""),
                new ContainerSpec.PortBinding("53/udp", "", "")), PortPlan.bindings(body));
        assertThrows(EngineException.class, () -> PortPlan.bindings(new JsonObject("{\"80/tcp\":[{\"HostPort\":\"x\"}]}")));
        assertEquals(List.of(), PortPlan.bindings(null));
    }

    @Test
    void exposedPortsJoinTheImagesTheRequestsAndTheBindings() {
        assertEquals(List.of("22/tcp", "80/tcp", "443/tcp"), PortPlan.exposed(List.of("443/tcp"),
                new JsonObject().put("22/tcp", new JsonObject()), List.of(new ContainerSpec.PortBinding("80/tcp", "", ""))));
    }

    private static ContainerSpec spec(List<String> exposed, List<ContainerSpec.PortBinding> b, boolean all) {
        return new ContainerSpec("i", "sha256:i", List.of(), List.of("true"), List.of(), "/", "", "h", "", false, false,
                false, Map.of(), "SIGTERM", -1, ContainerSpec.Resources.NONE, ContainerSpec.RestartPolicy.NO, false,
                "bridge", List.of(), exposed, b, all, List.of(), List.of());
    }

    @Test
    void aStartPicksHostPortsWhereNoneWasGiven() {
        ContainerSpec s = spec(List.of("80/tcp", "90/udp", "100/tcp"),
                List.of(new ContainerSpec.PortBinding("80/tcp", "", "8080"), new ContainerSpec.PortBinding("90/udp", "", "")),
                false);
        assertEquals(List.of(new NetworkEvent.PortMapping("tcp", 80, "0.0.0.0", 8080),
                new NetworkEvent.PortMapping("udp", 90, "0.0.0.0", 40000)), PortPlan.mappings(s, proto -> 40000));
        // -P: every exposed port, those without a binding on a picked port.
        ContainerSpec all = spec(s.exposedPorts(), s.portBindings(), true);
        assertEquals(3, PortPlan.mappings(all, proto -> "udp".equals(proto) ? 1 : 2).size());
        assertEquals(new NetworkEvent.PortMapping("tcp", 100, "0.0.0.0", 2), PortPlan.mappings(all, p -> 2).get(2));
    }

    @Test
    void dockerShowsExposedPortsWithoutAPublicationAsNull() {
        JsonObject ports = PortPlan.dockerPorts(List.of("80/tcp", "81/tcp"),
                List.of(new NetworkEvent.PortMapping("tcp", 80, "0.0.0.0", 8080)));
        assertEquals("8080", ports.getJsonArray("80/tcp").getJsonObject(0).getString("HostPort"));
        assertEquals("0.0.0.0", ports.getJsonArray("80/tcp").getJsonObject(0).getString("HostIp"));
        assertNull(ports.getValue("81/tcp"));
        assertEquals(true, ports.containsKey("81/tcp"));
        int free = PortPlan.freePort("tcp");
        assertEquals(true, free > 0 && free < 65536);
    }
}
