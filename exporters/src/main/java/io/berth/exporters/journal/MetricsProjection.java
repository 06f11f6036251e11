package io.berth.exporters.journal;

import io.berth.events.EventEnvelope;
import io.berth.events.journal.Journal;
import io.berth.events.journal.JournalTailer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps {@link JournalCounters} up to date with a tailer over the journal, on the metrics thread.
 * The fold is checkpointed to a file with the sequence it covers (periodically and at close); a
 * restarted daemon loads it and tails on from the next entry, so the counts survive restarts exactly
 * without a replay of the whole journal, and without depending on entries retention may delete.
 *
 * <p>Lifecycle: {@link #start} once, {@link #close} once. All work runs on the given executor, which
 * must run one task at a time.
 */
public final class MetricsProjection implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MetricsProjection.class);
    private static final long CHECKPOINT_SECONDS = 10;

    private final Journal journal;
    private final Path checkpoint;
    private final ScheduledExecutorService executor;
    private final AtomicBoolean drainQueued = new AtomicBoolean();
    private JournalCounters counters = new JournalCounters();
    private JournalTailer tailer;
    private AutoCloseable appends;
    private long checkpointed;
    private Runnable afterDrain = () -> { };

    public MetricsProjection(Journal journal, Path checkpoint, ScheduledExecutorService executor) {
        this.journal = journal;
        this.checkpoint = checkpoint;
        this.executor = executor;
    }

    /** The counters; replaced once by {@link #start}, so read them after it. */
    public JournalCounters counters() {
        return counters;
    }

    /** Runs {@code r} on the metrics thread after each batch of entries is folded in. */
    public void afterDrain(Runnable r) {
        this.afterDrain = r;
    }

    /** Loads the checkpoint, catches up with the journal, and follows its appends; returns once caught up. */
    public void start() {
        try {
            executor.submit(() -> {
                counters = load();
                checkpointed = counters.seq();
                long first = journal.firstSeq();
                if (first > counters.seq() + 1) {
                    LOG.warn("metrics counters miss journal entries {} to {}, deleted by retention before they were "
                            + "counted", counters.seq() + 1, first - 1);
                }
                tailer = journal.tailerFrom(counters.seq() + 1);
                drain();
                return null;
            }).get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("starting the metrics projection: " + e, e);
        }
        appends = journal.onAppend(seq -> {
            if (drainQueued.compareAndSet(false, true)) {
                executor.execute(() -> {
                    drainQueued.set(false);
                    drain();
                });
            }
        });
        executor.scheduleWithFixedDelay(this::checkpointIfChanged, CHECKPOINT_SECONDS, CHECKPOINT_SECONDS,
                TimeUnit.SECONDS);
    }

    private void drain() {
        if (tailer == null) {
            return;
        }
        EventEnvelope e;
        boolean any = false;
        while ((e = tailer.next()) != null) {
            counters.apply(e);
            any = true;
        }
        if (any) {
            try {
                afterDrain.run();
            } catch (RuntimeException ex) {
                LOG.warn("updating meters after journal entries failed", ex);
            }
        }
    }

    private JournalCounters load() {
        if (!Files.exists(checkpoint)) {
            return new JournalCounters();
        }
        try {
            JournalCounters c = JournalCounters.fromJson(new JsonObject(Files.readString(checkpoint)));
            if (c.seq() > journal.lastSeq()) {
                LOG.warn("metrics checkpoint at sequence {} is ahead of the journal ({}): counting again", c.seq(),
                        journal.lastSeq());
                return new JournalCounters();
            }
            return c;
        } catch (IOException | RuntimeException e) {
            LOG.warn("unreadable metrics checkpoint {}: counting again from the journal: {}", checkpoint, e.toString());
            return new JournalCounters();
        }
    }

    private void checkpointIfChanged() {
        if (counters.seq() != checkpointed) {
            save();
        }
    }

    /** Writes the checkpoint beside itself and renames it over, so a crash leaves the old or the new one. */
    private void save() {
        try {
            Files.createDirectories(checkpoint.getParent());
            Path tmp = checkpoint.resolveSibling(checkpoint.getFileName() + ".tmp");
            long seq = counters.seq();
            Files.write(tmp, counters.toJson().encode().getBytes(StandardCharsets.UTF_8));
            Files.move(tmp, checkpoint, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            checkpointed = seq;
        } catch (IOException e) {
            LOG.warn("writing the metrics checkpoint: {}", e.toString());
        } catch (UncheckedIOException e) {
            LOG.warn("writing the metrics checkpoint: {}", e.getCause().toString());
        }
    }

    /** Folds in what is left, writes the checkpoint and closes the tailer; the executor is the caller's to stop. */
    @Override
    public void close() {
        try {
            if (appends != null) {
                appends.close();
            }
            executor.submit(() -> {
                drain();
                save();
                if (tailer != null) {
                    tailer.close();
                    tailer = null;
                }
            }).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("closing the metrics projection: {}", e.toString());
        }
    }
}
