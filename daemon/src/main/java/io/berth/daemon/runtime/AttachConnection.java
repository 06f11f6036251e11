package io.berth.daemon.runtime;

/**
 * A client connection to a shim's attach socket: the container's output as tagged packets, and a
 * way to write its stdin. Blocking; one reader thread and one writer thread at most.
 */
public interface AttachConnection extends AutoCloseable {

    /** Which stream an output packet came from. */
    enum Stream { STDOUT, STDERR }

    /** One packet of output. */
    record Packet(Stream stream, byte[] data) {}

    /** The next packet of output, or null once the container (or exec process) has exited. */
    Packet read();

    /** Writes to the process's stdin (only if the shim was asked to keep stdin open). */
    void write(byte[] data, int offset, int length);

    /** Closes the process's stdin, as a client does at the end of its input. */
    void closeStdin();

    @Override
    void close();
}
