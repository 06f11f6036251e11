package io.berth.events.journal;

/**
 * A journal entry that could not be read: torn, corrupt, lost when its file was cut short on disk
 * (a placeholder since the repair), or written by an unknown newer version. Readers skip it; every
 * complete entry before and after it is kept.
 *
 * @param index     the entry's position in the journal file set (Chronicle index)
 * @param cycle     the roll cycle (file) holding it
 * @param afterSeq  the sequence of the last good entry before it
 * @param reason    what is wrong
 */
public record JournalDamage(long index, int cycle, long afterSeq, String reason) {
    @Override
    public String toString() {
        return "damaged journal entry at index 0x" + Long.toHexString(index) + " (cycle " + cycle
                + ", after sequence " + afterSeq + "): " + reason;
    }
}
