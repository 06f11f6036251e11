package io.berth.events;

import java.util.List;
import java.util.Map;

/**
 * Events of networks and of containers' places on them.
 *
 * <p>Two levels: a container is a <em>member</em> of a network from {@code Connected} (its create, or
 * {@code docker network connect}) to {@code Disconnected} or its removal, across its runs; while it
 * runs, each member network gives it an <em>endpoint</em> (an interface, an address, published
 * ports), journaled as {@code Attached} once the CNI plugins set it up and {@code Detached} once they
 * tore it down. The endpoint is what a daemon restarted after a crash needs to tear it down.
 *
 * <p>Ordering contract, per container and network: {@code Connected} precedes {@code Attached};
 * {@code Attached} precedes the container's {@code Started} of the run it serves, and
 * {@code Detached} follows that run's {@code Exited} (or a start that failed after the attach);
 * {@code Detached} precedes {@code Disconnected} and the container's {@code Removed}; a network is
 * {@code Removed} only without endpoints. {@code docker events} shows {@code Attached} as Docker's
 * {@code connect} and {@code Detached} as its {@code disconnect}.
 */
public sealed interface NetworkEvent extends Event {

    /** The 64-hex network id. */
    String networkId();

    @Override
    default String actorId() {
        return networkId();
    }

    /** A port the CNI portmap plugin publishes: {@code hostIp:hostPort} to the container's port. */
    record PortMapping(String protocol, int containerPort, String hostIp, int hostPort) {}

    /**
     * What the CNI plugins set up for one container on one network: the interface in the container's
     * namespace, its address and prefix, the gateway, its MAC address, the published ports, and the
     * network namespace file the setup used (for teardown).
     */
    record Endpoint(String ifname, String ipAddress, int prefixLen, String gateway, String macAddress,
                    List<PortMapping> ports, String netns) {
        public Endpoint {
            ports = List.copyOf(ports);
        }
    }

    /**
     * A user-defined (or built-in) network was made. {@code driver} is {@code bridge}, {@code host} or
     * {@code null}; a bridge network has a Linux bridge named {@code bridge} on {@code subnet}.
     */
    @EventType(name = "network.created", version = 1)
    record Created(String networkId, String name, String driver, String bridge, String subnet, String gateway,
                   Map<String, String> labels, boolean internal) implements NetworkEvent {
        public Created {
            labels = Map.copyOf(labels);
        }
    }

    /** The network is gone; it had no endpoints, and its members lost it. */
    @EventType(name = "network.removed", version = 1)
    record Removed(String networkId) implements NetworkEvent {}

    /** The container became a member of the network, also known there by {@code aliases}. */
    @EventType(name = "network.connected", version = 1)
    record Connected(String networkId, String containerId, List<String> aliases) implements NetworkEvent {
        public Connected {
            aliases = List.copyOf(aliases);
        }
    }

    /** The container is no longer a member of the network (it has no endpoint there). */
    @EventType(name = "network.disconnected", version = 1)
    record Disconnected(String networkId, String containerId) implements NetworkEvent {}

    /** The CNI plugins set up the container's endpoint on the network (CNI ADD succeeded). */
    @EventType(name = "network.attached", version = 1)
    record Attached(String networkId, String containerId, Endpoint endpoint) implements NetworkEvent {}

    /** The CNI plugins tore down the container's endpoint (CNI DEL succeeded). */
    @EventType(name = "network.detached", version = 1)
    record Detached(String networkId, String containerId) implements NetworkEvent {}
}
