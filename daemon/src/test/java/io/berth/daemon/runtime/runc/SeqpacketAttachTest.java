package io.berth.daemon.runtime.runc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import io.berth.daemon.runtime.AttachConnection.Packet;
import io.berth.daemon.runtime.AttachConnection.Stream;
import io.berth.errors.EngineException;
import io.berth.errors.ErrorKind;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The attach client against a SOCK_SEQPACKET socketpair whose other end plays conmon. */
public class SeqpacketAttachTest {
    private int peer;
    private SeqpacketAttach client;

    @BeforeEach
    void pair() {
        int[] fds = new int[2];
        assertEquals(0, LibC.INSTANCE.socketpair(LibC.AF_UNIX, LibC.SOCK_SEQPACKET | LibC.SOCK_CLOEXEC, 0, fds));
        client = new SeqpacketAttach(fds[0]);
        peer = fds[1];
    }

    @AfterEach
    void closeBoth() {
        client.close();
        Fds.close(peer);
    }

    private void conmonSends(int tag, String text) {
        byte[] payload = text.getBytes(UTF_8);
        byte[] packet = new byte[payload.length + 1];
        packet[0] = (byte) tag;
        System.arraycopy(payload, 0, packet, 1, payload.length);
        assertEquals(packet.length, LibC.INSTANCE.send(peer, packet, packet.length, LibC.MSG_NOSIGNAL));
    }

    private String conmonReceives() {
        byte[] buf = new byte[65536];
        long n = LibC.INSTANCE.recv(peer, buf, buf.length, 0);
        return n < 0 ? null : new String(buf, 0, (int) n, UTF_8);
    }

    @Test
    void decodesTagsAndPayloads() {
        assertEquals(Stream.STDOUT, SeqpacketAttach.decode(new byte[] {2, 'a'}, 2).stream());
        Packet err = SeqpacketAttach.decode(new byte[] {3, 'x', 'y', 'z'}, 3);
        assertEquals(Stream.STDERR, err.stream());
        assertArrayEquals(new byte[] {'x', 'y'}, err.data());
        assertEquals(0, SeqpacketAttach.decode(new byte[] {2}, 1).data().length);
        assertNull(SeqpacketAttach.decode(new byte[] {1, 'a'}, 2));
        assertNull(SeqpacketAttach.decode(new byte[0], 0));
    }

    @Test
    void buildsSockaddrUn() {
        byte[] addr = SeqpacketAttach.sockaddrUn("/s/attach".getBytes(UTF_8));
        assertEquals(LibC.AF_UNIX, ByteBuffer.wrap(addr).order(ByteOrder.nativeOrder()).getShort());
        assertEquals("/s/attach", new String(addr, 2, 9, UTF_8));
        assertEquals(0, addr[addr.length - 1]);
        byte[] tooLong = new byte[108];
        Arrays.fill(tooLong, (byte) 'a');
        assertEquals(ErrorKind.INVALID_ARGUMENT,
                assertThrows(EngineException.class, () -> SeqpacketAttach.sockaddrUn(tooLong)).kind());
    }

    @Test
    void readsPacketsInOrderSkippingUnknownTagsUntilEof() {
        conmonSends(2, "out\n");
        conmonSends(7, "ignored");
        conmonSends(3, "err\n");
        assertEquals(new Packet(Stream.STDOUT, null).stream(), client.read().stream());
        Packet p = client.read();
        assertEquals(Stream.STDERR, p.stream());
        assertEquals("err\n", new String(p.data(), UTF_8));
        LibC.INSTANCE.shutdown(peer, LibC.SHUT_WR);
        assertNull(client.read());
    }

    @Test
    void writesGoUnframedAndCloseStdinIsEofForConmon() {
        client.write("xhello!".getBytes(UTF_8), 1, 5);
        assertEquals("hello", conmonReceives());
        byte[] big = new byte[20_000];
        Arrays.fill(big, (byte) 'b');
        client.write(big, 0, big.length);
        int total = 0;
        while (total < big.length) {
            total += conmonReceives().length(); // conmon reads at most 32 KiB per packet: we send 8 KiB ones
        }
        assertEquals(big.length, total);
        client.closeStdin();
        assertEquals("", conmonReceives());
        conmonSends(2, "still readable");
        assertEquals("still readable", new String(client.read().data(), UTF_8));
    }

    @Test
    void closeFromAnotherThreadWakesABlockedReader() throws Exception {
        CompletableFuture<Packet> blocked = CompletableFuture.supplyAsync(client::read);
        Thread.sleep(200);
        client.close();
        assertNull(blocked.get(2, TimeUnit.SECONDS));
        assertNull(client.read());
        assertThrows(EngineException.class, () -> client.write(new byte[1], 0, 1));
        client.close(); // twice is fine
    }

    @Test
    void connectingWhereNobodyListensIsAConflict(@TempDir Path dir) {
        EngineException e = assertThrows(EngineException.class, () -> SeqpacketAttach.connect(dir.resolve("attach")));
        assertEquals(ErrorKind.CONFLICT, e.kind());
    }

    @Test
    void connectsThroughProcSelfFdWhenThePathIsTooLong(@TempDir Path dir) throws Exception {
        Path deep = dir.resolve("d".repeat(100)).resolve("attach");
        Files.createDirectories(deep.getParent());
        // Bind a listener the same way conmon does, through /proc/self/fd.
        int dirFd = LibC.INSTANCE.open(deep.getParent().toString(), LibC.O_PATH | LibC.O_CLOEXEC, 0);
        int server = LibC.INSTANCE.socket(LibC.AF_UNIX, LibC.SOCK_SEQPACKET | LibC.SOCK_CLOEXEC, 0);
        byte[] addr = SeqpacketAttach.sockaddrUn(("/proc/self/fd/" + dirFd + "/attach").getBytes(UTF_8));
        assertEquals(0, Bind.INSTANCE.bind(server, addr, addr.length));
        assertEquals(0, Bind.INSTANCE.listen(server, 1));
        Fds.close(dirFd);
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(5), () -> SeqpacketAttach.connect(deep).close());
        } finally {
            Fds.close(server);
        }
    }

    /** The server half, which the production code never needs. */
    public interface Bind {
        Bind INSTANCE = jnr.ffi.LibraryLoader.create(Bind.class).load("c");

        int bind(int fd, @jnr.ffi.annotations.In byte[] addr, int length);

        int listen(int fd, int backlog);
    }
}
