package io.berth.events.journal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finds bytes in journal files, for tests that damage a chosen entry. */
public final class FileBytes {

    private FileBytes() {}

    /** Where {@code needle} first occurs in {@code hay}, or -1. */
    public static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int k = 0; k < needle.length; k++) {
                if (hay[i + k] != needle[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Where {@code text} (UTF-8) first occurs in {@code file}, or -1. */
    public static int indexOf(Path file, String text) throws IOException {
        return indexOf(Files.readAllBytes(file), text.getBytes(StandardCharsets.UTF_8));
    }
}
