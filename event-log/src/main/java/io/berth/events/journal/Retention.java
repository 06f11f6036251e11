package io.berth.events.journal;

import java.time.Duration;

/**
 * How much history the journal keeps. Whole roll-cycle files are deleted, oldest first, when they
 * are older than {@code maxAge} or while the journal is larger than {@code maxBytes}; a file is
 * never deleted while it holds the current cycle, the position of an open tailer, or events after
 * the latest snapshot. Zero means no limit.
 */
public record Retention(Duration maxAge, long maxBytes) {

    public static final Retention UNLIMITED = new Retention(Duration.ZERO, 0);

    public Retention {
        if (maxAge == null || maxAge.isNegative() || maxBytes < 0) {
            throw new IllegalArgumentException("retention limits must not be negative");
        }
    }

    public boolean unlimited() {
        return maxAge.isZero() && maxBytes == 0;
    }
}
