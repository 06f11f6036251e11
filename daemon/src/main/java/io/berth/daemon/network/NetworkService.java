package io.berth.daemon.network;

import io.berth.daemon.os.HostCommand;
import io.berth.daemon.engine.Engine;
import io.berth.errors.EngineException;
import io.berth.errors.ErrorKind;
import io.berth.events.ContainerSpec;
import io.berth.events.Event;
import io.berth.events.NetworkEvent;
import io.berth.events.state.Container;
import io.berth.events.state.ContainerState;
import io.berth.events.state.EngineState;
import io.berth.events.state.Network;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Networks and containers' endpoints on them. Bridge networks are set up by the distro's CNI
 * plugins in a network namespace the daemon makes for each run ({@link NetNs}); each endpoint is
 * journaled when set up and when torn down, so teardown finds it after a daemon restart.
 *
 * <p>Names resolve by {@code /etc/hosts}: a container's hosts file lists, besides itself, the other
 * running members of each user-defined network it is on, by name and aliases, and is rewritten in
 * place (it is bind-mounted) when a member comes or goes. The default {@code bridge}, as Docker's,
 * resolves no names.
 */
public final class NetworkService {

    private static final Logger LOG = LoggerFactory.getLogger(NetworkService.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** What one run's network setup acquired, to journal it or undo it. */
    public record Setup(Path netns, List<NetworkEvent.Attached> attached) {
        public static final Setup NONE = new Setup(null, List.of());
    }

    private final Engine engine;
    private final CniPlugins cni;
    private final NetNs netns;
    private final Path ipamDir;
    private final HostsFiles hosts;

    public NetworkService(Engine engine, CniPlugins cni, NetNs netns, Path ipamDir, HostsFiles hosts) {
        this.engine = engine;
        this.cni = cni;
        this.netns = netns;
        this.ipamDir = ipamDir;
        this.hosts = hosts;
    }

    public EngineState state() {
        return engine.state();
    }

    /** The network a reference names, or NOT_FOUND as Docker words it. */
    public Network find(String ref) {
        Network n = engine.state().findNetwork(ref);
        if (n == null) {
            throw EngineException.notFound("network " + ref + " not found");
        }
        return n;
    }

    // ---- networks

    /** Creates a user-defined bridge network; returns its id. */
    public Future<String> create(String name, String driver, String subnet, String gateway, boolean internal,
                                 Map<String, String> labels) {
        try {
            if (name == null || name.isBlank()) {
                throw EngineException.invalid("network name cannot be empty");
            }
            String d = driver == null || driver.isEmpty() ? "bridge" : driver;
            if (!d.equals("bridge")) {
                throw EngineException.invalid("plugin \"" + d + "\" not found: only the bridge driver is supported");
            }
            for (Network n : engine.state().networks().values()) {
                if (n.name().equals(name)) {
                    throw EngineException.conflict("network with name " + name + " already exists");
                }
            }
            String id = HexFormat.of().formatHex(randomBytes());
            List<String> used = used();
            String sub = subnet == null || subnet.isEmpty() ? Subnets.pick(used) : Subnets.normalize(subnet);
            String gw = gateway == null || gateway.isEmpty() ? Subnets.firstHost(sub) : gateway;
            if (used.stream().anyMatch(u -> Subnets.overlap(u, sub))) {
                throw new EngineException(ErrorKind.PERMISSION_DENIED, "Pool overlaps with other one on this address space");
            }
            String bridge = "berth-" + id.substring(0, 9);
            return engine.commit(new NetworkEvent.Created(id, name, d, bridge, sub, gw, labels, internal)).map(id);
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return b;
    }

    private List<String> used() {
        List<String> out = new ArrayList<>();
        for (Network n : engine.state().networks().values()) {
            if (n.subnet() != null && !n.subnet().isEmpty()) {
                out.add(n.subnet());
            }
        }
        out.addAll(Subnets.hostRoutes());
        return out;
    }

    /** Removes a user-defined network without endpoints; its bridge goes with it. */
    public Future<Void> remove(String ref) {
        Network n;
        try {
            n = find(ref);
        } catch (EngineException e) {
            return Future.failedFuture(e);
        }
        return engine.exclusive("network/" + n.id(), () -> {
            Network now = find(n.id());
            if (now.builtin()) {
                throw new EngineException(ErrorKind.PERMISSION_DENIED, now.name()
                        + " is a pre-defined network and cannot be removed");
            }
            if (now.hasEndpoints()) {
                throw new EngineException(ErrorKind.PERMISSION_DENIED, "error while removing network: network "
                        + now.name() + " id " + now.id() + " has active endpoints");
            }
            return engine.commit(new NetworkEvent.Removed(now.id())).compose(x -> engine.blocking(() -> {
                deleteBridge(now.bridge());
                return null;
            }));
        });
    }

    private void deleteBridge(String bridge) {
        if (bridge == null || bridge.isEmpty() || !Files.exists(Path.of("/sys/class/net", bridge))) {
            return;
        }
        try {
            HostCommand.run("ip", "link", "delete", bridge);
        } catch (IOException | RuntimeException e) {
            LOG.warn("deleting bridge {}: {}", bridge, e.getMessage());
        }
    }

    /** Whether the container still has a network namespace file of ours (a run that was not torn down). */
    public boolean hasNamespace(String containerId) {
        return Files.exists(netns.path(containerId));
    }

    /** Removes the user-defined networks nothing is connected to; returns their names. */
    public Future<List<String>> prune(Predicate<Network> filter) {
        List<Future<String>> removals = new ArrayList<>();
        for (Network n : engine.state().networks().values()) {
            if (!n.builtin() && n.members().isEmpty() && filter.test(n)) {
                removals.add(remove(n.id()).map(n.name()).otherwise((String) null));
            }
        }
        return Future.join(removals).map(x -> removals.stream().map(Future::result).filter(r -> r != null).toList());
    }

    // ---- membership

    /** Connects a container to a network; a running one gets its endpoint there at once. */
    public Future<Void> connect(String networkRef, String containerRef, List<String> aliases) {
        try {
            Network n = find(networkRef);
            Container c = container(containerRef);
            if (!n.isBridge()) {
                throw EngineException.invalid("container cannot be connected to network " + n.name()
                        + ": only bridge networks take connections");
            }
            if ("host".equals(c.spec().networkMode()) || "none".equals(c.spec().networkMode())) {
                throw EngineException.invalid("container sharing network namespace with another container or host"
                        + " cannot be connected to any other network");
            }
            return engine.exclusive(c.id(), () -> {
                Container now = container(c.id());
                if (engine.state().networks().get(n.id()).members().containsKey(now.id())) {
                    throw new EngineException(ErrorKind.PERMISSION_DENIED, "endpoint with name " + now.name()
                            + " already exists in network " + n.name());
                }
                NetworkEvent.Connected connected = new NetworkEvent.Connected(n.id(), now.id(), aliases);
                if (!(now.state() instanceof ContainerState.Running || now.state() instanceof ContainerState.Paused)) {
                    return engine.commit(connected).mapEmpty();
                }
                // The endpoint comes first so that a failed CNI ADD leaves no membership behind.
                Path ns = netns.path(now.id());
                String ifname = "eth" + endpointCount(now.id());
                return engine.blocking(() -> attach(n, now, ns, ifname))
                        .compose(attached -> engine.commitAll(List.of(connected, attached)))
                        .compose(x -> engine.blocking(() -> {
                            refreshHosts(now.id());
                            refreshPeers(n, now.id());
                            return null;
                        }));
            });
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }

    /** Disconnects a container from a network, tearing its endpoint down if it has one. */
    public Future<Void> disconnect(String networkRef, String containerRef, boolean force) {
        try {
            Network n = find(networkRef);
            Container c = container(containerRef);
            return engine.exclusive(c.id(), () -> {
                Network now = find(n.id());
                Network.Member m = now.members().get(c.id());
                if (m == null) {
                    throw new EngineException(ErrorKind.PERMISSION_DENIED, "container " + c.id()
                            + " is not connected to network " + now.name());
                }
                Future<Void> detached = Future.succeededFuture();
                if (m.endpoint() != null) {
                    detached = engine.blocking(() -> {
                        detach(now, c.id(), m.endpoint());
                        return null;
                    }).compose(v -> engine.commit(new NetworkEvent.Detached(now.id(), c.id()))).mapEmpty();
                }
                return detached.compose(v -> engine.commit(new NetworkEvent.Disconnected(now.id(), c.id())))
                        .compose(x -> engine.blocking(() -> {
                            refreshHosts(c.id());
                            refreshPeers(now, c.id());
                            return null;
                        }));
            });
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }

    private Container container(String ref) {
        Container c = engine.state().findContainer(ref);
        if (c == null) {
            throw EngineException.notFound("No such container: " + ref);
        }
        return c;
    }

    private int endpointCount(String containerId) {
        int n = 0;
        for (Network net : engine.state().networksOf(containerId)) {
            if (net.members().get(containerId).endpoint() != null) {
                n++;
            }
        }
        return n;
    }

    // ---- a run's endpoints (blocking; the container service calls these from its workers)

    /** Whether a container of {@code spec} runs in a network namespace this service sets up. */
    public boolean ownsNamespace(Container c) {
        return engine.state().networksOf(c.id()).stream().anyMatch(Network::isBridge);
    }

    /**
     * Makes the run's network namespace and an endpoint on each bridge network the container is a
     * member of (eth0, eth1, ... in name order, the network of its mode first); undoes what it did
     * if a step fails. Returns {@link Setup#NONE} for a container without bridge networks.
     */
    public Setup setUp(Container c) throws IOException {
        List<Network> bridges = bridgesInOrder(c);
        if (bridges.isEmpty()) {
            return Setup.NONE;
        }
        if (hasNamespace(c.id())) {
            // A start the daemon died in left a namespace the journal knows nothing of: clear it first.
            tearDown(c.id(), List.of());
        }
        Path ns = netns.create(c.id());
        List<NetworkEvent.Attached> done = new ArrayList<>();
        try {
            cni.add(CniConfig.loopback(), c.id(), ns.toString(), "lo");
            for (int i = 0; i < bridges.size(); i++) {
                done.add(attach(bridges.get(i), c, ns, "eth" + i));
            }
            return new Setup(ns, done);
        } catch (RuntimeException e) {
            tearDown(c.id(), done.stream().map(a -> new Endpointed(a.networkId(), a.endpoint())).toList());
            throw e;
        }
    }

    /** The container's bridge networks, the network of its mode first, as its interfaces are numbered. */
    private List<Network> bridgesInOrder(Container c) {
        List<Network> bridges = new ArrayList<>();
        for (Network n : engine.state().networksOf(c.id())) {
            if (n.isBridge()) {
                bridges.add(n);
            }
        }
        bridges.sort(Comparator.comparing((Network n) -> !isPrimary(n, c)));
        return bridges;
    }

    private static boolean isPrimary(Network n, Container c) {
        return n.name().equals(c.spec().networkMode()) || n.id().equals(c.spec().networkMode());
    }

    /** An endpoint with the network it is on. */
    public record Endpointed(String networkId, NetworkEvent.Endpoint endpoint) {}

    private NetworkEvent.Attached attach(Network n, Container c, Path ns, String ifname) {
        // Ports are published on the network of the container's mode only, as Docker does.
        List<NetworkEvent.PortMapping> ports = isPrimary(n, c) ? PortPlan.mappings(c.spec(), PortPlan::freePort) : List.of();
        List<JsonObject> ran = new ArrayList<>();
        JsonObject prev = null;
        try {
            for (JsonObject conf : CniConfig.plugins(n, ipamDir, ports)) {
                if (prev != null) {
                    conf.put("prevResult", prev);
                }
                ran.add(conf.copy());
                prev = cni.add(conf, c.id(), ns.toString(), ifname);
            }
            return new NetworkEvent.Attached(n.id(), c.id(), CniConfig.endpoint(prev, ifname, ns.toString(), ports));
        } catch (RuntimeException e) {
            for (int i = ran.size() - 1; i >= 0; i--) {
                try {
                    cni.del(ran.get(i), c.id(), ns.toString(), ifname);
                } catch (RuntimeException cleanup) {
                    LOG.warn("undoing CNI ADD on {} for {}: {}", n.name(), c.id(), cleanup.getMessage());
                }
            }
            throw e;
        }
    }

    /**
     * Tears down a container's endpoints (CNI DEL, in reverse plugin order) and its namespace, with
     * any endpoint the namespace holds that the journal never got.
     */
    public void tearDown(String containerId, List<Endpointed> endpoints) throws IOException {
        RuntimeException first = null;
        for (Endpointed e : endpoints) {
            Network n = engine.state().networks().get(e.networkId());
            try {
                detach(n, containerId, e.endpoint());
            } catch (RuntimeException ex) {
                first = first == null ? ex : first;
            }
        }
        for (Endpointed e : unrecorded(containerId, endpoints)) {
            try {
                detach(engine.state().networks().get(e.networkId()), containerId, e.endpoint());
            } catch (RuntimeException ex) {
                LOG.warn("tearing down an endpoint of {} the journal did not have: {}", containerId, ex.getMessage());
            }
        }
        netns.remove(containerId);
        if (first != null) {
            throw first;
        }
    }

    private void detach(Network n, String containerId, NetworkEvent.Endpoint e) {
        if (n == null) {
            return;
        }
        List<JsonObject> confs = CniConfig.plugins(n, ipamDir, e.ports());
        RuntimeException first = null;
        for (int i = confs.size() - 1; i >= 0; i--) {
            JsonObject conf = confs.get(i).put("prevResult", CniConfig.prevResult(e));
            try {
                cni.del(conf, containerId, Files.exists(Path.of(e.netns())) ? e.netns() : "", e.ifname());
            } catch (RuntimeException ex) {
                LOG.warn("CNI DEL of {} on {}: {}", containerId, n.name(), ex.getMessage());
                first = first == null ? ex : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /**
     * The endpoints a start set up in the namespace without journaling them (the daemon was killed
     * between the CNI ADD and the append), read back from it: the interface on each bridge network
     * without a recorded endpoint, found by its address in the network's subnet (by its place in
     * the order otherwise), so that DEL frees the address, NAT and forwarding rules it holds. The
     * port mappings are rebuilt from the spec: portmap finds its chains by container id, not port.
     */
    private List<Endpointed> unrecorded(String containerId, List<Endpointed> recorded) throws IOException {
        Container c = engine.state().container(containerId);
        Path ns = netns.path(containerId);
        if (c == null || !Files.exists(ns)) {
            return List.of();
        }
        List<Network> bridges = bridgesInOrder(c);
        Set<String> known = new HashSet<>();
        recorded.forEach(e -> known.add(e.networkId()));
        if (bridges.stream().allMatch(n -> known.contains(n.id()))) {
            return List.of();
        }
        JsonArray links;
        try {
            links = new JsonArray(HostCommand.run("nsenter", "--net=" + ns, "ip", "-j", "-4", "addr", "show"));
        } catch (RuntimeException e) {
            LOG.warn("reading the interfaces of {}'s namespace: {}", containerId, e.getMessage());
            links = new JsonArray();
        }
        List<Endpointed> out = new ArrayList<>();
        for (int i = 0; i < bridges.size(); i++) {
            Network n = bridges.get(i);
            if (known.contains(n.id())) {
                continue;
            }
            String ifname = "eth" + i;
            String address = "";
            int prefix = 0;
            String mac = "";
            for (int l = 0; l < links.size(); l++) {
                JsonObject link = links.getJsonObject(l);
                for (Object a : link.getJsonArray("addr_info", new JsonArray())) {
                    JsonObject addr = (JsonObject) a;
                    if (Subnets.contains(n.subnet(), addr.getString("local", "0.0.0.0"))) {
                        ifname = link.getString("ifname", ifname);
                        address = addr.getString("local");
                        prefix = addr.getInteger("prefixlen", 0);
                        mac = link.getString("address", "");
                    }
                }
            }
            List<NetworkEvent.PortMapping> ports = isPrimary(n, c) ? PortPlan.mappings(c.spec(), proto -> 0) : List.of();
            out.add(new Endpointed(n.id(), new NetworkEvent.Endpoint(ifname, address, prefix,
                    n.gateway() == null ? "" : n.gateway(), mac, ports, ns.toString())));
        }
        return out;
    }

    /** The endpoints the journal says {@code containerId} has. */
    public List<Endpointed> endpointsOf(String containerId) {
        List<Endpointed> out = new ArrayList<>();
        for (Network n : engine.state().networksOf(containerId)) {
            NetworkEvent.Endpoint e = n.members().get(containerId).endpoint();
            if (e != null) {
                out.add(new Endpointed(n.id(), e));
            }
        }
        return out;
    }

    /** The events that journal the teardown of {@code endpoints}. */
    public static List<Event> detachedEvents(String containerId, List<Endpointed> endpoints) {
        List<Event> out = new ArrayList<>();
        for (Endpointed e : endpoints) {
            out.add(new NetworkEvent.Detached(e.networkId(), containerId));
        }
        return out;
    }

    // ---- /etc/hosts

    /** The container's /etc/hosts as it should be now (after its own endpoints are journaled). */
    public String hostsFor(Container c, List<NetworkEvent.Attached> own) {
        EngineState s = engine.state();
        List<String> lines = new ArrayList<>();
        Set<String> seen = new TreeSet<>();
        String self = c.spec().hostname();
        // A container names itself by the address of its first endpoint.
        if (!own.isEmpty()) {
            lines.add(own.getFirst().endpoint().ipAddress() + "\t" + self);
        } else {
            endpointsOf(c.id()).stream().findFirst()
                    .ifPresent(e -> lines.add(e.endpoint().ipAddress() + "\t" + self));
        }
        for (Network n : s.networksOf(c.id())) {
            if (n.builtin() || !n.isBridge()) {
                continue;
            }
            for (Map.Entry<String, Network.Member> m : n.membersById().entrySet()) {
                Container peer = s.container(m.getKey());
                if (peer == null || peer.id().equals(c.id()) || m.getValue().endpoint() == null) {
                    continue;
                }
                String ip = m.getValue().endpoint().ipAddress();
                List<String> names = new ArrayList<>();
                names.add(peer.name());
                names.addAll(m.getValue().aliases());
                names.add(peer.id().substring(0, 12));
                String line = ip + "\t" + String.join(" ", new LinkedHashSet<>(names));
                if (seen.add(line)) {
                    lines.add(line);
                }
            }
        }
        return HostsFiles.BASE + String.join("\n", lines) + (lines.isEmpty() ? "" : "\n");
    }

    /** Rewrites, in place, the hosts file of {@code containerId} if it runs with a namespace of ours. */
    public void refreshHosts(String containerId) {
        Container c = engine.state().container(containerId);
        if (c == null || !ownsNamespace(c)) {
            return;
        }
        hosts.rewrite(containerId, hostsFor(c, List.of()));
    }

    /** Rewrites the hosts files of the running members of {@code n} other than {@code except}. */
    public void refreshPeers(Network n, String except) {
        Network now = engine.state().networks().get(n.id());
        if (now == null || now.builtin()) {
            return;
        }
        for (Map.Entry<String, Network.Member> m : now.membersById().entrySet()) {
            if (!m.getKey().equals(except) && m.getValue().endpoint() != null) {
                refreshHosts(m.getKey());
            }
        }
    }

    /** After a run's endpoints came or went: every peer on its user networks sees it. */
    public void refreshPeersOf(String containerId) {
        for (Network n : engine.state().networksOf(containerId)) {
            refreshPeers(n, containerId);
        }
    }

    /** At create: a network mode this daemon can run. An unknown network is only an error at start, as in Docker. */
    public void requireSupportedMode(ContainerSpec spec) {
        if (spec.networkMode().startsWith("container:")) {
            throw new EngineException(ErrorKind.NOT_IMPLEMENTED, "network mode container: is not supported yet");
        }
    }

    /** At start: the network of the container's mode exists and has it as a member, else NOT_FOUND. */
    public void requireMode(Container c) {
        String mode = c.spec().networkMode();
        Network n = engine.state().findNetwork(mode);
        if (n == null || !n.members().containsKey(c.id())) {
            throw EngineException.notFound("network " + mode + " not found");
        }
    }
}
