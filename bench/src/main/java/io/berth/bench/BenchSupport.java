package io.berth.bench;

import io.berth.events.Event;
import io.berth.events.EventEnvelope;
import io.berth.events.RandomHistory;
import io.berth.events.codec.EventCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import net.openhft.chronicle.bytes.Bytes;

/**
 * Shared fixtures of the journal benchmarks: the event mix (valid random histories), the size those
 * events take in the journal, and throw-away journal directories.
 */
final class BenchSupport {

    /** Parent of the benchmark journals; {@code -Dberth.bench.dir=...} puts them on another disk. */
    static final Path BASE = Paths.get(System.getProperty("berth.bench.dir", System.getProperty("java.io.tmpdir")));

    /** Seed of every generated history, so runs see the same events. */
    static final long SEED = 42;

    /** Bytes a journal entry adds around the encoded event: seq, time, CRC (see EntryFormat). */
    private static final int ENTRY_FIXED = 8 + 8 + 4;

    /** Chronicle's header in front of every excerpt. */
    static final int EXCERPT_HEADER = 4;

    private BenchSupport() {}

    /** {@code n} events of a valid random history over at most {@code maxContainers} containers. */
    static List<Event> events(int n, int maxContainers) {
        return new RandomHistory(SEED, maxContainers).events(n);
    }

    /**
     * The mean size in bytes of the journal entries for {@code events} (actor, versioned name,
     * payload, seq, time, CRC), without Chronicle's per-excerpt header.
     */
    static double meanEntryBytes(List<? extends Event> events) {
        Bytes<byte[]> out = Bytes.allocateElasticOnHeap(1024);
        long total = 0;
        for (Event e : events) {
            out.clear();
            out.writeUtf8(e.actorId());
            EventCodec.write(e, out);
            total += out.writePosition() + ENTRY_FIXED;
        }
        return (double) total / events.size();
    }

    static double meanEnvelopeEntryBytes(List<EventEnvelope> envelopes) {
        return meanEntryBytes(envelopes.stream().map(EventEnvelope::event).toList());
    }

    static Path newJournalDir() {
        try {
            Files.createDirectories(BASE);
            return Files.createTempDirectory(BASE, "berth-bench-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
