package io.berth.daemon.tools;

import io.berth.daemon.api.Json;
import io.berth.events.EventCatalog;
import io.berth.events.EventEnvelope;
import io.berth.events.journal.JournalScan;
import io.berth.events.journal.JournalScan.DamagedEntry;
import io.berth.events.journal.JournalScan.FileScan;
import io.berth.events.journal.internal.ChronicleFileReader;
import io.berth.events.snapshot.SnapshotStore;
import io.berth.events.snapshot.StateDigest;
import io.berth.events.state.EngineState;
import io.berth.events.state.StateReducer;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * {@code berthd journal verify}: checks every entry's checksum, that sequences go up by one and times
 * strictly increase, and how each file ends; prints a summary and the problems, if any.
 */
final class Verify implements JournalTool.Command {

    @Override
    public String usage() {
        return """
                Usage:  berthd journal verify [OPTIONS]

                Check the journal's integrity: every entry's checksum, sequences that go up by one, times
                that increase, and how each file ends (an entry torn by a crash, a file cut short on disk).
                Replays it as the daemon does: from empty, and from the latest snapshot, and checks that
                both give the same state (its digest is what the daemon's /info shows as BerthState).
                Prints a summary: files, entries, first and last sequence and time, size, state.

                Exit status: 0 when the journal has no problem, 1 when it has some (or cannot be read),
                2 for a wrong command line.

                Options:
                """ + JournalTool.COMMON_OPTIONS;
    }

    /** Follows the entries as they are read: first and last, gaps, times that do not increase. */
    private static final class Order implements Consumer<EventEnvelope> {
        final List<String> problems = new ArrayList<>();
        final List<long[]> gaps = new ArrayList<>();
        EventEnvelope first;
        EventEnvelope last;

        @Override
        public void accept(EventEnvelope e) {
            if (first == null) {
                first = e;
            } else {
                if (e.seq() != last.seq() + 1) {
                    gaps.add(new long[] {last.seq(), e.seq()});
                }
                if (e.timeNanos() <= last.timeNanos()) {
                    problems.add("time does not increase at sequence " + e.seq() + ": " + Json.time(e.timeNanos())
                            + " after " + Json.time(last.timeNanos()) + " at sequence " + last.seq());
                }
            }
            last = e;
        }
    }

    /**
     * Folds the entries as the daemon's replay does, from empty and from the latest snapshot; an entry
     * the reducer refuses is a problem, and is skipped as the daemon skips it.
     */
    private static final class Replay implements Consumer<EventEnvelope> {
        final List<String> problems = new ArrayList<>();
        final EngineState snapshot;
        EngineState fromEmpty = EngineState.EMPTY;
        EngineState fromSnapshot;
        boolean complete = true;

        Replay(EngineState snapshot) {
            this.snapshot = snapshot;
            this.fromSnapshot = snapshot;
        }

        @Override
        public void accept(EventEnvelope e) {
            if (fromEmpty.seq() == 0 && e.seq() > 1) {
                complete = false; // the retention removed the start: only the snapshot's replay is whole
            }
            try {
                fromEmpty = StateReducer.apply(fromEmpty, e);
            } catch (RuntimeException refused) {
                problems.add("entry " + e.seq() + " (" + EventCatalog.of(e.event().getClass()).wireName() + ") is refused by the state: "
                        + refused.getMessage());
            }
            if (fromSnapshot != null && e.seq() > fromSnapshot.seq()) {
                try {
                    fromSnapshot = StateReducer.apply(fromSnapshot, e);
                } catch (RuntimeException refused) {
                    // reported once, above, when the replay from empty met it
                }
            }
        }
    }

    /** Scans of a journal whose newest file ends in an unfinished entry, 100 ms apart, before it counts as torn. */
    private static final int UNFINISHED_RESCANS = 20;

    private static boolean endsUnfinished(JournalScan scan) {
        return !scan.files().isEmpty() && scan.files().getLast().end() == JournalScan.End.UNFINISHED;
    }

    @Override
    public int run(JournalTool.Options options, PrintStream out) {
        if (!options.arguments().isEmpty()) {
            throw new JournalTool.UsageException("verify takes no arguments, got " + options.arguments());
        }
        Path dir = JournalTool.journalDir(options);
        Order order;
        Replay replay;
        JournalScan scan;
        for (int attempt = 1; ; attempt++) {
            order = new Order();
            replay = new Replay(latestSnapshot(dir.getParent().resolve("snapshots")));
            scan = ChronicleFileReader.scan(dir, order.andThen(replay));
            if (!endsUnfinished(scan) || attempt == UNFINISHED_RESCANS) {
                break;
            }
            // A running daemon may be in the middle of an append: only a tail that stays unfinished is torn.
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }

        List<String> problems = new ArrayList<>();
        for (DamagedEntry d : scan.damage()) {
            problems.add("damaged entry at index 0x" + Long.toHexString(d.damage().index()) + " (cycle "
                    + d.damage().cycle() + ", after sequence " + d.damage().afterSeq() + ") in "
                    + d.file().getFileName() + " at byte " + d.offset() + ": " + d.damage().reason());
        }
        for (long[] g : order.gaps) {
            long missing = g[1] - g[0] - 1;
            long damagedBetween = scan.damage().stream().filter(d -> d.damage().afterSeq() == g[0]).count();
            String damaged = damagedBetween == 0 ? ""
                    : ", " + damagedBetween + " damaged entr" + (damagedBetween == 1 ? "y" : "ies") + " in between";
            problems.add("sequence gap: " + g[0] + " is followed by " + g[1] + " (" + missing + " missing" + damaged
                    + ")");
        }
        problems.addAll(order.problems);
        problems.addAll(replay.problems);
        String state = null;
        String fromSnapshot = null;
        if (order.last != null) {
            EngineState whole = replay.complete ? replay.fromEmpty : replay.fromSnapshot;
            if (whole != null) {
                state = "sequence " + whole.seq() + ": " + whole.containers().size() + " containers, "
                        + whole.images().size() + " images, " + whole.execs().size() + " execs; "
                        + StateDigest.of(whole);
            }
            if (replay.snapshot != null) {
                if (replay.snapshot.seq() > order.last.seq()) {
                    problems.add("the latest snapshot (sequence " + replay.snapshot.seq()
                            + ") is ahead of the journal's last entry (" + order.last.seq() + ")");
                } else if (replay.complete && !StateDigest.of(replay.fromSnapshot).equals(StateDigest.of(replay.fromEmpty))) {
                    problems.add("replay from the snapshot at sequence " + replay.snapshot.seq()
                            + " differs from replay from empty");
                } else {
                    fromSnapshot = "sequence " + replay.snapshot.seq() + ": replay from it "
                            + (replay.complete ? "matches replay from empty" : "(the journal before it is no longer kept)");
                }
            }
        }
        for (FileScan f : scan.files()) {
            if (!f.clean()) {
                problems.add((f.end() == JournalScan.End.UNFINISHED ? "torn tail in " : "file cut short: ")
                        + f.file().getFileName() + ": " + f.endDetail());
            }
        }

        long used = scan.files().stream().mapToLong(FileScan::usedBytes).sum();
        out.println("journal    " + dir);
        out.println("files      " + scan.files().size() + cycles(scan) + ", " + size(used) + " written, "
                + size(scan.sizeBytes()) + " allocated");
        if (order.first == null) {
            out.println("entries    0");
        } else {
            out.println("entries    " + scan.entries() + ", sequences " + order.first.seq() + " to "
                    + order.last.seq() + (order.first.seq() > 1 ? " (earlier ones are no longer kept)" : ""));
            out.println("times      " + Json.time(order.first.timeNanos()) + " to "
                    + Json.time(order.last.timeNanos()));
        }
        if (state != null) {
            out.println("state      " + state);
        }
        if (fromSnapshot != null) {
            out.println("snapshot   " + fromSnapshot);
        }
        for (FileScan f : scan.files()) {
            out.println("  " + f.file().getFileName() + "  cycle " + f.cycle() + "  " + f.entries() + " entries"
                    + (f.entries() > 0 ? ", sequences " + f.firstSeq() + " to " + f.lastSeq() : "") + "  "
                    + f.end().name().toLowerCase(Locale.ROOT) + " (" + f.endDetail() + ")");
        }
        for (Path p : scan.ignored()) {
            out.println("  ignored " + p.getFileName() + ": not a name the journal gives its files");
        }
        if (problems.isEmpty()) {
            out.println("result     ok: no problems found");
            return JournalTool.OK;
        }
        out.println("problems   " + problems.size());
        problems.forEach(p -> out.println("  " + p));
        out.println("result     " + problems.size() + " problem" + (problems.size() == 1 ? "" : "s") + " found");
        return JournalTool.FAILED;
    }

    /** The newest readable snapshot under {@code dir}, or null; reads only, creates nothing. */
    private static EngineState latestSnapshot(Path dir) {
        if (!Files.isDirectory(dir)) {
            return null;
        }
        return new SnapshotStore(dir, Integer.MAX_VALUE).loadLatest().orElse(null);
    }

    private static String cycles(JournalScan scan) {
        if (scan.files().isEmpty()) {
            return "";
        }
        int first = scan.files().get(0).cycle();
        int last = scan.files().get(scan.files().size() - 1).cycle();
        return first == last ? " (cycle " + first + ")" : " (cycles " + first + " to " + last + ")";
    }

    /** Bytes in binary units, as people read sizes. */
    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        String number = String.format(Locale.ROOT, "%.1f", v);
        return (number.endsWith(".0") ? number.substring(0, number.length() - 2) : number) + " " + units[u];
    }
}
