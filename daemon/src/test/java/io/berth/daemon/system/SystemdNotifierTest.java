package io.berth.daemon.system;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.daemon.it.NotifySocket;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SystemdNotifierTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void readyAndStoppingReachASocketBoundAtAPath(@TempDir Path dir) throws Exception {
        try (NotifySocket socket = new NotifySocket(dir.resolve("notify.sock").toString())) {
            SystemdNotifier notifier = new SystemdNotifier(socket.address());
            notifier.ready();
            assertTrue(socket.await("READY=1", WAIT).contains("STATUS="));
            notifier.stopping();
            socket.await("STOPPING=1", WAIT);
        }
    }

    @Test
    void anAbstractNameIsReachedWithoutItsAt() throws Exception {
        try (NotifySocket socket = new NotifySocket("@berth-test-" + ProcessHandle.current().pid())) {
            assertTrue(new SystemdNotifier(socket.address()).send("READY=1"));
            assertEquals("READY=1", socket.await("READY=1", WAIT));
        }
    }

    @Test
    void withoutASocketNothingIsSent() {
        assertFalse(new SystemdNotifier(null).send("READY=1"));
        assertFalse(new SystemdNotifier("").send("READY=1"));
    }

    @Test
    void aSocketNobodyListensOnIsAFailureNotAnError(@TempDir Path dir) throws Exception {
        Path gone = dir.resolve("gone.sock");
        assertFalse(new SystemdNotifier(gone.toString()).send("READY=1"));
        Files.writeString(gone, "not a socket");
        assertFalse(new SystemdNotifier(gone.toString()).send("READY=1"));
        assertFalse(new SystemdNotifier("relative.sock").send("READY=1"));
    }

    @Test
    void addressesAreSockaddrUn() {
        byte lo = (byte) (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? 1 : 0);
        byte hi = (byte) (1 - lo);
        assertArrayEquals(new byte[] {lo, hi, '/', 's', 0}, SystemdNotifier.address("/s"));
        assertArrayEquals(new byte[] {lo, hi, 0, 'a', 'b'}, SystemdNotifier.address("@ab"));
        assertThrows(IllegalArgumentException.class, () -> SystemdNotifier.address("/" + "x".repeat(107)));
        assertEquals(110, SystemdNotifier.address("/" + "x".repeat(106)).length);
    }
}
