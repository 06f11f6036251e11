package io.berth.daemon.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.events.NetworkEvent;
import io.berth.events.state.Network;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CniConfigTest {

    private static final Network NET = new Network("n1", "apps", "bridge", "berth-abc", "172.18.0.0/16", "172.18.0.1",
            Map.of(), false, 1, false, Map.of());

    @Test
    void aBridgeNetworkIsBridgeHostLocalAndFirewall() {
        List<JsonObject> p = CniConfig.plugins(NET, Path.of("/d/ipam"), List.of());
        assertEquals(List.of("bridge", "firewall"), p.stream().map(j -> j.getString("type")).toList());
        JsonObject bridge = p.get(0);
        assertEquals("1.0.0", bridge.getString("cniVersion"));
        assertEquals("berth-apps", bridge.getString("name"));
        assertEquals("berth-abc", bridge.getString("bridge"));
        assertTrue(bridge.getBoolean("isGateway"));
        assertTrue(bridge.getBoolean("ipMasq"));
        JsonObject ipam = bridge.getJsonObject("ipam");
        assertEquals("host-local", ipam.getString("type"));
        assertEquals("/d/ipam", ipam.getString("dataDir"));
        assertEquals("172.18.0.0/16", ipam.getJsonArray("ranges").getJsonArray(0).getJsonObject(0).getString("subnet"));
        assertEquals("0.0.0.0/0", ipam.getJsonArray("routes").getJsonObject(0).getString("dst"));
    }

    @Test
    void publishedPortsAddPortmapWithItsRuntimeConfig() {
        List<JsonObject> p = CniConfig.plugins(NET, Path.of("/d"), List.of(
                new NetworkEvent.PortMapping("tcp", 80, "0.0.0.0", 8080),
                new NetworkEvent.PortMapping("udp", 53, "127.0.0.1", 5353)));
        assertEquals(List.of("bridge", "portmap", "firewall"), p.stream().map(j -> j.getString("type")).toList());
        JsonObject pm = p.get(1);
        assertTrue(pm.getJsonObject("capabilities").getBoolean("portMappings"));
        var maps = pm.getJsonObject("runtimeConfig").getJsonArray("portMappings");
        assertEquals(new JsonObject().put("hostPort", 8080).put("containerPort", 80).put("protocol", "tcp")
                .put("hostIP", ""), maps.getJsonObject(0));
        assertEquals("127.0.0.1", maps.getJsonObject(1).getString("hostIP"));
    }

    @Test
    void anInternalNetworkHasNoMasqueradeAndNoDefaultRoute() {
        Network internal = new Network("n2", "int", "bridge", "b", "10.1.0.0/24", "10.1.0.1", Map.of(), true, 1, false,
                Map.of());
        JsonObject bridge = CniConfig.plugins(internal, Path.of("/d"), List.of()).get(0);
        assertFalse(bridge.getBoolean("ipMasq"));
        assertFalse(bridge.getJsonObject("ipam").containsKey("routes"));
    }

    /** A result as the bridge plugin 1.1.1 printed it on this machine kind. */
    static final String RESULT = """
            {"cniVersion":"1.0.0","interfaces":[{"name":"berthtst0","mac":"0e:3c:8b:40:3e:9b"},
             {"name":"veth26b577ff","mac":"d2:24:e2:3e:a0:1f"},
             {"name":"eth0","mac":"56:b0:f5:38:15:86","sandbox":"/tmp/cnitest/netns/t1"}],
             "ips":[{"interface":2,"address":"172.31.250.2/24","gateway":"172.31.250.1"}],
             "routes":[{"dst":"0.0.0.0/0"}],"dns":{}}""";

    @Test
    void theResultGivesTheEndpoint() {
        NetworkEvent.Endpoint e = CniConfig.endpoint(new JsonObject(RESULT), "eth0", "/ns/x", List.of());
        assertEquals(new NetworkEvent.Endpoint("eth0", "172.31.250.2", 24, "172.31.250.1", "56:b0:f5:38:15:86",
                List.of(), "/ns/x"), e);
        JsonObject prev = CniConfig.prevResult(e);
        assertEquals("172.31.250.2/24", prev.getJsonArray("ips").getJsonObject(0).getString("address"));
        assertEquals("/ns/x", prev.getJsonArray("interfaces").getJsonObject(0).getString("sandbox"));
        // An interface read back from a namespace before it got its address: DEL is told of no address.
        JsonObject bare = CniConfig.prevResult(new NetworkEvent.Endpoint("eth1", "", 0, "", "", List.of(), "/ns/x"));
        assertEquals(0, bare.getJsonArray("ips").size());
        assertEquals("eth1", bare.getJsonArray("interfaces").getJsonObject(0).getString("name"));
        assertThrows(IllegalArgumentException.class, () -> CniConfig.endpoint(new JsonObject("{\"ips\":[]}"), "eth0",
                "/ns", List.of()));
    }

    @Test
    void aPluginErrorIsItsMessageAndDetails() {
        assertEquals("failed to allocate: no IP addresses available",
                CniPlugins.errorMessage("{\"code\":999,\"msg\":\"failed to allocate\",\"details\":\"no IP addresses available\"}", ""));
        assertEquals("boom", CniPlugins.errorMessage("", "boom"));
    }
}
