package io.berth.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.daemon.os.SubIds;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code userns-remap} as dockerd's: the test makes a user with subordinate ranges of its own
 * (useradd, usermod --add-subuids), a daemon remaps to it, and root in a container is that range's
 * first id on the host: for files it makes in volumes and in its root file system, and for the
 * image's layers. {@code --userns=host} opts one container out; privileged and host-network
 * containers are refused without it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UsernsIT {

    private static final String USER = "berth-it-remap";

    private boolean createdUser;
    private long base;
    private BerthProcess berth;
    private Docker docker;

    private static String host(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", cmd) + ":\n" + out);
        return out.trim();
    }

    @BeforeAll
    void start() throws Exception {
        BerthProcess.requireRoot();
        if (new ProcessBuilder("getent", "passwd", USER).start().waitFor() != 0) {
            host("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "--user-group", USER);
            createdUser = true;
        }
        base = SubIds.freeStart(Files.readString(Path.of("/etc/subuid")) + "\n" + Files.readString(Path.of("/etc/subgid")),
                SubIds.SIZE);
        String range = base + "-" + (base + SubIds.SIZE - 1);
        host("usermod", "--add-subuids", range, "--add-subgids", range, USER);
        berth = BerthProcess.start("--userns-remap", USER);
        docker = new Docker(berth);
        Busybox.importInto(docker);
    }

    @AfterAll
    void stop() throws Exception {
        if (berth != null) {
            berth.close();
        }
        if (base > 0) {
            String range = base + "-" + (base + SubIds.SIZE - 1);
            host("usermod", "--del-subuids", range, "--del-subgids", range, USER);
        }
        if (createdUser) {
            host("userdel", USER);
        }
    }

    private Docker.Result ok(String... args) throws Exception {
        Docker.Result r = docker.run(args);
        assertEquals(0, r.exit(), r + "\n" + berth.logText());
        return r;
    }

    private static long owner(Path p) throws Exception {
        return ((Number) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue();
    }

    private Path remappedRoot() {
        return berth.dataRoot().resolve(base + "." + base);
    }

    @Test
    void rootInTheContainerIsTheRangesFirstIdOnTheHost() throws Exception {
        String inside = ok("run", "--name", "mapped", "-v", "mappedvol:/data", "busybox", "sh", "-c",
                "touch /data/x /y && id -u && stat -c %u /bin/busybox && cat /proc/self/uid_map").out();
        List<String> lines = inside.lines().map(String::trim).toList();
        assertEquals("0", lines.get(0), inside);
        assertEquals("0", lines.get(1), "the image's files are root's inside: " + inside);
        assertEquals(List.of("0", String.valueOf(base), "65536"), List.of(lines.get(2).split("\\s+")), inside);

        Path volume = Path.of(ok("volume", "inspect", "-f", "{{.Mountpoint}}", "mappedvol").trimmed());
        assertTrue(volume.startsWith(remappedRoot()), volume + " is under the remapped data root");
        assertEquals(base, owner(volume.resolve("x")), "a file made in a volume by the container's root");
        String id = ok("inspect", "-f", "{{.Id}}", "mapped").trimmed();
        assertEquals(base, owner(remappedRoot().resolve("containers").resolve(id).resolve("diff").resolve("y")),
                "a file made in the container's own root file system");
        try (Stream<Path> layers = Files.find(remappedRoot().resolve("image").resolve("layers"), 3,
                (p, a) -> p.endsWith("bin/busybox"))) {
            Path busybox = layers.findFirst().orElseThrow();
            assertEquals(base, owner(busybox), "image layers are unpacked owned by the mapped ids");
        }
        String info = ok("info", "-f", "{{.DockerRootDir}} {{json .SecurityOptions}}").trimmed();
        assertTrue(info.startsWith(remappedRoot() + " ") && info.contains("name=userns"), info);
        ok("rm", "-v", "mapped");
        ok("volume", "rm", "mappedvol");
    }

    @Test
    void copiesAndCommitsCarryTheContainersIds() throws Exception {
        ok("run", "--name", "cp", "busybox", "sh", "-c", "echo made > /made && chown 1000:1000 /made");
        Path local = Files.createTempDirectory("berth-userns-cp");
        try {
            ok("cp", "cp:/made", local.resolve("made").toString());
            assertEquals("made", Files.readString(local.resolve("made")).trim());
            Files.writeString(local.resolve("in"), "in\n");
            ok("cp", local.resolve("in").toString(), "cp:/in");
        } finally {
            host("rm", "-rf", local.toString());
        }
        String id = ok("inspect", "-f", "{{.Id}}", "cp").trimmed();
        Path diff = remappedRoot().resolve("containers").resolve(id).resolve("diff");
        assertEquals(base + 1000, owner(diff.resolve("made")));
        assertEquals(base, owner(diff.resolve("in")), "docker cp in gives files to the container's root");
        // A commit's layer holds the container's ids, and unpacks to the mapped ones again.
        ok("commit", "cp", "berth-userns:c");
        assertEquals("1000 0 made", ok("run", "--rm", "berth-userns:c", "sh", "-c",
                "stat -c %u /made; stat -c %u /in; cat /made").out().replace('\n', ' ').trim());
        ok("rm", "cp");
        ok("rmi", "berth-userns:c");
    }

    @Test
    void defaultIsDockremapMadeWithAFreeRange() throws Exception {
        boolean existed = new ProcessBuilder("getent", "passwd", "dockremap").start().waitFor() == 0;
        try (BerthProcess other = BerthProcess.startWith("{\"userns-remap\": \"default\"}\n")) {
            String line = Files.readAllLines(Path.of("/etc/subuid")).stream().filter(l -> l.startsWith("dockremap:"))
                    .findFirst().orElseThrow(() -> new AssertionError("no subuid range for dockremap"));
            long start = Long.parseLong(line.split(":")[1]);
            if (!existed) {
                assertEquals(String.valueOf(SubIds.SIZE), line.split(":")[2], line);
                assertTrue(start >= base + SubIds.SIZE || start + SubIds.SIZE <= base, "no overlap with " + base + ": " + line);
            }
            Docker d = new Docker(other);
            Busybox.importInto(d);
            Docker.Result map = d.run("run", "--rm", "--network", "none", "busybox", "cat", "/proc/self/uid_map");
            assertEquals(0, map.exit(), map + "\n" + other.logText());
            assertEquals(List.of("0", String.valueOf(start), String.valueOf(SubIds.SIZE)),
                    List.of(map.trimmed().split("\\s+")), map.out());
        } finally {
            if (!existed) {
                // shadow versions differ on whether userdel drops the ranges: none may stay
                String uids = Files.readString(Path.of("/etc/subuid"));
                String gids = Files.readString(Path.of("/etc/subgid"));
                host("userdel", "dockremap");
                Files.writeString(Path.of("/etc/subuid"), withoutUser(uids, "dockremap"));
                Files.writeString(Path.of("/etc/subgid"), withoutUser(gids, "dockremap"));
            }
        }
    }

    private static String withoutUser(String file, String user) {
        StringBuilder out = new StringBuilder();
        file.lines().filter(l -> !l.startsWith(user + ":")).forEach(l -> out.append(l).append('\n'));
        return out.toString();
    }

    @Test
    void userNsHostOptsOut() throws Exception {
        String inside = ok("run", "--rm", "--userns=host", "-v", "hostvol:/data", "busybox", "sh", "-c",
                "touch /data/x && cat /proc/self/uid_map").trimmed();
        assertEquals(List.of("0", "0", "4294967295"), List.of(inside.split("\\s+")), inside);
        Path volume = Path.of(ok("volume", "inspect", "-f", "{{.Mountpoint}}", "hostvol").trimmed());
        assertEquals(0, owner(volume.resolve("x")));
        ok("volume", "rm", "hostvol");
        assertEquals("ok", ok("run", "--rm", "--userns=host", "--privileged", "busybox", "echo", "ok").trimmed());
    }

    @Test
    void privilegedAndHostNetworkNeedTheHostUserNamespace() throws Exception {
        Docker.Result privileged = docker.run("run", "--rm", "--privileged", "busybox", "true");
        assertNotEquals(0, privileged.exit());
        assertTrue(privileged.err().contains("privileged mode is incompatible with user namespaces.  You must run the "
                + "container in the host namespace when running privileged mode"), privileged.toString());
        Docker.Result net = docker.run("run", "--rm", "--network", "host", "busybox", "true");
        assertNotEquals(0, net.exit());
        assertTrue(net.err().contains("Cannot share the host's network namespace when user namespaces are enabled"),
                net.toString());
        assertEquals("", ok("ps", "-aq").trimmed(), "nothing was created");
    }
}
