package io.berth.events.journal;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.function.LongSupplier;

/**
 * Settings of a journal.
 *
 * @param dir        the directory holding the journal's files
 * @param syncMode   when appends are acknowledged
 * @param syncPeriod fsync period for {@link SyncMode#PERIODIC}
 * @param roll       how often a new file is started; retention deletes whole files
 * @param retention  how much history to keep
 * @param clock      wall clock in nanoseconds since the epoch; tests inject their own
 */
public record JournalConfig(Path dir, SyncMode syncMode, Duration syncPeriod, Roll roll, Retention retention,
                            LongSupplier clock) {

    /** File roll periods. {@code SECONDLY} exists for tests of rolling and retention. */
    public enum Roll { SECONDLY, HOURLY, DAILY }

    /** Nanoseconds since the epoch from the system clock. */
    public static final LongSupplier SYSTEM_CLOCK = () -> {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    };

    public JournalConfig {
        if (dir == null || syncMode == null || syncPeriod == null || roll == null || retention == null
                || clock == null) {
            throw new IllegalArgumentException("journal config has a missing setting");
        }
    }

    /** Daily files, no retention limit, acknowledged on write to the mapped file. */
    public static JournalConfig defaults(Path dir) {
        return new JournalConfig(dir, SyncMode.NONE, Duration.ofSeconds(1), Roll.DAILY, Retention.UNLIMITED,
                SYSTEM_CLOCK);
    }

    public JournalConfig withSyncMode(SyncMode mode) {
        return new JournalConfig(dir, mode, syncPeriod, roll, retention, clock);
    }

    public JournalConfig withRoll(Roll r) {
        return new JournalConfig(dir, syncMode, syncPeriod, r, retention, clock);
    }

    public JournalConfig withRetention(Retention r) {
        return new JournalConfig(dir, syncMode, syncPeriod, roll, r, clock);
    }

    public JournalConfig withClock(LongSupplier c) {
        return new JournalConfig(dir, syncMode, syncPeriod, roll, retention, c);
    }
}
