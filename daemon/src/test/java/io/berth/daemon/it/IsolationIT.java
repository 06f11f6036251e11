package io.berth.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** A container is really isolated: its own hostname, PID 1, network, and a writable layer of its own. */
class IsolationIT extends DaemonTest {

    @Test
    void ownNamespaces() throws Exception {
        String host = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        String inside = ok("run", "--rm", "busybox", "hostname").trimmed();
        assertNotEquals(host, inside);
        assertTrue(inside.matches("[0-9a-f]{12}"), "Docker's default hostname is the short id: " + inside);
        Docker.Result ps = ok("run", "--rm", "busybox", "ps", "-o", "pid,args");
        String[] rows = ps.trimmed().split("\n");
        assertEquals(2, rows.length, "only the command itself: " + ps.out());
        assertTrue(rows[1].trim().matches("1\\s+ps -o pid,args"), "the command is PID 1: " + rows[1]);
        Docker.Result net = ok("run", "--rm", "--network", "none", "busybox", "sh", "-c", "ls /sys/class/net");
        assertEquals("lo", net.trimmed(), "network mode none: only loopback");
        Docker.Result hostNet = ok("run", "--rm", "--network", "host", "busybox", "sh", "-c", "ls /sys/class/net | wc -l");
        assertTrue(Integer.parseInt(hostNet.trimmed()) >= 1);
    }

    @Test
    void writesStayInTheContainersOwnLayer() throws Exception {
        ok("run", "--name", "writer", "busybox", "sh", "-c", "echo changed > /etc/motd; rm /bin/vi; echo new > /root/new");
        try {
            Path layers = berth.dataRoot().resolve("image");
            try (Stream<Path> s = Files.walk(layers)) {
                assertFalse(s.anyMatch(p -> p.getFileName().toString().equals("motd")), "the image layer is untouched");
            }
            try (Stream<Path> s = Files.walk(layers)) {
                assertTrue(s.anyMatch(p -> p.endsWith("bin/vi")), "files removed in the container stay in the image");
            }
            String id = ok("inspect", "--format", "{{.Id}}", "writer").trimmed();
            Path upper = berth.dataRoot().resolve("containers").resolve(id).resolve("diff");
            assertEquals("changed\n", Files.readString(upper.resolve("etc/motd")));
            Docker.Result other = docker.run("run", "--rm", "busybox", "cat", "/root/new");
            assertNotEquals(0, other.exit(), "another container does not see the change");
            assertTrue(other.err().contains("No such file"), other.err());
        } finally {
            docker.run("rm", "writer");
        }
    }
}
