package io.berth.events.journal.internal;

import io.berth.errors.EngineException;
import io.berth.errors.ErrorKind;
import io.berth.events.Event;
import io.berth.events.EventEnvelope;
import io.berth.events.journal.Journal;
import io.berth.events.journal.JournalConfig;
import io.berth.events.journal.JournalDamage;
import io.berth.events.journal.JournalTailer;
import io.berth.events.journal.ReplayResult;
import io.berth.events.journal.Retention;
import io.berth.events.journal.SyncMode;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.text.ParseException;
import java.text.SimpleDateFormat;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TimeZone;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.stream.Stream;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Journal} on a Chronicle Queue: memory-mapped roll-cycle files, one writer thread that
 * owns the only appender, and a CRC per entry (see {@link EntryFormat}).
 *
 * <p>The writer drains whatever appends are queued, writes them, syncs once per batch as the sync
 * mode requires, and only then completes their futures, so concurrent appends share an fsync.
 */
public final class ChronicleJournal implements Journal {

    private static final Logger LOG = LoggerFactory.getLogger(ChronicleJournal.class);
    private static final AtomicInteger OPEN = new AtomicInteger();
    private static final int MAX_BATCH = 4096;
    private static final String CYCLE_SUFFIX = ".cq4";
    private static final int REPLAY_BATCH = 1024;
    private static final long SPIN_NANOS = 50_000;
    private static final int REPLAY_QUEUE = 8;

    private sealed interface Request {}

    private record AppendOne(Event event, CompletableFuture<EventEnvelope> done) implements Request {}

    private record AppendMany(List<? extends Event> events, CompletableFuture<List<EventEnvelope>> done)
            implements Request {}

    private record Task<T>(Callable<T> work, CompletableFuture<T> done) implements Request {}

    private record Close() implements Request {}

    private final JournalConfig config;
    private final SingleChronicleQueue queue;
    private final RollCycle rollCycle;
    private final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
    private final CopyOnWriteArrayList<LongConsumer> listeners = new CopyOnWriteArrayList<>();
    private final Set<ChronicleTailer> openTailers = ConcurrentHashMap.newKeySet();
    private final Map<Long, JournalDamage> damage = new ConcurrentSkipListMap<>();
    private final Thread writer;
    private final CompletableFuture<Void> writerDone = new CompletableFuture<>();
    private volatile boolean closed;
    private volatile long lastSeq;
    private volatile EngineException failure;

    // Owned by the writer thread.
    private long lastTime;
    private long batchClock;
    private ExcerptAppender appender;
    private PageWarmer warmer;
    private long writeEnd;
    private final EntryFormat format = new EntryFormat();
    private File syncedFile;
    private FileChannel syncChannel;
    private boolean unsynced;
    private long lastSyncNanos = System.nanoTime();

    private ChronicleJournal(JournalConfig config) {
        this.config = config;
        this.rollCycle = rollCycleOf(config.roll());
        try {
            Files.createDirectories(config.dir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create journal directory " + config.dir(), e);
        }
        // A last file cut short is rebuilt before the appender exists: Chronicle's appender would
        // write its entries where no reader finds them (see CycleFileRepair).
        this.queue = CycleFileRepair.open(config.dir(), rollCycle, () -> SingleChronicleQueueBuilder
                .binary(config.dir())
                .rollCycle(rollCycle)
                .timeProvider(() -> config.clock().getAsLong() / 1_000_000L)
                .build(), config.clock().getAsLong());
        OPEN.incrementAndGet();
        try {
            recoverTail();
        } catch (RuntimeException | Error e) {
            queue.close();
            OPEN.decrementAndGet();
            throw e;
        }
        this.writer = new Thread(this::runWriter, "berth-journal-writer");
        writer.setDaemon(true);
    }

    /** Opens (creating if needed) the journal in {@code config.dir()} and starts its writer thread. */
    public static ChronicleJournal open(JournalConfig config) {
        ChronicleJournal j = new ChronicleJournal(config);
        j.writer.start();
        return j;
    }

    /** The Chronicle roll cycle that makes files of a {@link JournalConfig.Roll} period. */
    static RollCycle rollCycleOf(JournalConfig.Roll roll) {
        return switch (roll) {
            case SECONDLY -> TestRollCycles.TEST_SECONDLY;
            case HOURLY -> RollCycles.FAST_HOURLY;
            case DAILY -> RollCycles.FAST_DAILY;
        };
    }

    /** Journals open in this JVM; tests use it to catch leaks. */
    public static int openCount() {
        return OPEN.get();
    }

    /** Finds the last intact entry, reporting damaged ones after it. */
    private void recoverTail() {
        List<Long> damagedIndexes = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        try (ExcerptTailer t = queue.createTailer().direction(TailerDirection.BACKWARD).toEnd()) {
            while (true) {
                try (DocumentContext dc = t.readingDocument()) {
                    if (!dc.isPresent()) {
                        break;
                    }
                    if (dc.isMetaData()) {
                        continue;
                    }
                    EntryFormat.Decoded d = format.decode(dc.wire().bytes());
                    if (d.entry() == null) {
                        damagedIndexes.add(dc.index());
                        reasons.add(d.damage());
                        continue;
                    }
                    lastSeq = d.entry().seq();
                    lastTime = d.entry().timeNanos();
                    break;
                }
            }
        }
        for (int i = damagedIndexes.size() - 1; i >= 0; i--) {
            recordDamage(damagedIndexes.get(i), lastSeq, reasons.get(i));
        }
    }

    void recordDamage(long index, long afterSeq, String reason) {
        JournalDamage d = new JournalDamage(index, rollCycle.toCycle(index), afterSeq, reason);
        if (damage.putIfAbsent(index, d) == null) {
            // A cut can lose thousands of entries with the same reason: one line for the whole run.
            JournalDamage before = damage.get(index - 1);
            if (before != null && before.reason().equals(reason)) {
                LOG.debug("{}", d);
            } else {
                LOG.warn("{}; skipping it, the entries before and after it are kept", d);
            }
        }
    }

    // ---- appends

    @Override
    public CompletableFuture<EventEnvelope> append(Event event) {
        CompletableFuture<EventEnvelope> done = new CompletableFuture<>();
        submit(new AppendOne(event, done), done);
        return done;
    }

    @Override
    public CompletableFuture<List<EventEnvelope>> appendAll(List<? extends Event> events) {
        CompletableFuture<List<EventEnvelope>> done = new CompletableFuture<>();
        submit(new AppendMany(List.copyOf(events), done), done);
        return done;
    }

    private <T> CompletableFuture<T> runOnWriter(Callable<T> work) {
        CompletableFuture<T> done = new CompletableFuture<>();
        submit(new Task<>(work, done), done);
        return done;
    }

    private void submit(Request r, CompletableFuture<?> done) {
        EngineException f = failure;
        if (closed) {
            done.completeExceptionally(new EngineException(ErrorKind.UNAVAILABLE, "journal is closed"));
        } else if (f != null) {
            done.completeExceptionally(f);
        } else {
            requests.add(r);
        }
    }

    private void runWriter() {
        List<Request> batch = new ArrayList<>();
        List<Runnable> completions = new ArrayList<>();
        boolean stop = false;
        try {
            appender = queue.createAppender();
            warmer = new PageWarmer();
            while (!stop) {
                Request first = nextRequest();
                if (first == null) {
                    syncIfDue(false);
                    continue;
                }
                batch.add(first);
                requests.drainTo(batch, MAX_BATCH - 1);
                batchClock = config.clock().getAsLong();
                long before = lastSeq;
                for (Request r : batch) {
                    stop |= handle(r, completions);
                }
                try {
                    syncIfDue(config.syncMode() == SyncMode.FSYNC);
                } catch (IOException e) {
                    failure = new EngineException(ErrorKind.DATA_LOSS, "journal fsync failed: " + e.getMessage(), e);
                    LOG.error("journal fsync failed; refusing further appends", e);
                    completions.clear();
                    failAll(batch, failure);
                }
                long after = lastSeq;
                if (after != before) {
                    File current = appender.currentFile();
                    if (current != null) {
                        warmer.wrote(current, writeEnd);
                    }
                }
                if (after != before && failure == null) {
                    for (LongConsumer l : listeners) {
                        try {
                            l.accept(after);
                        } catch (RuntimeException e) {
                            LOG.warn("journal listener failed", e);
                        }
                    }
                }
                completions.forEach(Runnable::run);
                completions.clear();
                batch.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException | Error e) {
            LOG.error("journal writer stopped", e);
            failure = new EngineException(ErrorKind.INTERNAL, "journal writer stopped: " + e.getMessage(), e);
            // An Error escapes handle(): the batch it was in would otherwise never be answered.
            failAll(batch, failure);
        } finally {
            try {
                syncIfDue(true);
            } catch (IOException e) {
                LOG.error("final journal fsync failed", e);
            }
            closeSyncChannel();
            if (warmer != null) {
                warmer.close();
            }
            if (appender != null) {
                appender.close();
            }
            EngineException gone = new EngineException(ErrorKind.UNAVAILABLE, "journal is closed");
            List<Request> left = new ArrayList<>();
            requests.drainTo(left);
            failAll(left, gone);
            writerDone.complete(null);
        }
    }

    /**
     * The next request: spins briefly before parking, because waking a parked thread costs tens of
     * microseconds on a VM, far more than an append, and appends come in bursts.
     */
    private Request nextRequest() throws InterruptedException {
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        do {
            Request r = requests.poll();
            if (r != null) {
                return r;
            }
            Thread.onSpinWait();
        } while (System.nanoTime() < spinUntil);
        return requests.poll(pollMillis(), TimeUnit.MILLISECONDS);
    }

    private long pollMillis() {
        return config.syncMode() == SyncMode.PERIODIC ? Math.max(1, config.syncPeriod().toMillis()) : 1000;
    }

    private boolean handle(Request r, List<Runnable> completions) {
        switch (r) {
            case AppendOne a -> {
                try {
                    EventEnvelope e = write(a.event());
                    completions.add(() -> a.done().complete(e));
                } catch (RuntimeException ex) {
                    completions.add(() -> a.done().completeExceptionally(ex));
                }
            }
            case AppendMany m -> {
                try {
                    List<byte[]> encoded = new ArrayList<>(m.events().size());
                    long seq = lastSeq;
                    long time = lastTime;
                    List<EventEnvelope> out = new ArrayList<>(m.events().size());
                    for (Event e : m.events()) {
                        seq++;
                        time = nextTime(time);
                        encoded.add(format.encode(seq, time, e).toByteArray());
                        out.add(new EventEnvelope(seq, time, e.actorId(), e));
                    }
                    for (byte[] bytes : encoded) {
                        writeExcerpt(bytes, bytes.length);
                    }
                    lastSeq = seq;
                    lastTime = time;
                    unsynced |= !out.isEmpty();
                    List<EventEnvelope> result = List.copyOf(out);
                    completions.add(() -> m.done().complete(result));
                } catch (RuntimeException ex) {
                    completions.add(() -> m.done().completeExceptionally(ex));
                }
            }
            case Task<?> t -> runTask(t, completions);
            case Close c -> {
                return true;
            }
        }
        return false;
    }

    private <T> void runTask(Task<T> t, List<Runnable> completions) {
        try {
            T value = t.work().call();
            completions.add(() -> t.done().complete(value));
        } catch (Exception ex) {
            completions.add(() -> t.done().completeExceptionally(ex));
        }
    }

    private EventEnvelope write(Event event) {
        long seq = lastSeq + 1;
        long time = nextTime(lastTime);
        Bytes<byte[]> encoded = format.encode(seq, time, event);
        writeExcerpt(encoded.underlyingObject(), (int) encoded.writePosition());
        lastSeq = seq;
        lastTime = time;
        unsynced = true;
        return new EventEnvelope(seq, time, event.actorId(), event);
    }

    /** Copies an encoded entry into a new excerpt in one bulk copy. */
    private void writeExcerpt(byte[] data, int length) {
        try (DocumentContext dc = appender.writingDocument()) {
            Bytes<?> bytes = dc.wire().bytes();
            bytes.write(data, 0, length);
            writeEnd = bytes.writePosition();
        }
    }

    /**
     * Journal times strictly increase, even if the wall clock steps back. The clock is read once per
     * batch: entries written together get that reading, one nanosecond apart.
     */
    private long nextTime(long previous) {
        return Math.max(batchClock, previous + 1);
    }

    private static void failAll(List<Request> requests, Throwable cause) {
        for (Request r : requests) {
            switch (r) {
                case AppendOne a -> a.done().completeExceptionally(cause);
                case AppendMany m -> m.done().completeExceptionally(cause);
                case Task<?> t -> t.done().completeExceptionally(cause);
                case Close c -> { }
            }
        }
    }

    /** Fsyncs the current file when {@code force} or when a periodic sync is due and there is something to sync. */
    private void syncIfDue(boolean force) throws IOException {
        if (!unsynced || appender == null) {
            return;
        }
        boolean periodicDue = config.syncMode() == SyncMode.PERIODIC
                && System.nanoTime() - lastSyncNanos >= config.syncPeriod().toNanos();
        if (!force && !periodicDue) {
            return;
        }
        File current = appender.currentFile();
        if (current == null) {
            return;
        }
        if (!current.equals(syncedFile)) {
            // The previous file may hold entries written before the roll: sync it before letting go.
            if (syncChannel != null) {
                syncChannel.force(false);
            }
            closeSyncChannel();
            syncChannel = FileChannel.open(current.toPath(), StandardOpenOption.READ);
            syncedFile = current;
            // A new file is durable only once its directory entry is.
            try (FileChannel dir = FileChannel.open(config.dir(), StandardOpenOption.READ)) {
                dir.force(true);
            }
        }
        syncChannel.force(false);
        unsynced = false;
        lastSyncNanos = System.nanoTime();
    }

    private void closeSyncChannel() {
        if (syncChannel != null) {
            try {
                syncChannel.close();
            } catch (IOException e) {
                LOG.debug("closing sync channel", e);
            }
            syncChannel = null;
            syncedFile = null;
        }
    }

    // ---- reading

    @Override
    public long lastSeq() {
        return lastSeq;
    }

    @Override
    public long firstSeq() {
        try (ChronicleTailer t = newTailer(null, 1)) {
            EventEnvelope e = t.next();
            return e == null ? 0 : e.seq();
        }
    }

    /**
     * Reads and decodes on a helper thread while the caller folds, so replay takes about as long as
     * the slower of the two instead of their sum. Entries reach the consumer in order, on the
     * calling thread.
     */
    @Override
    public ReplayResult replay(long fromSeq, Consumer<EventEnvelope> consumer) {
        try (ChronicleTailer t = newTailer(null, fromSeq)) {
            t.reuseStrings();
            ArrayBlockingQueue<EventEnvelope[]> batches = new ArrayBlockingQueue<>(REPLAY_QUEUE);
            AtomicReference<RuntimeException> readFailure = new AtomicReference<>();
            Thread reader = Thread.ofPlatform().daemon().name("berth-journal-replay").start(() -> {
                try {
                    while (true) {
                        EventEnvelope[] batch = new EventEnvelope[REPLAY_BATCH];
                        int n = 0;
                        EventEnvelope e;
                        while (n < REPLAY_BATCH && (e = t.next()) != null) {
                            batch[n++] = e;
                        }
                        batches.put(n == REPLAY_BATCH ? batch : Arrays.copyOf(batch, n));
                        if (n < REPLAY_BATCH) {
                            return;
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                    readFailure.set(e);
                    batches.offer(new EventEnvelope[0]);
                }
            });
            long count = 0;
            long last = 0;
            try {
                while (true) {
                    EventEnvelope[] batch = batches.take();
                    last = lastSeq(batch, last);
                    for (EventEnvelope e : batch) {
                        consumer.accept(e);
                    }
                    count += batch.length;
                    if (batch.length < REPLAY_BATCH) {
                        break;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EngineException(ErrorKind.UNAVAILABLE, "replay interrupted");
            } finally {
                reader.interrupt();
                joinQuietly(reader);
            }
            if (readFailure.get() != null) {
                throw readFailure.get();
            }
            return new ReplayResult(count, last, t.damageSeen());
        }
    }

    /**
     * The highest sequence in {@code batch} ({@code last} if it is empty), read from every entry:
     * the reader thread made them, so each is a cache miss here, and touching them all before the
     * fold lets those misses overlap instead of each stalling the fold in turn.
     */
    private static long lastSeq(EventEnvelope[] batch, long last) {
        long max = last;
        for (EventEnvelope e : batch) {
            max = Math.max(max, e.seq());
        }
        return max;
    }

    private static void joinQuietly(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public JournalTailer tailer(String name) {
        if (name == null || name.isBlank()) {
            throw EngineException.invalid("a named tailer needs a name");
        }
        return newTailer(name, -1);
    }

    @Override
    public JournalTailer tailerFrom(long fromSeq) {
        return newTailer(null, fromSeq);
    }

    /** {@code fromSeq} -1 means: resume a named tailer where Chronicle stored its position. */
    private ChronicleTailer newTailer(String name, long fromSeq) {
        requireOpen();
        ExcerptTailer t = name == null ? queue.createTailer() : queue.createTailer(name);
        t.singleThreadedCheckDisabled(true);
        long resumedAfter;
        if (fromSeq >= 0) {
            seek(t, fromSeq);
            resumedAfter = Math.max(0, fromSeq - 1);
        } else {
            long next = peekSeq(t);
            resumedAfter = next > 0 ? next - 1 : lastSeq;
        }
        ChronicleTailer tailer = new ChronicleTailer(this, t, name, resumedAfter);
        openTailers.add(tailer);
        return tailer;
    }

    void tailerClosed(ChronicleTailer t) {
        openTailers.remove(t);
    }

    RollCycle rollCycle() {
        return rollCycle;
    }

    int currentCycle() {
        return queue.cycle();
    }

    /** Positions {@code t} so that its next entry is the first one with a sequence at least {@code seq}. */
    private void seek(ExcerptTailer t, long seq) {
        t.toStart();
        if (seq <= 1) {
            return;
        }
        int chosen = Integer.MIN_VALUE;
        long chosenFirst = 0;
        int last = queue.lastCycle();
        for (int cycle = queue.firstCycle(); cycle != -1 && cycle <= last; cycle = nextCycle(cycle)) {
            if (!t.moveToIndex(rollCycle.toIndex(cycle, 0))) {
                continue;
            }
            long first = peekSeq(t);
            if (first < 0) {
                continue;
            }
            if (first > seq) {
                break;
            }
            chosen = cycle;
            chosenFirst = first;
        }
        if (chosen == Integer.MIN_VALUE) {
            t.toStart();
            return;
        }
        long guess = rollCycle.toIndex(chosen, seq - chosenFirst);
        if (t.moveToIndex(guess) && peekSeq(t) == seq) {
            return;
        }
        // Damaged entries shift positions: walk from the start of the cycle.
        t.moveToIndex(rollCycle.toIndex(chosen, 0));
        while (true) {
            long s = peekSeq(t);
            if (s < 0 || s >= seq) {
                return;
            }
            try (DocumentContext dc = t.readingDocument()) {
                if (!dc.isPresent()) {
                    return;
                }
            }
        }
    }

    private int nextCycle(int cycle) {
        try {
            return queue.nextCycle(cycle, TailerDirection.FORWARD);
        } catch (ParseException e) {
            return -1;
        }
    }

    /**
     * The sequence of the next data entry without consuming it, or -1 at the end. Excerpts without a
     * sequence (a lost entry's placeholder, one too short) are stepped over: callers position tailers
     * by the sequence found, and readers skip such excerpts anyway.
     */
    private static long peekSeq(ExcerptTailer t) {
        while (true) {
            try (DocumentContext dc = t.readingDocument()) {
                if (!dc.isPresent()) {
                    return -1;
                }
                if (dc.isMetaData()) {
                    continue;
                }
                long s = EntryFormat.peekSeq(dc.wire().bytes());
                if (s < 1) {
                    continue;
                }
                dc.rollbackOnClose();
                return s;
            }
        }
    }

    @Override
    public AutoCloseable onAppend(LongConsumer listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    @Override
    public List<JournalDamage> damage() {
        return List.copyOf(damage.values());
    }

    // ---- retention

    @Override
    public CompletableFuture<List<Path>> applyRetention(long keepFromSeq) {
        return runOnWriter(() -> retain(keepFromSeq));
    }

    private List<Path> retain(long keepFromSeq) throws IOException {
        Retention r = config.retention();
        if (r.unlimited()) {
            return List.of();
        }
        TreeMap<Integer, Path> files = cycleFiles();
        int protectFrom = queue.cycle();
        if (appender != null && lastSeq > 0) {
            protectFrom = Math.min(protectFrom, appender.cycle());
        }
        if (keepFromSeq <= lastSeq) {
            try (ExcerptTailer t = queue.createTailer()) {
                seek(t, keepFromSeq);
                if (peekSeq(t) >= 0) {
                    protectFrom = Math.min(protectFrom, t.cycle());
                }
            }
        }
        for (ChronicleTailer t : openTailers) {
            protectFrom = Math.min(protectFrom, t.cycle());
        }
        long total = 0;
        for (Path p : files.values()) {
            total += Files.size(p);
        }
        long nowMillis = config.clock().getAsLong() / 1_000_000L;
        List<Path> deleted = new ArrayList<>();
        for (Map.Entry<Integer, Path> e : files.entrySet()) {
            int cycle = e.getKey();
            if (cycle >= protectFrom) {
                break;
            }
            long cycleEndMillis = (cycle + 1L) * rollCycle.lengthInMillis();
            boolean tooOld = !r.maxAge().isZero() && nowMillis - cycleEndMillis >= r.maxAge().toMillis();
            boolean tooBig = r.maxBytes() > 0 && total > r.maxBytes();
            if (!tooOld && !tooBig) {
                break;
            }
            long size = Files.size(e.getValue());
            Files.delete(e.getValue());
            total -= size;
            deleted.add(e.getValue());
        }
        if (!deleted.isEmpty()) {
            queue.refreshDirectoryListing();
            LOG.info("journal retention deleted {} file(s): {}", deleted.size(), deleted);
        }
        return deleted;
    }

    /** The journal's cycle files by cycle number, parsed from their names as Chronicle formats them. */
    private TreeMap<Integer, Path> cycleFiles() throws IOException {
        SimpleDateFormat fmt = new SimpleDateFormat(rollCycle.format());
        fmt.setTimeZone(TimeZone.getTimeZone("UTC"));
        TreeMap<Integer, Path> out = new TreeMap<>();
        try (Stream<Path> s = Files.list(config.dir())) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String name = p.getFileName().toString();
                if (!name.endsWith(CYCLE_SUFFIX)) {
                    continue;
                }
                try {
                    long millis = fmt.parse(name.substring(0, name.length() - CYCLE_SUFFIX.length())).getTime();
                    out.put((int) (millis / rollCycle.lengthInMillis()), p);
                } catch (ParseException e) {
                    LOG.warn("ignoring unexpected file {} in the journal directory", p);
                }
            }
        }
        return out;
    }

    @Override
    public long sizeBytes() {
        try {
            long total = 0;
            for (Path p : cycleFiles().values()) {
                total += Files.size(p);
            }
            return total;
        } catch (IOException e) {
            return -1;
        }
    }

    // ---- lifecycle

    private void requireOpen() {
        if (closed) {
            throw new EngineException(ErrorKind.UNAVAILABLE, "journal is closed");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        requests.add(new Close());
        try {
            writerDone.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("journal writer did not stop cleanly", e);
        }
        for (ChronicleTailer t : List.copyOf(openTailers)) {
            t.close();
        }
        queue.close();
        OPEN.decrementAndGet();
    }
}
