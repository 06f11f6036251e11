package io.berth.events.journal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Run in a child JVM by {@link DamagedJournalTest}: starts an entry in the journal at {@code args[0]},
 * writes part of it, and dies without finishing it, as a daemon killed mid-append would.
 */
public final class TornWriter {

    /**
     * Runs a TornWriter in a child JVM (this JVM's module flags and class path) on the journal in
     * {@code dir}, and returns its output once it has died mid-write.
     */
    public static String runOn(Path dir) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-") || a.startsWith("--enable-native") || a.startsWith("--sun-misc"))
                .toList());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), TornWriter.class.getName(),
                dir.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the torn writer did not end: " + out);
        }
        return out;
    }
    public static void main(String[] args) {
        SingleChronicleQueue q = SingleChronicleQueueBuilder.binary(Path.of(args[0]))
                .rollCycle(RollCycles.FAST_DAILY).build();
        ExcerptAppender a = q.createAppender();
        DocumentContext dc = a.writingDocument();
        dc.wire().bytes().writeLong(6);
        dc.wire().bytes().writeLong(42);
        System.out.println("torn");
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }
}
