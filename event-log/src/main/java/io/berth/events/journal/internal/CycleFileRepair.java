package io.berth.events.journal.internal;

import io.berth.errors.EngineException;
import io.berth.errors.ErrorKind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueStore;
import net.openhft.chronicle.wire.DocumentContext;
import net.openhft.chronicle.wire.Wires;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a journal's Chronicle queue, first rebuilding its last cycle file if the file's end was lost on
 * disk (cut short), so that what is appended afterwards can be read back. Runs once per open, before
 * the journal's writer creates its appender.
 *
 * <p><b>Why a cut file needs repair.</b> A cycle file's store header keeps {@code writePosition}, the
 * position of the last excerpt written, and beside it that excerpt's index within the cycle. The header
 * sits at the start of the file, so a cut leaves it pointing past the cut. Chronicle's appender trusts
 * it: it takes the excerpt header found there (zeros, read as a zero-length excerpt) and writes 4 bytes
 * after it, numbering the excerpt from the stored index ({@code StoreAppender.writeHeader} and
 * {@code resetPosition}; with assertions on, it fails instead). Every reader, Chronicle's tailer as well
 * as {@link ChronicleFileReader}, walks excerpt by excerpt from the start of the file and stops at the
 * first zero header, where the cut left off: the entries appended afterwards are never read. When the
 * cut lost whole entries before that position, the appender's numbering also runs ahead of what readers
 * count, and Chronicle's index (the position of every n-th excerpt) points into the lost bytes, so
 * {@code moveToIndex} and named tailers would go wrong too.
 *
 * <p><b>Why a rebuild.</b> Chronicle offers no supported repair: its store's {@code writePosition} only
 * moves forward, the recovery that turned an unfinished header into padding was removed
 * (Chronicle-Queue#512), and a file whose header cannot be read is renamed {@code .discard} and
 * replaced by an empty one. Writing padding where the readers stop would mend the positions but not the
 * numbering nor the index. So the file is rebuilt by Chronicle's own appender in a scratch queue: every
 * readable excerpt copied byte for byte (the one the cut went through stays damaged and is reported),
 * then one placeholder ({@link EntryFormat#encodeLost}) per lost entry, so that every index stays what
 * it was: named tailers, and damage already reported by index, still point at the same entries, and
 * new entries get indexes never used before. Every index, position and header in the new file is
 * Chronicle's own. The new file then atomically replaces the cut one. Only the last file is checked:
 * it is the one a stopped daemon was writing, and the only one the appender writes to.
 *
 * <p>A crash during the rebuild leaves the cut file as it was and a scratch directory, removed and
 * redone at the next open.
 */
final class CycleFileRepair {

    private static final Logger LOG = LoggerFactory.getLogger(CycleFileRepair.class);
    /** Beside the cycle files; Chronicle and the file reader only look at {@code *.cq4} files. */
    static final String SCRATCH = "repair-in-progress";
    /** The smallest excerpt: a header and 4 aligned bytes. Bounds how many entries a lost span held. */
    private static final int MIN_EXCERPT = 8;

    private CycleFileRepair() {}

    /**
     * Opens the queue with {@code opener}, and if its last file was cut short, rebuilds that file and
     * opens the queue again.
     *
     * @param nowNanos when the repair happens, recorded in the placeholders
     */
    static SingleChronicleQueue open(Path dir, RollCycle rollCycle, Supplier<SingleChronicleQueue> opener,
                                     long nowNanos) {
        Path scratch = dir.resolve(SCRATCH);
        deleteTree(scratch);
        SingleChronicleQueue queue = opener.get();
        Cut cut;
        Rebuilt rebuilt;
        try {
            cut = find(queue, rollCycle);
            rebuilt = cut == null ? null : rebuild(queue, rollCycle, cut, scratch, nowNanos);
        } catch (RuntimeException | Error e) {
            queue.close();
            throw e;
        }
        if (cut == null) {
            return queue;
        }
        queue.close();
        install(rebuilt.file(), cut.file(), dir);
        deleteTree(scratch);
        LOG.warn("journal file {} repaired: {} entries kept up to byte {}; {} entries lost are reported as "
                + "damaged, and new entries follow them", cut.file().getFileName(), rebuilt.kept(),
                rebuilt.readableEnd(), rebuilt.lost());
        return opener.get();
    }

    /**
     * A last cycle file cut short.
     *
     * @param file          the cycle file
     * @param cycle         its cycle
     * @param writePosition where its header says the last excerpt starts; nothing complete there now
     * @param lastNumber    that excerpt's number within the cycle as the header records it, or -1
     */
    private record Cut(Path file, int cycle, long writePosition, long lastNumber) {}

    /**
     * A rebuilt file, not yet in place.
     *
     * @param kept        excerpts copied from the cut file
     * @param readableEnd where the last of them ended in the cut file
     * @param lost        placeholders written after them
     */
    private record Rebuilt(Path file, long kept, long readableEnd, long lost) {}

    /**
     * The last file's cut, or null. The sign is the excerpt header at the store's {@code writePosition}:
     * Chronicle sets that position only after the excerpt there is complete, so a header not complete
     * there means the bytes were lost afterwards.
     */
    private static Cut find(SingleChronicleQueue queue, RollCycle rollCycle) {
        int cycle = queue.lastCycle();
        if (cycle < 0) {
            return null;
        }
        SingleChronicleQueueStore store = queue.storeForCycle(cycle, queue.epoch(), false, null);
        if (store == null) {
            return null;
        }
        long writePosition;
        Path file;
        try {
            writePosition = store.writePosition();
            file = store.file().toPath();
        } finally {
            queue.closeStore(store);
        }
        if (writePosition <= 0) {
            return null;
        }
        int header = headerAt(file, writePosition);
        if (header != Wires.NOT_INITIALIZED && !Wires.isNotComplete(header)) {
            return null;
        }
        // toEnd() positions at writePosition and, as the header there is not complete, gives the index
        // Chronicle stored for it without counting (Chronicle's own appender would number from there).
        long lastNumber = -1;
        try (ExcerptTailer t = queue.createTailer()) {
            long end = t.toEnd().index();
            if (rollCycle.toCycle(end) == cycle) {
                lastNumber = rollCycle.toSequenceNumber(end);
            }
        }
        LOG.warn("journal file {} was cut short on disk: its header says an entry starts at byte {}, where "
                + "nothing complete is left; repairing it before appending", file.getFileName(), writePosition);
        return new Cut(file, cycle, writePosition, lastNumber);
    }

    /** The excerpt header at {@code position}, or 0 past the end of the file. */
    private static int headerAt(Path file, long position) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            while (b.hasRemaining() && ch.read(b, position + b.position()) > 0) {
                // reads until 4 bytes or the end
            }
            return b.hasRemaining() ? Wires.NOT_INITIALIZED : b.getInt(0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read journal file " + file, e);
        }
    }

    /**
     * Writes the repaired file in {@code scratch}: the readable excerpts of the cut file, then a
     * placeholder for each entry lost, each at the index it had.
     *
     * @return the new file, named as the cut one
     */
    private static Rebuilt rebuild(SingleChronicleQueue queue, RollCycle rollCycle, Cut cut, Path scratch,
                                long nowNanos) {
        // The scratch queue's clock stays inside the cut file's cycle, so it writes a file of that name.
        long inCycleMillis = queue.epoch() + (long) cut.cycle() * rollCycle.lengthInMillis()
                + rollCycle.lengthInMillis() / 2;
        EntryFormat format = new EntryFormat();
        long next = 0;
        long readableEnd = 0;
        long last;
        try (SingleChronicleQueue target = SingleChronicleQueueBuilder.binary(scratch).rollCycle(rollCycle)
                .epoch(queue.epoch()).timeProvider(() -> inCycleMillis).build();
             ExcerptAppender appender = target.createAppender();
             ExcerptTailer source = queue.createTailer()) {
            // From the start of the file, not by index: a cut may have reached Chronicle's index too.
            if (source.moveToCycle(cut.cycle())) {
                while (true) {
                    // Chronicle's own metadata (store header, index) is not copied: the scratch queue
                    // writes its own. It is read only to know where the readable part ends.
                    try (DocumentContext dc = source.readingDocument(true)) {
                        if (!dc.isPresent() || rollCycle.toCycle(dc.index()) != cut.cycle()) {
                            break;
                        }
                        Bytes<?> bytes = dc.wire().bytes();
                        readableEnd = bytes.readLimit();
                        if (dc.isMetaData()) {
                            continue;
                        }
                        try (DocumentContext out = appender.writingDocument()) {
                            out.wire().bytes().write(bytes);
                        }
                        requireIndex(appender, dc.index(), cut);
                        next = rollCycle.toSequenceNumber(dc.index()) + 1;
                    }
                }
            }
            // The entries from the one read next up to the one at writePosition were lost. A number that
            // those bytes could not have held is not trusted: then only the one at writePosition is known.
            last = cut.lastNumber();
            if (last < next || (last - next) * MIN_EXCERPT > cut.writePosition() - readableEnd) {
                last = next;
            }
            for (long i = next; i <= last; i++) {
                Bytes<byte[]> lost = format.encodeLost(readableEnd, nowNanos);
                try (DocumentContext out = appender.writingDocument()) {
                    out.wire().bytes().write(lost.underlyingObject(), 0, (int) lost.writePosition());
                }
                requireIndex(appender, rollCycle.toIndex(cut.cycle(), i), cut);
            }
        }
        Path rebuilt = scratch.resolve(cut.file().getFileName());
        if (!Files.isRegularFile(rebuilt)) {
            throw new EngineException(ErrorKind.INTERNAL, "repairing journal file " + cut.file()
                    + ": the rebuilt file is not at " + rebuilt);
        }
        return new Rebuilt(rebuilt, next, readableEnd, last - next + 1);
    }

    /** Stops the repair, leaving the cut file as it was, if Chronicle numbered a copy differently. */
    private static void requireIndex(ExcerptAppender appender, long expected, Cut cut) {
        if (appender.lastIndexAppended() != expected) {
            throw new EngineException(ErrorKind.INTERNAL, "repairing journal file " + cut.file()
                    + ": an excerpt copied from index 0x" + Long.toHexString(expected) + " got index 0x"
                    + Long.toHexString(appender.lastIndexAppended()));
        }
    }

    /** Makes the rebuilt file durable, then puts it in place of the cut one in one rename. */
    private static void install(Path rebuilt, Path cutFile, Path dir) {
        try {
            try (FileChannel ch = FileChannel.open(rebuilt, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(rebuilt, cutFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot replace journal file " + cutFile + " by its repair", e);
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            List<Path> all = s.sorted(Comparator.reverseOrder()).toList();
            for (Path p : all) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }
}
