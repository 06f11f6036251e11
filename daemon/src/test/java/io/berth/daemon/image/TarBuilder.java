package io.berth.daemon.image;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

/** Builds tar archives in memory for tests, entry by entry, with names kept exactly as given. */
final class TarBuilder {
    /** The mtime every entry gets unless told otherwise: fixed, so archives are reproducible. */
    static final FileTime DEFAULT_TIME = FileTime.from(Instant.ofEpochSecond(1_600_000_000L));

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final TarArchiveOutputStream tar;

    TarBuilder() {
        tar = new TarArchiveOutputStream(bytes, StandardCharsets.UTF_8.name());
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    }

    TarBuilder dir(String name, int mode) {
        return add(entry(name, TarConstants.LF_DIR, mode), null);
    }

    TarBuilder file(String name, int mode, String content) {
        return file(name, mode, content.getBytes(StandardCharsets.UTF_8));
    }

    TarBuilder file(String name, int mode, byte[] content) {
        return add(entry(name, TarConstants.LF_NORMAL, mode), content);
    }

    TarBuilder symlink(String name, String target) {
        TarArchiveEntry e = entry(name, TarConstants.LF_SYMLINK, 0777);
        e.setLinkName(target);
        return add(e, null);
    }

    TarBuilder hardlink(String name, String target) {
        TarArchiveEntry e = entry(name, TarConstants.LF_LINK, 0644);
        e.setLinkName(target);
        return add(e, null);
    }

    TarBuilder fifo(String name, int mode) {
        return add(entry(name, TarConstants.LF_FIFO, mode), null);
    }

    TarBuilder device(String name, byte type, int major, int minor) {
        TarArchiveEntry e = entry(name, type, 0666);
        e.setDevMajor(major);
        e.setDevMinor(minor);
        return add(e, null);
    }

    /** A prepared entry (for owners and times); {@code content} only for regular files. */
    TarBuilder add(TarArchiveEntry entry, byte[] content) {
        try {
            if (content != null) {
                entry.setSize(content.length);
            }
            tar.putArchiveEntry(entry);
            if (content != null) {
                tar.write(content);
            }
            tar.closeArchiveEntry();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static TarArchiveEntry entry(String name, byte type, int mode) {
        TarArchiveEntry e = new TarArchiveEntry(name, type, true);
        e.setMode(mode);
        e.setUserId(0);
        e.setGroupId(0);
        e.setModTime(DEFAULT_TIME);
        return e;
    }

    byte[] build() {
        try {
            tar.finish();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GzipCompressorOutputStream gz = new GzipCompressorOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
