package io.berth.events.journal.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.events.NoLeaks;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(NoLeaks.class)
class PageWarmerTest {

    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void keepsItsLeadAheadOfTheWriterWithinTheFileAndChangesNoByte() throws Exception {
        Path file = sparse("a.cq4", 16 * MIB);
        byte[] written = new byte[3 * (int) MIB];
        new Random(7).nextBytes(written);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.write(written);
        }
        try (PageWarmer warmer = new PageWarmer()) {
            warmer.wrote(file.toFile(), 3 * MIB);
            awaitAtLeast(warmer::warmedTo, 3 * MIB + PageWarmer.AHEAD);

            warmer.wrote(file.toFile(), 14 * MIB);
            // Past the file's end there is nothing to read: the warmer waits for the writer instead.
            awaitAtLeast(warmer::warmedTo, 14 * MIB + PageWarmer.AHEAD);
        }
        assertEquals(16 * MIB, Files.size(file), "reading never grows the file");
        byte[] after = Files.readAllBytes(file);
        byte[] head = new byte[written.length];
        System.arraycopy(after, 0, head, 0, head.length);
        assertArrayEquals(written, head, "the written part is untouched");
        for (int i = written.length; i < after.length; i++) {
            if (after[i] != 0) {
                throw new AssertionError("byte " + i + " of the hole is " + after[i]);
            }
        }
    }

    @Test
    void startsOverAtTheWritersOffsetInANewFile() throws Exception {
        Path first = sparse("1.cq4", 16 * MIB);
        Path second = sparse("2.cq4", 16 * MIB);
        try (PageWarmer warmer = new PageWarmer()) {
            warmer.wrote(first.toFile(), 10 * MIB);
            awaitAtLeast(warmer::warmedTo, 10 * MIB + PageWarmer.AHEAD);
            warmer.wrote(second.toFile(), MIB);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (warmer.warmedTo() != MIB + PageWarmer.AHEAD && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(MIB + PageWarmer.AHEAD, warmer.warmedTo(), "the lead is measured in the new file");
        }
    }

    private Path sparse(String name, long size) throws IOException {
        Path file = dir.resolve(name);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(size);
        }
        return file;
    }

    private static void awaitAtLeast(LongSupplier value, long wanted) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (value.getAsLong() < wanted && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(value.getAsLong() >= wanted, "warmed to " + value.getAsLong() + ", wanted " + wanted);
    }
}
