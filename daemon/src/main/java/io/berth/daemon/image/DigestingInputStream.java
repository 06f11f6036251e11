package io.berth.daemon.image;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;

/**
 * Passes a stream through while hashing it and, optionally, copying it to a file, so a layer is read
 * once to unpack it, compute its diffID and keep its exact bytes.
 */
final class DigestingInputStream extends FilterInputStream {
    private final MessageDigest digest = Digests.sha256();
    private final OutputStream copy;
    private long count;

    DigestingInputStream(InputStream in, OutputStream copy) {
        super(in);
        this.copy = copy;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0) {
            digest.update(b, off, n);
            count += n;
            if (copy != null) {
                copy.write(b, off, n);
            }
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        // Skipped bytes must still be hashed and copied.
        byte[] buffer = new byte[8192];
        long done = 0;
        while (done < n) {
            int r = read(buffer, 0, (int) Math.min(buffer.length, n - done));
            if (r < 0) {
                break;
            }
            done += r;
        }
        return done;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    /** Reads what the consumer left unread (a tar's trailing padding), so the digest covers it all. */
    void drain() throws IOException {
        byte[] buffer = new byte[8192];
        while (read(buffer, 0, buffer.length) >= 0) {
            // keep reading
        }
    }

    String hex() {
        return Digests.hex(digest);
    }

    long count() {
        return count;
    }
}
