package io.berth.daemon.network;

import io.berth.events.NetworkEvent;
import io.berth.events.state.Network;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The CNI network configuration of a bridge network, as the distro's plugins take it: a list of
 * plugin configs run in order for ADD and in reverse for DEL ({@code bridge} with {@code host-local}
 * IPAM, {@code portmap} when ports are published, {@code firewall}), each given the list's name and
 * CNI version and, after the first, the previous plugin's result. Pure.
 */
public final class CniConfig {

    /** The CNI version of the configs and results. */
    public static final String VERSION = "1.0.0";

    private CniConfig() {}

    /**
     * The plugin configs for {@code network}, each complete (name, version, runtime config), without
     * {@code prevResult}, which the caller adds as the chain runs.
     *
     * @param ipamDir host-local's allocation directory
     * @param ports   the ports to publish (portmap runs only when there are some)
     */
    public static List<JsonObject> plugins(Network network, Path ipamDir, List<NetworkEvent.PortMapping> ports) {
        List<JsonObject> out = new ArrayList<>();
        JsonObject range = new JsonObject().put("subnet", network.subnet());
        if (network.gateway() != null && !network.gateway().isEmpty()) {
            range.put("gateway", network.gateway());
        }
        JsonObject ipam = new JsonObject().put("type", "host-local")
                .put("ranges", new JsonArray().add(new JsonArray().add(range)))
                .put("dataDir", ipamDir.toString());
        if (!network.internal()) {
            ipam.put("routes", new JsonArray().add(new JsonObject().put("dst", "0.0.0.0/0")));
        }
        out.add(base(network, "bridge").put("bridge", network.bridge()).put("isGateway", true)
                .put("ipMasq", !network.internal()).put("hairpinMode", true).put("ipam", ipam));
        if (!ports.isEmpty()) {
            JsonArray mappings = new JsonArray();
            for (NetworkEvent.PortMapping p : ports) {
                mappings.add(new JsonObject().put("hostPort", p.hostPort()).put("containerPort", p.containerPort())
                        .put("protocol", p.protocol()).put("hostIP", "0.0.0.0".equals(p.hostIp()) ? "" : p.hostIp()));
            }
            out.add(base(network, "portmap").put("capabilities", new JsonObject().put("portMappings", true))
                    .put("runtimeConfig", new JsonObject().put("portMappings", mappings)));
        }
        out.add(base(network, "firewall"));
        return out;
    }

    /** The loopback plugin's config, run once per network namespace for {@code lo}. */
    public static JsonObject loopback() {
        return new JsonObject().put("cniVersion", VERSION).put("name", "berth-lo").put("type", "loopback");
    }

    private static JsonObject base(Network network, String type) {
        return new JsonObject().put("cniVersion", VERSION).put("name", cniName(network)).put("type", type);
    }

    /** The CNI network name: host-local's directory and the portmap/NAT rules' comments carry it. */
    public static String cniName(Network network) {
        return "berth-" + network.name();
    }

    /**
     * The result the plugins gave at ADD, rebuilt from the journaled endpoint, for DEL's
     * {@code prevResult} (the firewall plugin finds its rules by the addresses in it).
     */
    public static JsonObject prevResult(NetworkEvent.Endpoint e) {
        JsonArray ips = new JsonArray();
        // An endpoint read back from a namespace whose interface never got its address has none.
        if (!e.ipAddress().isEmpty()) {
            JsonObject ip = new JsonObject().put("interface", 0).put("address", e.ipAddress() + "/" + e.prefixLen());
            if (e.gateway() != null && !e.gateway().isEmpty()) {
                ip.put("gateway", e.gateway());
            }
            ips.add(ip);
        }
        return new JsonObject().put("cniVersion", VERSION)
                .put("interfaces", new JsonArray().add(new JsonObject().put("name", e.ifname())
                        .put("mac", e.macAddress()).put("sandbox", e.netns())))
                .put("ips", ips);
    }

    /**
     * The endpoint a CNI result describes: the first address, its interface's MAC (the one in the
     * sandbox), the gateway.
     *
     * @throws IllegalArgumentException when the result has no address
     */
    public static NetworkEvent.Endpoint endpoint(JsonObject result, String ifname, String netns,
                                                 List<NetworkEvent.PortMapping> ports) {
        JsonArray ips = result.getJsonArray("ips");
        if (ips == null || ips.isEmpty()) {
            throw new IllegalArgumentException("the CNI result has no address: " + result.encode());
        }
        JsonObject ip = ips.getJsonObject(0);
        String cidr = ip.getString("address", "");
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("not an address with a prefix: " + cidr);
        }
        JsonArray ifaces = result.getJsonArray("interfaces", new JsonArray());
        String mac = "";
        Integer index = ip.getInteger("interface");
        if (index != null && index >= 0 && index < ifaces.size()) {
            mac = ifaces.getJsonObject(index).getString("mac", "");
        } else {
            for (int i = 0; i < ifaces.size(); i++) {
                JsonObject x = ifaces.getJsonObject(i);
                if (ifname.equals(x.getString("name")) && x.getString("sandbox") != null) {
                    mac = x.getString("mac", "");
                }
            }
        }
        return new NetworkEvent.Endpoint(ifname, cidr.substring(0, slash), Integer.parseInt(cidr.substring(slash + 1)),
                ip.getString("gateway", ""), mac, ports, netns);
    }
}
