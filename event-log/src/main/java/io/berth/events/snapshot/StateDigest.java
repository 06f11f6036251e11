package io.berth.events.snapshot;

import io.berth.events.codec.BinaryCodec;
import io.berth.events.state.Container;
import io.berth.events.state.EngineState;
import io.berth.events.state.Exec;
import io.berth.events.state.Image;
import io.berth.events.state.Network;
import io.berth.events.state.Volume;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import net.openhft.chronicle.bytes.Bytes;

/**
 * A fingerprint of an engine state: the SHA-256 of its snapshot form with every list in id order, so
 * two states are equal exactly when their digests are, however they were reached (a live daemon's
 * state, a replay from empty, a replay from a snapshot).
 */
public final class StateDigest {

    private StateDigest() {}

    /** {@code sha256:<hex>} of {@code state}. */
    public static String of(EngineState state) {
        List<Container> containers = new ArrayList<>(state.containers().values());
        containers.sort(Comparator.comparing(Container::id));
        List<Image> images = new ArrayList<>(state.images().values());
        images.sort(Comparator.comparing(Image::id));
        List<Exec> execs = new ArrayList<>(state.execs().values());
        execs.sort(Comparator.comparing(Exec::id));
        List<Network> networks = new ArrayList<>(state.networks().values());
        networks.sort(Comparator.comparing(Network::id));
        List<Volume> volumes = new ArrayList<>(state.volumes().values());
        volumes.sort(Comparator.comparing(Volume::name));
        Bytes<byte[]> out = Bytes.allocateElasticOnHeap(4096);
        BinaryCodec.write(new SnapshotStore.StateSnapshot(state.seq(), containers, images, execs, networks, volumes),
                out);
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(out.underlyingObject(), 0, (int) out.writePosition());
            return "sha256:" + HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        } finally {
            out.releaseLast();
        }
    }
}
