package io.berth.events.journal.internal;

import io.berth.errors.EngineException;
import io.berth.events.EventEnvelope;
import io.berth.events.journal.JournalConfig;
import io.berth.events.journal.JournalDamage;
import io.berth.events.journal.JournalScan;
import io.berth.events.journal.JournalScan.DamagedEntry;
import io.berth.events.journal.JournalScan.End;
import io.berth.events.journal.JournalScan.FileScan;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.text.ParsePosition;
import java.text.SimpleDateFormat;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.TimeZone;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.wire.Wires;

/**
 * A read-only reader of a journal directory, for operator tools: it reads the Chronicle cycle files
 * itself, following Chronicle Wire's excerpt framing (a 4-byte header of flags and length before
 * each excerpt, headers 4-byte aligned, a zero header where the written part ends) and decoding each
 * entry as {@link EntryFormat} wrote it.
 *
 * <p>It does not open a Chronicle queue because that touches the files. A queue opened for writing,
 * as {@link ChronicleJournal} opens one, updates the directory's metadata file, creates an appender
 * and re-extends a file cut short on disk; even a read-only queue creates a missing directory, and
 * its tailer faults ({@link InternalError} from a mapped page past the end of the file) on a file cut
 * short, which is exactly the journal an operator needs to look at. This reader opens each file for
 * reading only and never reads past its end; it creates nothing, locks nothing and starts no thread,
 * so it can run beside the daemon that appends to the same files.
 *
 * <p>It yields what the journal's own readers yield: the same intact entries in the same order, and
 * damaged or out-of-order entries skipped and reported with the same Chronicle indexes.
 */
public final class ChronicleFileReader {

    private static final String SUFFIX = ".cq4";
    /** Chronicle starts every excerpt header on a 4-byte boundary. */
    private static final int ALIGN = 4;
    /** How far past a zero header to look for the bytes of an entry begun but not finished. */
    private static final int TAIL_WINDOW = 64 * 1024;
    /**
     * How long a running writer gets to finish an entry it has begun before the entry counts as
     * unfinished: a writer fills an entry in microseconds and writes its header last.
     */
    private static final long SETTLE_MILLIS = 250;
    private static final int BUFFER = 1 << 20;

    private final EntryFormat format = new EntryFormat();
    private final Consumer<EventEnvelope> consumer;
    private final List<DamagedEntry> damage = new ArrayList<>();
    private long lastSeq;

    private ChronicleFileReader(Consumer<EventEnvelope> consumer) {
        this.consumer = consumer;
    }

    /**
     * Reads every file of the journal in {@code dir}, oldest first, giving each intact entry to
     * {@code consumer} in journal order, and reports what it found.
     *
     * @throws EngineException NOT_FOUND when {@code dir} is not a directory
     */
    public static JournalScan scan(Path dir, Consumer<EventEnvelope> consumer) {
        if (!Files.isDirectory(dir)) {
            throw EngineException.notFound("no journal at " + dir + ": not a directory");
        }
        TreeMap<Long, CycleFile> files = new TreeMap<>();
        List<Path> ignored = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String name = p.getFileName().toString();
                if (!name.endsWith(SUFFIX) || !Files.isRegularFile(p)) {
                    continue;
                }
                CycleFile f = CycleFile.of(p, name.substring(0, name.length() - SUFFIX.length()));
                if (f == null) {
                    ignored.add(p);
                } else {
                    files.put(f.startMillis(), f);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the journal directory " + dir, e);
        }
        ChronicleFileReader reader = new ChronicleFileReader(consumer);
        List<FileScan> scans = new ArrayList<>();
        for (CycleFile f : files.values()) {
            try {
                scans.add(reader.read(f));
            } catch (NoSuchFileException gone) {
                // Retention deleted it after the listing: it held nothing the journal still keeps.
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read journal file " + f.path(), e);
            }
        }
        return new JournalScan(scans, reader.damage, ignored.stream().sorted().toList());
    }

    /** A cycle file: its roll period, cycle number and the time its cycle starts. */
    private record CycleFile(Path path, RollCycle roll, int cycle, long startMillis) {

        /** Parses a file name as one of the journal's roll periods names its files, or null. */
        static CycleFile of(Path path, String stem) {
            for (JournalConfig.Roll r : JournalConfig.Roll.values()) {
                RollCycle rc = ChronicleJournal.rollCycleOf(r);
                SimpleDateFormat fmt = new SimpleDateFormat(rc.format());
                fmt.setTimeZone(TimeZone.getTimeZone("UTC"));
                fmt.setLenient(false);
                ParsePosition at = new ParsePosition(0);
                Date d = fmt.parse(stem, at);
                if (d != null && at.getIndex() == stem.length() && at.getErrorIndex() < 0) {
                    long millis = d.getTime();
                    return new CycleFile(path, rc, (int) (millis / rc.lengthInMillis()), millis);
                }
            }
            return null;
        }
    }

    private FileScan read(CycleFile f) throws IOException {
        try (FileChannel ch = FileChannel.open(f.path(), StandardOpenOption.READ)) {
            Window w = new Window(ch);
            long size = ch.size();
            long pos = 0;
            long excerpts = 0;
            long entries = 0;
            long first = 0;
            long last = 0;
            while (true) {
                if (pos + 4 > size && (size = ch.size()) < pos + 4) {
                    return new FileScan(f.path(), f.cycle(), size, pos, entries, first, last, End.TRUNCATED,
                            "the file ends at byte " + size + " with no end marker (cut short on disk)");
                }
                int header = w.intAt(pos);
                if (pending(header)) {
                    if (header == Wires.NOT_INITIALIZED && !writtenAfter(w, pos, size)) {
                        return new FileScan(f.path(), f.cycle(), size, pos, entries, first, last, End.OPEN,
                                "written up to byte " + pos);
                    }
                    header = settle(w, pos);
                    if (pending(header)) {
                        return new FileScan(f.path(), f.cycle(), size, pos, entries, first, last, End.UNFINISHED,
                                "an entry begun at byte " + pos + " was never finished (a write cut short by a crash)");
                    }
                }
                if (Wires.isEndOfFile(header)) {
                    return new FileScan(f.path(), f.cycle(), size, pos, entries, first, last, End.ROLLED,
                            "end marker at byte " + pos);
                }
                int length = Wires.lengthOf(header);
                long end = pos + 4 + length;
                if (end > size && (size = ch.size()) < end) {
                    return new FileScan(f.path(), f.cycle(), size, pos, entries, first, last, End.TRUNCATED,
                            "the excerpt at byte " + pos + " needs " + length + " bytes but the file ends at byte "
                                    + size + " (cut short on disk)");
                }
                if (Wires.isReadyData(header)) {
                    long index = f.roll().toIndex(f.cycle(), excerpts++);
                    byte[] data = w.bytesAt(pos + 4, length);
                    EventEnvelope e = entry(f, index, pos, format.decode(data, w.offsetOf(pos + 4), length));
                    if (e != null) {
                        consumer.accept(e);
                        entries++;
                        first = first == 0 ? e.seq() : first;
                        last = e.seq();
                    }
                }
                pos = (end + ALIGN - 1) & -ALIGN;
            }
        }
    }

    /** The entry, or null after reporting why it is skipped (as {@link ChronicleTailer} does). */
    private EventEnvelope entry(CycleFile f, long index, long offset, EntryFormat.Decoded d) {
        String reason = d.damage();
        if (d.entry() != null && d.entry().seq() <= lastSeq) {
            reason = "sequence " + d.entry().seq() + " out of order after " + lastSeq;
        }
        if (reason != null) {
            damage.add(new DamagedEntry(new JournalDamage(index, f.roll().toCycle(index), lastSeq, reason), f.path(),
                    offset));
            return null;
        }
        lastSeq = d.entry().seq();
        return d.entry();
    }

    /** True for a header no writer has finished: not written yet, or begun. */
    private static boolean pending(int header) {
        return header == Wires.NOT_INITIALIZED || (Wires.isNotComplete(header) && !Wires.isEndOfFile(header));
    }

    /** True when anything is written in the window after the header at {@code pos}. */
    private static boolean writtenAfter(Window w, long pos, long size) throws IOException {
        int n = (int) Math.min(TAIL_WINDOW, size - pos - 4);
        if (n <= 0) {
            return false;
        }
        byte[] data = w.bytesAt(pos + 4, n);
        int from = w.offsetOf(pos + 4);
        for (int i = from; i < from + n; i++) {
            if (data[i] != 0) {
                return true;
            }
        }
        return false;
    }

    /** Re-reads the header at {@code pos} until a running writer finishes its entry, or gives up. */
    private static int settle(Window w, long pos) throws IOException {
        long deadline = System.nanoTime() + SETTLE_MILLIS * 1_000_000L;
        int header;
        do {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while reading the journal", e);
            }
            w.invalidate();
            header = w.intAt(pos);
        } while (pending(header) && System.nanoTime() < deadline);
        return header;
    }

    /**
     * A buffered window on a file, filled by positional reads. A header is always read before the
     * excerpt it frames, and a writer finishes the excerpt before its header, so the excerpt's bytes
     * are complete whenever its header is.
     */
    private static final class Window {
        private final FileChannel ch;
        private byte[] buf = new byte[BUFFER];
        private ByteBuffer view = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
        private long start;
        private int length;

        Window(FileChannel ch) {
            this.ch = ch;
        }

        void invalidate() {
            length = 0;
        }

        int intAt(long pos) throws IOException {
            fill(pos, 4);
            return view.getInt(offsetOf(pos));
        }

        /** The buffer holding {@code n} bytes at {@code pos}, found at {@link #offsetOf}. */
        byte[] bytesAt(long pos, int n) throws IOException {
            fill(pos, n);
            return buf;
        }

        int offsetOf(long pos) {
            return (int) (pos - start);
        }

        private void fill(long pos, int n) throws IOException {
            if (pos >= start && pos + n <= start + length) {
                return;
            }
            if (n > buf.length) {
                buf = new byte[n];
                view = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
            }
            ByteBuffer dst = ByteBuffer.wrap(buf, 0, Math.max(n, BUFFER));
            int total = 0;
            while (dst.hasRemaining()) {
                int r = ch.read(dst, pos + total);
                if (r < 0) {
                    break;
                }
                total += r;
            }
            if (total < n) {
                throw new IOException("short read at byte " + pos + " of " + ch.size());
            }
            start = pos;
            length = total;
        }
    }
}
