package io.berth.events.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import io.berth.events.EventEnvelope;
import io.berth.events.NoLeaks;
import io.berth.events.RandomHistory;
import io.berth.events.codec.BinaryCodec;
import io.berth.events.codec.Shape;
import io.berth.events.codec.ShapeParser;
import io.berth.events.codec.Utf8;
import io.berth.events.journal.Journal;
import io.berth.events.journal.JournalConfig;
import io.berth.events.journal.internal.ChronicleJournal;
import io.berth.events.state.ContainerState;
import io.berth.events.state.EngineState;
import io.berth.events.state.StateReducer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(NoLeaks.class)
class SnapshotTest {

    @TempDir
    Path dir;

    /**
     * Property: for random valid histories and a random cut, folding from empty equals writing a
     * snapshot at the cut, reading it back and folding the rest.
     */
    @Test
    void replayFromASnapshotEqualsReplayFromEmpty() throws Exception {
        Random seeds = new Random(20261123);
        for (int run = 0; run < 40; run++) {
            SnapshotStore store = new SnapshotStore(dir.resolve("run" + run), 1);
            long seed = seeds.nextLong();
            int length = 1 + seeds.nextInt(1500);
            List<EventEnvelope> history = new RandomHistory(seed, 1 + seeds.nextInt(40)).envelopes(length);
            int cut = seeds.nextInt(length + 1);

            EngineState full = StateReducer.applyAll(EngineState.EMPTY, history);
            EngineState atCut = StateReducer.applyAll(EngineState.EMPTY, history.subList(0, cut));
            store.write(atCut);
            EngineState loaded = store.loadLatest().orElseThrow();
            assertEquals(atCut, loaded, "snapshot round trip, seed " + seed);
            EngineState resumed = StateReducer.applyAll(loaded, history.subList(cut, length));
            assertEquals(full, resumed, "seed " + seed + ", cut " + cut + " of " + length);
            assertEquals(StateDigest.of(full), StateDigest.of(resumed), "equal states, equal digests");
            if (cut < length) {
                assertTrue(!StateDigest.of(full).equals(StateDigest.of(atCut)), "a later state, another digest");
            }
        }
    }

    @Test
    void restartReplaysOnlyTheJournalAfterTheSnapshot() throws Exception {
        RandomHistory h = new RandomHistory(7, 20);
        List<EventEnvelope> history = h.envelopes(3000);
        SnapshotStore store = new SnapshotStore(dir.resolve("snapshots"), 2);
        JournalConfig cfg = JournalConfig.defaults(dir.resolve("journal"));
        try (Journal j = ChronicleJournal.open(cfg)) {
            j.appendAll(history.stream().map(EventEnvelope::event).toList()).get(30, TimeUnit.SECONDS);
        }
        // The daemon's cycle: fold everything, snapshot at 2000.
        EngineState[] state = {EngineState.EMPTY};
        try (Journal j = ChronicleJournal.open(cfg)) {
            j.replay(1, e -> state[0] = StateReducer.apply(state[0], e));
            EngineState[] at2000 = {EngineState.EMPTY};
            j.replay(1, e -> {
                if (e.seq() <= 2000) {
                    at2000[0] = StateReducer.apply(at2000[0], e);
                }
            });
            store.write(at2000[0]);
        }
        try (Journal j = ChronicleJournal.open(cfg)) {
            EngineState[] restored = {store.loadLatest().orElseThrow()};
            assertEquals(2000, restored[0].seq());
            long replayed = j.replay(restored[0].seq() + 1, e -> restored[0] = StateReducer.apply(restored[0], e)).count();
            assertEquals(1000, replayed);
            assertEquals(state[0], restored[0]);
        }
    }

    @Test
    void aDamagedSnapshotFallsBackToTheOlderOne() throws Exception {
        SnapshotStore store = new SnapshotStore(dir, 3);
        RandomHistory h = new RandomHistory(3, 10);
        h.envelopes(100);
        EngineState older = h.state();
        store.write(older);
        h.envelopes(100);
        Path newer = store.write(h.state());
        byte[] data = Files.readAllBytes(newer);
        data[data.length / 2] ^= 1;
        Files.write(newer, data);
        assertEquals(Optional.of(older), store.loadLatest());
        assertEquals(200, store.latestSeq(), "the newest file is still there, for inspection");
    }

    @Test
    void onlyTheNewestSnapshotsAreKept() throws Exception {
        SnapshotStore store = new SnapshotStore(dir, 2);
        RandomHistory h = new RandomHistory(4, 10);
        for (int i = 0; i < 5; i++) {
            h.envelopes(10);
            store.write(h.state());
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(2, s.count());
        }
        assertEquals(50, store.latestSeq());
    }

    @Test
    void aReaderInTheMiddleGetsTheNewestSnapshotNotPastItsPosition() throws Exception {
        SnapshotStore store = new SnapshotStore(dir, 3);
        RandomHistory h = new RandomHistory(6, 10);
        h.envelopes(10);
        EngineState at10 = h.state();
        store.write(at10);
        h.envelopes(10);
        EngineState at20 = h.state();
        store.write(at20);
        assertEquals(Optional.empty(), store.loadAtOrBefore(9));
        assertEquals(Optional.of(at10), store.loadAtOrBefore(19));
        assertEquals(Optional.of(at20), store.loadAtOrBefore(20));
        assertEquals(Optional.of(at20), store.loadAtOrBefore(1000));
    }

    /** A snapshot written when state records had fewer components still loads; the new ones take defaults. */
    @Test
    void aSnapshotInAnOlderShapeLoadsWithDefaults() throws Exception {
        RandomHistory h = new RandomHistory(5, 5);
        h.envelopes(200);
        EngineState state = h.state();
        Path file = new SnapshotStore(dir, 1).write(state);

        // Rewrite the file as if Container had no restartCount yet.
        String current = BinaryCodec.shapeOf(SnapshotStore.StateSnapshot.class).describe();
        String older = current.replace(",restartCount:I", "");
        assertTrue(!older.equals(current));
        var generic = BinaryCodec.readGeneric(BinaryCodec.shapeOf(SnapshotStore.StateSnapshot.class),
                payloadOf(file, current));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> containers = (List<Map<String, Object>>) generic.get("containers");
        containers.forEach(c -> c.remove("restartCount"));
        writeSnapshot(file, older, (Shape.Rec) ShapeParser.parse(older), generic);

        EngineState loaded = SnapshotStore.read(file);
        assertEquals(state.containers().keySet(), loaded.containers().keySet());
        loaded.containers().values().forEach(c -> assertEquals(0, c.restartCount()));
        var anyRunning = state.containers().values().stream()
                .filter(c -> c.state() instanceof ContainerState.Running).findFirst();
        anyRunning.ifPresent(c -> assertEquals(c.state(), loaded.container(c.id()).state()));
        assertEquals(state.images(), loaded.images());
    }

    private static net.openhft.chronicle.bytes.Bytes<byte[]> payloadOf(Path file, String shape) throws Exception {
        byte[] data = Files.readAllBytes(file);
        var in = net.openhft.chronicle.bytes.Bytes.wrapForRead(data);
        in.readLimit(data.length - 4);
        in.readLong();
        in.readInt();
        assertEquals(shape, Utf8.read(in));
        return in;
    }

    private static void writeSnapshot(Path file, String shapeText, Shape.Rec shape, Map<String, Object> value)
            throws Exception {
        var out = net.openhft.chronicle.bytes.Bytes.allocateElasticOnHeap(4096);
        byte[] original = Files.readAllBytes(file);
        out.write(original, 0, 12); // magic and format
        Utf8.write(out, shapeText);
        BinaryCodec.writeGeneric(shape, value, out);
        var crc = new CRC32C();
        crc.update(out.underlyingObject(), 0, (int) out.writePosition());
        out.writeInt((int) crc.getValue());
        Files.write(file, Arrays.copyOf(out.underlyingObject(), (int) out.writePosition()));
    }
}
