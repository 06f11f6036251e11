package io.berth.daemon.tools;

import io.berth.events.Event;
import io.berth.events.journal.FileBytes;
import io.berth.events.journal.Journal;
import io.berth.events.journal.JournalConfig;
import io.berth.events.journal.internal.ChronicleJournal;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * A data root whose journal a test writes with {@link ChronicleJournal} on a clock it sets, and the
 * journal tools run in-process against it.
 */
final class ToolJournal {

    /** 2027-01-15T08:00:00Z: the journal's clock at the start of a test. */
    static final long T0 = 1_800_000_000L * 1_000_000_000L;

    /** What a tool did: its exit status and what it wrote. */
    record Result(int exit, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }

        @Override
        public String toString() {
            return "exit " + exit + "\nstdout:\n" + out + "\nstderr:\n" + err;
        }
    }

    private final Path dataRoot;
    private final long t0;
    private final AtomicLong clock;

    ToolJournal(Path dataRoot) {
        this(dataRoot, T0);
    }

    /** A journal whose events are appended {@code At.millis} after {@code t0} (nanoseconds since the epoch). */
    ToolJournal(Path dataRoot, long t0) {
        this.dataRoot = dataRoot;
        this.t0 = t0;
        this.clock = new AtomicLong(t0);
    }

    Path dataRoot() {
        return dataRoot;
    }

    Path journalDir() {
        return dataRoot.resolve("journal");
    }

    /** One event and when it is appended, in milliseconds after the journal's start time. */
    record At(long millis, Event event) {}

    static At at(long millis, Event event) {
        return new At(millis, event);
    }

    /** Appends the events, each on its own at its time, as a daemon would. */
    void write(At... events) throws Exception {
        try (Journal j = ChronicleJournal.open(JournalConfig.defaults(journalDir()).withClock(clock::get))) {
            for (At a : events) {
                clock.set(t0 + a.millis() * 1_000_000L);
                j.append(a.event()).get(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Runs {@code berthd journal ARGS --data-root DATA_ROOT}. */
    Result run(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--data-root");
        all.add(dataRoot.toString());
        return runExactly(all.toArray(String[]::new));
    }

    /** Runs {@code berthd journal ARGS} as given. */
    static Result runExactly(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            exit = JournalTool.run(args, o, e);
        }
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The journal's only cycle file. */
    Path onlyCycleFile() throws IOException {
        try (Stream<Path> s = Files.list(journalDir())) {
            List<Path> files = s.filter(p -> p.toString().endsWith(".cq4")).toList();
            if (files.size() != 1) {
                throw new AssertionError("expected one cycle file, found " + files);
            }
            return files.get(0);
        }
    }

    /** Where {@code text} first occurs in {@code file}, or -1. */
    static int indexOf(Path file, String text) throws IOException {
        return FileBytes.indexOf(file, text);
    }
}
