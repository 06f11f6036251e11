package io.berth.events.journal;

import io.berth.events.EventEnvelope;

/**
 * A reader that follows the journal. Not thread-safe: one thread at a time. A named tailer
 * remembers its position across restarts of the daemon and resumes after the last entry it returned.
 * While open, it keeps the file holding its position from retention.
 */
public interface JournalTailer extends AutoCloseable {

    /** The name given at creation, or null for an anonymous tailer. */
    String name();

    /** The next entry, or null when the tailer has caught up with the journal. Never blocks. */
    EventEnvelope next();

    /** The sequence of the last entry this tailer returned (or that it resumed after), 0 if none. */
    long lastSeq();

    @Override
    void close();
}
