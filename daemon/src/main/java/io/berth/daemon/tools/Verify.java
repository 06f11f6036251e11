package io.berth.daemon.tools;

import io.berth.daemon.api.Json;
import io.berth.events.EventEnvelope;
import io.berth.events.journal.JournalScan;
import io.berth.events.journal.JournalScan.DamagedEntry;
import io.berth.events.journal.JournalScan.FileScan;
import io.berth.events.journal.internal.ChronicleFileReader;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
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
                Prints a summary: files, entries, first and last sequence and time, size.

                Exit status: 0 when the journal has no problem, 1 when it has some (or cannot be read),
                2 for a wrong command line.

                Options:
                """ + JournalTool.COMMON_OPTIONS;
    }

    @Override
    public Set<String> valued() {
        return Set.of();
    }

    @Override
    public Set<String> switches() {
        return Set.of();
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

    @Override
    public int run(JournalTool.Options options, PrintStream out) {
        if (!options.arguments().isEmpty()) {
            throw new JournalTool.UsageException("verify takes no arguments, got " + options.arguments());
        }
        Path dir = JournalTool.journalDir(options);
        Order order = new Order();
        JournalScan scan = ChronicleFileReader.scan(dir, order);

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
