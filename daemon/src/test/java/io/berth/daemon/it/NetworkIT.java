package io.berth.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Bridge networking through the distro's CNI plugins: the default bridge, published ports answering
 * on 127.0.0.1, user-defined bridges where containers find each other by name, connect and
 * disconnect, and teardown that leaves no veth, address or NAT rule behind (after a removal, a failed
 * start, and a daemon crash).
 */
class NetworkIT extends DaemonTest {

    private static final String SERVE = "while true; do echo hello-$HOSTNAME | nc -l -p 80; done";

    /** Reads what a TCP server on 127.0.0.1:{@code port} sends, retrying while the container starts. */
    private static String readLoopback(int port) throws Exception {
        Exception last = null;
        for (int i = 0; i < 50; i++) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
                s.setSoTimeout(3000);
                InputStream in = s.getInputStream();
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
                if (!text.isEmpty()) {
                    return text;
                }
            } catch (IOException e) {
                last = e;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("nothing answered on 127.0.0.1:" + port, last);
    }

    private void assertTornDown(String id, TreeSet<String> vethsBefore) throws Exception {
        assertEquals(vethsBefore, NetHost.veths(), "no veth left behind");
        assertEquals(List.of(), NetHost.allocations(berth), "no host-local allocation left");
        assertEquals(List.of(), NetHost.rulesFor(id), "no iptables rule for the container left");
        assertTrue(!Files.exists(berth.execRoot().resolve("netns").resolve(id)), "no netns file left");
    }

    @Test
    void theDefaultBridgeGivesAnAddressAndTheEtcFiles() throws Exception {
        assertTrue(ok("network", "ls", "--format", "{{.Name}} {{.Driver}}").out().contains("bridge bridge"));
        ok("run", "-d", "--name", "plain", "busybox", "sleep", "600");
        try {
            JsonObject ns = inspect("plain").getJsonObject("NetworkSettings");
            String ip = ns.getString("IPAddress");
            assertTrue(ip.startsWith("172.17."), ns.encodePrettily());
            assertEquals("172.17.0.1", ns.getString("Gateway"));
            assertEquals(ip, ns.getJsonObject("Networks").getJsonObject("bridge").getString("IPAddress"));
            assertTrue(ns.getString("MacAddress").matches("([0-9a-f]{2}:){5}[0-9a-f]{2}"), ns.getString("MacAddress"));
            String inside = ok("exec", "plain", "ip", "-o", "-4", "addr", "show", "eth0").out();
            assertTrue(inside.contains(ip + "/16"), inside);
            String hostname = ok("exec", "plain", "hostname").trimmed();
            assertTrue(ok("exec", "plain", "cat", "/etc/hosts").out().contains(ip + "\t" + hostname));
            assertTrue(ok("exec", "plain", "cat", "/etc/resolv.conf").out().contains("nameserver"));
            assertTrue(ok("exec", "plain", "ip", "route").out().contains("default via 172.17.0.1"));
            // --network none keeps only the loopback.
            assertEquals("lo", ok("run", "--rm", "--network", "none", "busybox", "ls", "/sys/class/net").trimmed());
            // As dockerd: an unknown network fails the start, not the create.
            Docker.Result unknown = docker.run("run", "--name", "netless", "--network", "nosuch", "busybox", "true");
            assertEquals(125, unknown.exit(), unknown.toString());
            assertTrue(unknown.err().contains("network nosuch not found"), unknown.err());
            assertEquals("created", inspect("netless").getJsonObject("State").getString("Status"));
            Docker.Result autoRemoved = docker.run("run", "--rm", "--name", "netless2", "--network", "nosuch", "busybox", "true");
            assertTrue(autoRemoved.err().contains("network nosuch not found"), autoRemoved.err());
            assertEquals(1, docker.run("inspect", "netless2").exit(), "--rm removes it after the failed start");
        } finally {
            docker.run("rm", "-f", "plain", "netless", "netless2");
        }
    }

    @Test
    void publishedPortsAnswerOnLoopbackAndGoWithTheContainer() throws Exception {
        TreeSet<String> before = NetHost.veths();
        String id = ok("run", "-d", "--name", "web", "-p", "18181:80", "-p", "80", "-p", "5353:53/udp",
                "busybox", "sh", "-c", SERVE).trimmed();
        try {
            assertEquals("hello-" + id.substring(0, 12), readLoopback(18181));
            String port = ok("port", "web").out();
            assertTrue(port.contains("80/tcp -> 0.0.0.0:18181"), port);
            assertTrue(port.contains("53/udp -> 0.0.0.0:5353"), port);
            int random = Integer.parseInt(ok("port", "web", "80/tcp").out().lines()
                    .filter(l -> !l.endsWith(":18181")).findFirst().orElseThrow().replaceAll(".*:", ""));
            assertNotEquals(18181, random);
            assertTrue(readLoopback(random).startsWith("hello-"));
            JsonObject ports = inspect("web").getJsonObject("NetworkSettings").getJsonObject("Ports");
            assertEquals("18181", ports.getJsonArray("80/tcp").getJsonObject(0).getString("HostPort"), ports.encode());
            assertTrue(ok("ps", "--format", "{{.Ports}}").out().contains("0.0.0.0:18181->80/tcp"));
            assertTrue(!NetHost.rulesFor(id).isEmpty(), "the portmap and NAT rules are there while it runs");
            assertTrue(NetHost.veths().size() > before.size());
        } finally {
            ok("rm", "-f", "web");
        }
        assertTornDown(id, before);
        // -P publishes every exposed port on a port of the daemon's choice.
        String all = ok("run", "-d", "-P", "--expose", "80", "busybox", "sh", "-c", SERVE).trimmed();
        try {
            String p = ok("port", all, "80").trimmed();
            assertTrue(p.matches("0\\.0\\.0\\.0:\\d+"), p);
            assertTrue(readLoopback(Integer.parseInt(p.replaceAll(".*:", ""))).startsWith("hello-"));
        } finally {
            ok("rm", "-f", all);
        }
        assertTornDown(all, before);
    }

    @Test
    void aFailedStartLeavesNoNetworkBehind() throws Exception {
        TreeSet<String> before = NetHost.veths();
        Docker.Result r = docker.run("run", "--name", "broken", "-p", "18182:80", "busybox", "/nonexistent");
        assertNotEquals(0, r.exit(), r.toString());
        String id = ok("inspect", "-f", "{{.Id}}", "broken").trimmed();
        try {
            assertTornDown(id, before);
            assertEquals("", inspect("broken").getJsonObject("NetworkSettings").getString("IPAddress"));
        } finally {
            ok("rm", "-f", "broken");
        }
        assertTornDown(id, before);
    }

    @Test
    void containersOnAUserBridgeReachEachOtherByName() throws Exception {
        TreeSet<String> before = NetHost.veths();
        long since = System.currentTimeMillis() / 1000;
        String netId = ok("network", "create", "apps").trimmed();
        String srv = null;
        try {
            JsonObject net = new JsonArray(ok("network", "inspect", "apps").out()).getJsonObject(0);
            assertEquals("bridge", net.getString("Driver"));
            String subnet = net.getJsonObject("IPAM").getJsonArray("Config").getJsonObject(0).getString("Subnet");
            assertTrue(subnet.startsWith("172."), subnet);
            srv = ok("run", "-d", "--name", "srv", "--network", "apps", "--network-alias", "api", "busybox",
                    "sh", "-c", SERVE).trimmed();
            String byName = ok("run", "--rm", "--network", "apps", "busybox", "sh", "-c",
                    "for i in 1 2 3 4 5; do nc srv 80 </dev/null && break; sleep 0.2; done").trimmed();
            assertEquals("hello-" + srv.substring(0, 12), byName);
            String byAlias = ok("run", "--rm", "--network", "apps", "busybox", "sh", "-c",
                    "for i in 1 2 3 4 5; do wget -q -O - http://api:80/ 2>/dev/null | head -1 && break; sleep 0.2; done; "
                            + "getent hosts api || grep api /etc/hosts").out();
            assertTrue(byAlias.contains("api"), byAlias);
            // The default bridge does not resolve names, as Docker's.
            Docker.Result isolated = docker.run("run", "--rm", "busybox", "nc", "-w", "1", "srv", "80");
            assertNotEquals(0, isolated.exit(), isolated.toString());
            // A network with an endpoint cannot go (403).
            Docker.Result busy = docker.run("network", "rm", "apps");
            assertNotEquals(0, busy.exit());
            assertTrue(busy.err().contains("has active endpoints"), busy.err());

            // connect and disconnect a running container: it gets and loses a second interface.
            ok("run", "-d", "--name", "roamer", "busybox", "sleep", "600");
            ok("network", "connect", "apps", "roamer");
            assertTrue(ok("exec", "roamer", "ls", "/sys/class/net").out().contains("eth1"));
            String fromRoamer = ok("exec", "roamer", "sh", "-c",
                    "for i in 1 2 3 4 5; do nc srv 80 </dev/null && break; sleep 0.2; done").trimmed();
            assertEquals("hello-" + srv.substring(0, 12), fromRoamer);
            assertTrue(inspect("roamer").getJsonObject("NetworkSettings").getJsonObject("Networks").containsKey("apps"));
            ok("network", "disconnect", "apps", "roamer");
            assertTrue(!ok("exec", "roamer", "ls", "/sys/class/net").out().contains("eth1"));
        } finally {
            docker.run("rm", "-f", "roamer");
            if (srv != null) {
                docker.run("rm", "-f", "srv");
            }
            docker.run("network", "rm", "apps");
        }
        assertEquals(before, NetHost.veths());
        assertEquals(List.of(), NetHost.allocations(berth));
        assertTrue(!NetHost.run("ip", "-o", "link").contains("berth-" + netId.substring(0, 9)), "the bridge is gone");
        String events = ok("events", "--since", String.valueOf(since), "--until", String.valueOf(System.currentTimeMillis() / 1000 + 1),
                "--filter", "type=network", "--format", "{{.Action}} {{.Actor.Attributes.name}}").out();
        for (String action : List.of("create apps", "connect apps", "disconnect apps", "destroy apps")) {
            assertTrue(events.contains(action), action + " in\n" + events);
        }
    }

    @Test
    void aDaemonCrashLeavesTheEndpointToTheJournal() throws Exception {
        TreeSet<String> before = NetHost.veths();
        String id = ok("run", "-d", "-p", "18183:80", "busybox", "sh", "-c", SERVE).trimmed();
        try {
            readLoopback(18183);
            berth.kill();
            berth.launch();
            // After the restart the port still answers, and removal finds the endpoint in the journal.
            assertTrue(readLoopback(18183).startsWith("hello-"));
            assertTrue(inspect(id).getJsonObject("NetworkSettings").getString("IPAddress").startsWith("172.17."));
        } finally {
            ok("rm", "-f", id);
        }
        assertTornDown(id, before);
    }
}
