package io.berth.events.state;

import static io.berth.events.Fixtures.endpoint;
import static io.berth.events.Fixtures.id;
import static io.berth.events.Fixtures.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import io.berth.errors.EngineException;
import io.berth.errors.ErrorKind;
import io.berth.events.ContainerEvent;
import io.berth.events.ContainerSpec;
import io.berth.events.Event;
import io.berth.events.EventEnvelope;
import io.berth.events.NetworkEvent;
import io.berth.events.VolumeEvent;
import io.berth.events.snapshot.SnapshotStore;
import io.berth.events.snapshot.StateDigest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fold of network and volume events, and of the container events that touch them. */
class NetworkVolumeReducerTest {

    private EngineState state;
    private long seq;
    private final String c = id(1);
    private final String net = id(6);
    private final String bridge = Network.builtinId("bridge");

    @BeforeEach
    void empty() {
        state = EngineState.EMPTY;
        seq = 0;
    }

    private EngineState apply(Event e) {
        seq++;
        state = StateReducer.apply(state, new EventEnvelope(seq, seq * 1000, e.actorId(), e));
        return state;
    }

    private EngineException refused(Event e) {
        EngineState before = state;
        EngineException ex = assertThrows(EngineException.class,
                () -> StateReducer.apply(before, new EventEnvelope(seq + 1, 0, e.actorId(), e)));
        assertSame(before, state);
        return ex;
    }

    private static ContainerSpec on(String network, List<ContainerSpec.Mount> mounts, List<String> aliases) {
        ContainerSpec s = spec("busybox");
        return new ContainerSpec(s.image(), s.imageId(), s.entrypoint(), s.cmd(), s.env(), s.workingDir(), s.user(),
                s.hostname(), s.domainname(), s.tty(), s.openStdin(), s.stdinOnce(), s.labels(), s.stopSignal(),
                s.stopTimeout(), s.resources(), s.restartPolicy(), false, network, List.of(), List.of("80/tcp"),
                List.of(new ContainerSpec.PortBinding("80/tcp", "", "")), false, mounts, aliases);
    }

    private NetworkEvent.Created userNet() {
        return new NetworkEvent.Created(net, "appnet", "bridge", "berth-x", "172.18.0.0/16", "172.18.0.1",
                Map.of(), false);
    }

    @Test
    void theBuiltInNetworksAreAlwaysThere() {
        assertEquals("bridge", state.findNetwork("bridge").name());
        assertEquals("host", state.findNetwork("host").driver());
        assertNotNull(state.findNetwork("none"));
        assertEquals("172.17.0.0/16", state.networks().get(bridge).subnet());
        assertEquals(ErrorKind.PERMISSION_DENIED, refused(new NetworkEvent.Removed(bridge)).kind());
    }

    @Test
    void aContainerIsAMemberOfItsNetworkModeFromItsCreate() {
        apply(new ContainerEvent.Created(c, "web", on("bridge", List.of(), List.of("w"))));
        Network.Member m = state.networks().get(bridge).members().get(c);
        assertEquals(List.of("w"), m.aliases());
        assertNull(m.endpoint());
        assertEquals(List.of("bridge"), state.networksOf(c).stream().map(Network::name).toList());
    }

    @Test
    void membersAreKeptInIdOrderThroughJoinsAndLeaves() {
        List<String> ids = new ArrayList<>();
        for (int i = 300; i > 100; i--) {
            ids.add(id(i));
            apply(new ContainerEvent.Created(id(i), "c" + i, on("bridge", List.of(), List.of())));
        }
        for (int i = 101; i <= 300; i += 2) {
            apply(new ContainerEvent.Removing(id(i)));
            apply(new ContainerEvent.Removed(id(i)));
            ids.remove(id(i));
        }
        Collections.sort(ids);
        assertEquals(ids, List.copyOf(state.networks().get(bridge).membersById().keySet()));
        assertEquals(ids, state.containers().keySet().stream().sorted().toList(), "every container is still a member");
    }

    @Test
    void endpointsComeAndGoWithRunsAndBlockRemovals() {
        apply(userNet());
        assertEquals(ErrorKind.CONFLICT, refused(new NetworkEvent.Created(id(7), "appnet", "bridge", "b", "s", "g",
                Map.of(), false)).kind());
        apply(new ContainerEvent.Created(c, "web", on("appnet", List.of(), List.of())));
        assertTrue(state.networks().get(net).members().containsKey(c));
        // A second membership of the same network is Docker's "endpoint already exists" (403).
        assertEquals(ErrorKind.PERMISSION_DENIED, refused(new NetworkEvent.Connected(net, c, List.of())).kind());
        apply(new NetworkEvent.Attached(net, c, endpoint()));
        assertEquals("172.18.0.2", state.networks().get(net).members().get(c).endpoint().ipAddress());
        assertEquals(ErrorKind.CONFLICT, refused(new NetworkEvent.Attached(net, c, endpoint())).kind());
        assertEquals(ErrorKind.PERMISSION_DENIED, refused(new NetworkEvent.Removed(net)).kind());
        assertEquals(ErrorKind.CONFLICT, refused(new NetworkEvent.Disconnected(net, c)).kind());
        apply(new NetworkEvent.Detached(net, c));
        assertNull(state.networks().get(net).members().get(c).endpoint());
        assertEquals(ErrorKind.CONFLICT, refused(new NetworkEvent.Detached(net, c)).kind());
        apply(new NetworkEvent.Disconnected(net, c));
        assertFalse(state.networks().get(net).members().containsKey(c));
        apply(new NetworkEvent.Connected(net, c, List.of("again")));
        apply(new NetworkEvent.Removed(net));
        assertNull(state.findNetwork("appnet"));
    }

    @Test
    void aRemovedContainerLeavesItsNetworks() {
        apply(userNet());
        apply(new ContainerEvent.Created(c, "web", on("appnet", List.of(), List.of())));
        apply(new NetworkEvent.Connected(bridge, c, List.of()));
        apply(new ContainerEvent.Removing(c));
        apply(new ContainerEvent.Removed(c));
        assertTrue(state.networks().get(net).members().isEmpty());
        assertTrue(state.networks().get(bridge).members().isEmpty());
    }

    @Test
    void unknownNetworksAndContainersAreRefused() {
        assertEquals(ErrorKind.NOT_FOUND, refused(new NetworkEvent.Connected(id(9), c, List.of())).kind());
        assertEquals(ErrorKind.NOT_FOUND, refused(new NetworkEvent.Connected(bridge, c, List.of())).kind());
        apply(new ContainerEvent.Created(c, "web", on("none", List.of(), List.of())));
        assertEquals(ErrorKind.NOT_FOUND, refused(new NetworkEvent.Attached(bridge, c, endpoint())).kind());
    }

    @Test
    void aVolumeInUseCannotBeRemoved() {
        ContainerSpec.Mount data = new ContainerSpec.Mount("volume", "data", "/data", false);
        // A container cannot name a volume the journal does not know.
        assertEquals(ErrorKind.NOT_FOUND, refused(new ContainerEvent.Created(c, "web",
                on("none", List.of(data), List.of()))).kind());
        apply(new VolumeEvent.Created("data", "local", "/v/data/_data", Map.of(), false));
        assertEquals(ErrorKind.ALREADY_EXISTS, refused(new VolumeEvent.Created("data", "local", "/x", Map.of(),
                false)).kind());
        apply(new ContainerEvent.Created(c, "web", on("none", List.of(data), List.of())));
        assertEquals(List.of(c), state.volumeUsers("data"));
        EngineException inUse = refused(new VolumeEvent.Removed("data"));
        assertEquals(ErrorKind.CONFLICT, inUse.kind());
        assertEquals("remove data: volume is in use - [" + c + "]", inUse.getMessage());
        apply(new VolumeEvent.Mounted("data", c, "/data", true));
        apply(new VolumeEvent.Unmounted("data", c));
        apply(new ContainerEvent.Removing(c));
        apply(new ContainerEvent.Removed(c));
        apply(new VolumeEvent.Removed("data"));
        assertTrue(state.volumes().isEmpty());
        assertEquals(ErrorKind.NOT_FOUND, refused(new VolumeEvent.Removed("data")).kind());
    }

    @Test
    void networksVolumesAndEndpointsSurviveASnapshot(@TempDir Path dir) throws Exception {
        apply(userNet());
        apply(new VolumeEvent.Created("data", "local", "/v/data/_data", Map.of("a", "b"), true));
        apply(new ContainerEvent.Created(c, "web", on("appnet", List.of(), List.of("w"))));
        apply(new NetworkEvent.Attached(net, c, endpoint()));
        SnapshotStore store = new SnapshotStore(dir, 1);
        Path file = store.write(state);
        assertTrue(Files.size(file) > 0);
        EngineState back = SnapshotStore.read(file);
        assertEquals(state.networks().get(net), back.networks().get(net));
        assertEquals(state.volumes(), back.volumes());
        assertEquals(StateDigest.of(state), StateDigest.of(back));
    }
}
