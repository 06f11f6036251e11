package io.berth.events.journal;

import java.nio.file.Path;
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
    public static String runOn(java.nio.file.Path dir) throws java.io.IOException, InterruptedException {
        java.util.List<String> cmd = new java.util.ArrayList<>();
        cmd.add(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-") || a.startsWith("--enable-native") || a.startsWith("--sun-misc"))
                .toList());
        cmd.addAll(java.util.List.of("-cp", System.getProperty("java.class.path"), TornWriter.class.getName(),
                dir.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
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
