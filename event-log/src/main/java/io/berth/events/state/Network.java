package io.berth.events.state;

import io.berth.events.NetworkEvent;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One network as the journal says it is, with its members.
 *
 * @param driver       {@code bridge}, {@code host}, or {@code null} for the built-in {@code none}
 * @param bridge       the Linux bridge of a bridge network, else empty
 * @param createdNanos journal time of creation, 0 for the built-in networks
 * @param builtin      one of {@code bridge}, {@code host}, {@code none}, which cannot be removed
 * @param members      container id to its membership, in no particular order ({@link #membersById} sorts)
 */
public record Network(
        String id,
        String name,
        String driver,
        String bridge,
        String subnet,
        String gateway,
        Map<String, String> labels,
        boolean internal,
        long createdNanos,
        boolean builtin,
        Map<String, Member> members) {

    public Network {
        // Every membership change builds a new Network; most have no labels and skip the sorted copy.
        labels = labels.isEmpty() ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(labels));
        // Persistent, so a container joining or leaving copies one short path, not every member; a
        // hash trie rather than a sorted tree because the reducer only looks members up.
        members = members instanceof ChampMap<String, Member> p ? p : ChampMap.<String, Member>empty().plusAll(members);
    }

    /** A container's membership: its aliases, and its endpoint while it runs (else null). */
    public record Member(List<String> aliases, NetworkEvent.Endpoint endpoint) {
        public Member {
            aliases = List.copyOf(aliases);
        }
    }

    /** The id of a built-in network: fixed, so journals and snapshots agree on it. */
    public static String builtinId(String name) {
        return switch (name) {
            case "bridge" -> "b0e7a1d9c3f54e8a9d2b6c4f1e3a5b7c9d0e2f4a6b8c1d3e5f7a9b0c2d4e6f8a";
            case "host" -> "a1f3c5e7b9d0f2a4c6e8b1d3f5a7c9e0b2d4f6a8c1e3b5d7f9a0c2e4b6d8f1a3";
            case "none" -> "c7e9a1b3d5f7e9c1a3b5d7f9e1c3a5b7d9f1e3c5a7b9d1f3e5c7a9b1d3f5e7c9";
            default -> throw new IllegalArgumentException("not a built-in network: " + name);
        };
    }

    /** The built-in networks every engine has: {@code bridge} (Docker's 172.17.0.0/16), {@code host}, {@code none}. */
    public static List<Network> builtins() {
        return List.of(
                new Network(builtinId("bridge"), "bridge", "bridge", "berth0", "172.17.0.0/16", "172.17.0.1",
                        Map.of(), false, 0, true, Map.of()),
                new Network(builtinId("host"), "host", "host", "", "", "", Map.of(), false, 0, true, Map.of()),
                new Network(builtinId("none"), "none", "null", "", "", "", Map.of(), false, 0, true, Map.of()));
    }

    /** Whether containers on it get endpoints from the CNI plugins. */
    public boolean isBridge() {
        return "bridge".equals(driver);
    }

    Network withMembers(Map<String, Member> m) {
        return new Network(id, name, driver, bridge, subnet, gateway, labels, internal, createdNanos, builtin, m);
    }

    /** The members in container id order, as Docker lists them. */
    public SortedMap<String, Member> membersById() {
        return Collections.unmodifiableSortedMap(new TreeMap<>(members));
    }

    Network withMember(String containerId, Member m) {
        ChampMap<String, Member> all = (ChampMap<String, Member>) members;
        return withMembers(m == null ? all.minus(containerId) : all.plus(containerId, m));
    }

    /** Whether any member has an endpoint. */
    public boolean hasEndpoints() {
        return members.values().stream().anyMatch(m -> m.endpoint() != null);
    }
}
