package io.berth.events.journal;

import java.nio.file.Path;
import java.util.List;

/**
 * What a read-only scan of a journal's files found, file by file: how many entries each holds, how
 * it ends, and every entry that could not be read. Operator tools report it; the daemon never needs it.
 *
 * @param files   the roll-cycle files, oldest first
 * @param damage  the entries readers skip, in journal order
 * @param ignored files in the journal directory that look like cycle files but whose names no roll
 *                period produces
 */
public record JournalScan(List<FileScan> files, List<DamagedEntry> damage, List<Path> ignored) {

    public JournalScan {
        files = List.copyOf(files);
        damage = List.copyOf(damage);
        ignored = List.copyOf(ignored);
    }

    /** How a file's written part ends. */
    public enum End {
        /** Clean: nothing written after the last entry yet; the current file of a journal. */
        OPEN,
        /** Clean: the writer moved on to a newer file and closed this one with an end marker. */
        ROLLED,
        /** An entry was begun but never finished: a write cut short by a crash. The next append overwrites it. */
        UNFINISHED,
        /**
         * The file stops in the middle of an entry, or without an end: it was cut short on disk. The
         * journal repairs it when it next opens; the lost entries are then reported as damage.
         */
        TRUNCATED
    }

    /**
     * One roll-cycle file.
     *
     * @param usedBytes where its written part ends ({@code end} is at this offset); the rest is
     *                  preallocated space
     * @param entries   the intact entries in it
     * @param firstSeq  the sequence of its first intact entry, 0 when none
     * @param lastSeq   the sequence of its last intact entry, 0 when none
     * @param endDetail what is at the end, in words
     */
    public record FileScan(Path file, int cycle, long sizeBytes, long usedBytes, long entries, long firstSeq,
                           long lastSeq, End end, String endDetail) {

        public boolean clean() {
            return end == End.OPEN || end == End.ROLLED;
        }
    }

    /** An entry readers skip, with where it is on disk. */
    public record DamagedEntry(JournalDamage damage, Path file, long offset) {}

    /** Entries over all files. */
    public long entries() {
        return files.stream().mapToLong(FileScan::entries).sum();
    }

    /** Bytes of all files as the file system reports their sizes (preallocated space included). */
    public long sizeBytes() {
        return files.stream().mapToLong(FileScan::sizeBytes).sum();
    }
}
