package io.berth.events.snapshot;

import io.berth.events.codec.BinaryCodec;
import io.berth.events.codec.Shape;
import io.berth.events.codec.ShapeParser;
import io.berth.events.codec.Utf8;
import io.berth.events.state.ChampMap;
import io.berth.events.state.ChampSet;
import io.berth.events.state.Container;
import io.berth.events.state.EngineState;
import io.berth.events.state.Exec;
import io.berth.events.state.Image;
import io.berth.events.state.Network;
import io.berth.events.state.Volume;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import net.openhft.chronicle.bytes.Bytes;
import org.pcollections.PMap;
import org.pcollections.PSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshots of the engine state, each tagged with the journal sequence it folds up to, so a restart
 * replays only the entries after the latest one.
 *
 * <p>A snapshot file is {@code magic, format version, shape description, state, crc32c}. It carries
 * the shape it was written in: a newer Berth whose state records gained components reads it
 * generically and fills the new components with defaults. Files are written to a temporary name,
 * fsynced and renamed, so a crash leaves either the old snapshot or the new one. A snapshot that
 * fails its checksum is skipped for an older one (and, failing all, replay starts from empty).
 */
public final class SnapshotStore {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotStore.class);
    private static final long MAGIC = 0x504e53485452_4542L; // "BERTHSNP", little-endian
    private static final int FORMAT = 1;
    private static final Pattern NAME = Pattern.compile("state-(\\d{20})\\.snap");

    /** The stored form of {@link EngineState}: the indexes are rebuilt on load. */
    public record StateSnapshot(long seq, List<Container> containers, List<Image> images, List<Exec> execs,
                                List<Network> networks, List<Volume> volumes) {}

    private final Path dir;
    private final int keep;

    /**
     * @param keep how many snapshots to keep (at least 1); older ones are deleted after a write
     */
    public SnapshotStore(Path dir, int keep) {
        this.dir = dir;
        this.keep = Math.max(1, keep);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create snapshot directory " + dir, e);
        }
    }

    /** Writes a snapshot of {@code state} and returns its file. */
    public Path write(EngineState state) throws IOException {
        StateSnapshot snap = new StateSnapshot(state.seq(), List.copyOf(state.containers().values()),
                List.copyOf(state.images().values()), List.copyOf(state.execs().values()),
                List.copyOf(state.networks().values()), List.copyOf(state.volumes().values()));
        Bytes<byte[]> out = Bytes.allocateElasticOnHeap(4096);
        out.writeLong(MAGIC);
        out.writeInt(FORMAT);
        Utf8.write(out, BinaryCodec.shapeOf(StateSnapshot.class).describe());
        BinaryCodec.write(snap, out);
        CRC32C crc = new CRC32C();
        int length = (int) out.writePosition();
        crc.update(out.underlyingObject(), 0, length);
        out.writeInt((int) crc.getValue());

        Path target = dir.resolve(String.format("state-%020d.snap", state.seq()));
        Path tmp = dir.resolve(target.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(out.underlyingObject(), 0, (int) out.writePosition());
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
        prune();
        return target;
    }

    /** The newest readable snapshot, or empty. */
    public Optional<EngineState> loadLatest() {
        for (Path p : files()) {
            try {
                return Optional.of(read(p));
            } catch (IOException | RuntimeException e) {
                LOG.warn("skipping unreadable snapshot {}: {}", p, e.getMessage());
            }
        }
        return Optional.empty();
    }

    /**
     * The newest readable snapshot that folds no further than {@code seq}, or empty: a reader that
     * starts in the middle of the journal folds from there instead of from the first entry.
     */
    public Optional<EngineState> loadAtOrBefore(long seq) {
        for (Path p : files()) {
            if (seqOf(p) > seq) {
                continue;
            }
            try {
                return Optional.of(read(p));
            } catch (IOException | RuntimeException e) {
                // Also a snapshot pruned by a concurrent write: an older one or none will do.
                LOG.debug("skipping snapshot {}: {}", p, e.getMessage());
            }
        }
        return Optional.empty();
    }

    /** The sequence of the newest snapshot file, 0 when there is none. */
    public long latestSeq() {
        List<Path> f = files();
        return f.isEmpty() ? 0 : seqOf(f.get(0));
    }

    /** Reads one snapshot file. */
    public static EngineState read(Path file) throws IOException {
        byte[] data = Files.readAllBytes(file);
        if (data.length < 8 + 4 + 4) {
            throw new IOException("snapshot is truncated");
        }
        Bytes<byte[]> in = Bytes.wrapForRead(data);
        CRC32C crc = new CRC32C();
        crc.update(data, 0, data.length - 4);
        if (in.readInt(data.length - 4) != (int) crc.getValue()) {
            throw new IOException("snapshot checksum mismatch");
        }
        in.readLimit(data.length - 4);
        if (in.readLong() != MAGIC) {
            throw new IOException("not a Berth snapshot");
        }
        int format = in.readInt();
        if (format != FORMAT) {
            throw new IOException("unknown snapshot format " + format);
        }
        String shape = Utf8.read(in);
        StateSnapshot snap;
        if (BinaryCodec.shapeOf(StateSnapshot.class).describe().equals(shape)) {
            snap = BinaryCodec.read(StateSnapshot.class, in);
        } else {
            Map<String, Object> generic = BinaryCodec.readGeneric((Shape.Rec) ShapeParser.parse(shape), in);
            snap = BinaryCodec.fromGeneric(StateSnapshot.class, generic);
        }
        return toState(snap);
    }

    private static EngineState toState(StateSnapshot snap) {
        PMap<String, Container> containers = ChampMap.empty();
        PMap<String, String> names = ChampMap.empty();
        for (Container c : snap.containers()) {
            containers = containers.plus(c.id(), c);
            names = names.plus(c.name(), c.id());
        }
        PMap<String, Image> images = ChampMap.empty();
        PMap<String, String> tags = ChampMap.empty();
        for (Image i : snap.images()) {
            images = images.plus(i.id(), i);
            for (String t : i.tags()) {
                tags = tags.plus(t, i.id());
            }
        }
        PMap<String, Exec> execs = ChampMap.empty();
        PMap<String, PSet<String>> execIndex = ChampMap.empty();
        for (Exec x : snap.execs()) {
            execs = execs.plus(x.id(), x);
            execIndex = execIndex.plus(x.containerId(),
                    execIndex.getOrDefault(x.containerId(), ChampSet.empty()).plus(x.id()));
        }
        PMap<String, Network> networks = ChampMap.empty();
        for (Network n : snap.networks()) {
            networks = networks.plus(n.id(), n);
        }
        PMap<String, Volume> volumes = ChampMap.empty();
        for (Volume v : snap.volumes()) {
            volumes = volumes.plus(v.name(), v);
        }
        // A snapshot from before networks were journaled has none: the built-in ones are always there.
        return new EngineState(snap.seq(), containers, names, images, tags, execs, execIndex,
                EngineState.builtinNetworks(networks), volumes);
    }

    /** Snapshot files, newest first. */
    private List<Path> files() {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> NAME.matcher(p.getFileName().toString()).matches()).forEach(out::add);
        } catch (IOException e) {
            LOG.warn("cannot list snapshots in {}: {}", dir, e.getMessage());
        }
        out.sort(Comparator.comparingLong(SnapshotStore::seqOf).reversed());
        return out;
    }

    private static long seqOf(Path p) {
        Matcher m = NAME.matcher(p.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    private void prune() throws IOException {
        List<Path> f = files();
        for (int i = keep; i < f.size(); i++) {
            Files.deleteIfExists(f.get(i));
        }
    }
}
