package io.berth.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Version negotiation, Docker's error statuses and messages, and bad input that must change nothing. */
class ApiErrorsIT extends DaemonTest {

    Api api;

    @BeforeAll
    void api() {
        api = new Api(berth);
    }

    private String message(Api.Response r) {
        return new JsonObject(r.body()).getString("message");
    }

    @Test
    void versionAndInfoThroughTheCli() throws Exception {
        Docker.Result v = docker.run("version", "--format", "{{.Server.APIVersion}} {{.Server.MinAPIVersion}} {{.Client.APIVersion}}");
        assertEquals(0, v.exit(), v.toString());
        assertEquals("1.45 1.24 1.45", v.trimmed(), "the CLI negotiated down to the server's version");
        Docker.Result info = docker.run("info", "--format", "{{.Images}} {{.Driver}} {{.LiveRestoreEnabled}} {{.DockerRootDir}}");
        assertEquals(0, info.exit(), info.toString());
        assertEquals("1 overlay2 true " + berth.dataRoot(), info.trimmed());
    }

    @Test
    void pingHeadersAndVersionPrefixes() throws Exception {
        Api.Response ping = api.get("/_ping");
        assertEquals(200, ping.status());
        assertEquals("OK", ping.body());
        assertTrue(ping.headers().contains("Api-Version: 1.45"), ping.headers());
        assertEquals(200, api.get("/v1.24/version").status(), "Testcontainers and old clients use old prefixes");
        assertEquals(200, api.get("/v1.41/containers/json").status());
        Api.Response old = api.get("/v1.12/version");
        assertEquals(400, old.status());
        assertTrue(message(old).contains("client version 1.12 is too old. Minimum supported API version is 1.24"));
        Api.Response future = api.get("/v1.99/version");
        assertEquals(400, future.status());
        assertTrue(message(future).contains("is too new"));
        assertEquals(404, api.get("/v1.45/nothing/here").status());
        assertEquals(PosixFilePermissions.fromString("rw-rw----"),
                Files.getPosixFilePermissions(berth.socket()), "the socket is 0660, as dockerd's");
    }

    @Test
    void helpListsDockerdsFlags() throws Exception {
        Process p = new ProcessBuilder(BerthProcess.repoRoot().resolve("bin/berthd").toString(), "--help")
                .redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor());
        for (String flag : new String[] {"--host", "--data-root", "--exec-root", "--pidfile", "--config-file",
            "--live-restore", "--metrics-addr", "--log-level", "--default-ulimit"}) {
            assertTrue(out.contains(flag), flag + " in:\n" + out);
        }
    }

    @Test
    void notFoundAndConflictsAsDocker() throws Exception {
        Api.Response nc = api.get("/containers/nope/json");
        assertEquals(404, nc.status());
        assertEquals("No such container: nope", message(nc));
        Docker.Result ni = docker.run("image", "inspect", "nothere");
        assertNotEquals(0, ni.exit());
        assertTrue(ni.err().contains("No such image"), ni.err());
        assertEquals(404, api.get("/images/nothere/json").status());

        assertEquals(0, docker.run("create", "--name", "dup", "busybox", "true").exit());
        Docker.Result dup = docker.run("create", "--name", "dup", "busybox", "true");
        assertNotEquals(0, dup.exit());
        assertTrue(dup.err().contains("Conflict. The container name \"/dup\" is already in use"), dup.err());
        Api.Response dupApi = api.post("/containers/create?name=dup", "{\"Image\":\"busybox\",\"Cmd\":[\"true\"]}");
        assertEquals(409, dupApi.status());

        Api.Response exec = api.post("/containers/dup/exec", "{\"Cmd\":[\"true\"]}");
        assertEquals(409, exec.status(), "exec on a container that is not running");
        assertTrue(message(exec).contains("is not running"));
        Api.Response pause = api.post("/containers/dup/pause", null);
        assertEquals(409, pause.status());
        assertTrue(message(pause).contains("is not running"));
        assertEquals(304, api.post("/containers/dup/stop", null).status(), "stopping a stopped container");

        assertEquals(0, docker.run("run", "-d", "--name", "busy", "busybox", "sleep", "600").exit());
        Api.Response rm = api.send("DELETE", "/containers/busy", null);
        assertEquals(409, rm.status());
        assertEquals(304, api.post("/containers/busy/start", null).status(), "starting a running container");
        Api.Response rmi = api.send("DELETE", "/images/busybox", null);
        assertEquals(409, rmi.status(), "an image in use");
        assertEquals(0, docker.run("rm", "-f", "busy", "dup").exit());
    }

    @Test
    void invalidParametersAre400() throws Exception {
        Docker.Result mem = docker.run("run", "--rm", "-m", "1k", "busybox", "true");
        assertNotEquals(0, mem.exit());
        assertTrue(mem.err().contains("Minimum memory limit allowed is 6MB"), mem.err());
        Api.Response badName = api.post("/containers/create?name=bad!name", "{\"Image\":\"busybox\",\"Cmd\":[\"true\"]}");
        assertEquals(400, badName.status());
        assertTrue(message(badName).contains("Invalid container name (bad!name)"));
        Api.Response sig = api.post("/containers/nope/kill?signal=SIGNOPE", null);
        assertTrue(sig.status() == 400 || sig.status() == 404, sig.toString());
        Api.Response cpus = api.post("/containers/create", "{\"Image\":\"busybox\",\"Cmd\":[\"true\"],\"HostConfig\":{\"NanoCpus\":99000000000}}");
        assertEquals(400, cpus.status());
        assertTrue(message(cpus).contains("Range of CPUs"), cpus.body());
    }

    @Test
    void malformedBodiesAreRefusedAndWriteNothing() throws Exception {
        long journalBefore = journalSeq();
        int containersBefore = containerDirs();
        Api.Response bad = api.post("/containers/create", "{\"Image\": \"busybox\", ");
        assertEquals(400, bad.status(), bad.body());
        assertTrue(message(bad).startsWith("invalid JSON"), bad.body());
        Api.Response wrongType = api.post("/containers/create", "{\"Image\":\"busybox\",\"Cmd\":\"true\",\"Tty\":\"yes\"}");
        assertEquals(400, wrongType.status(), wrongType.body());
        Api.Response wrongType2 = api.post("/containers/create", "{\"Image\":\"busybox\",\"HostConfig\":{\"Memory\":\"lots\"}}");
        assertEquals(400, wrongType2.status(), wrongType2.body());
        Api.Response array = api.post("/containers/create", "[1,2]");
        assertEquals(400, array.status());
        byte[] huge = new byte[6 << 20];
        Arrays.fill(huge, (byte) ' ');
        Api.Response big = api.send("POST", "/containers/create", huge);
        assertEquals(400, big.status(), "oversized body");
        assertTrue(message(big).contains("larger than"), big.body());
        assertEquals(containersBefore, containerDirs(), "no container directory was made");
        assertEquals(journalBefore, journalSeq(), "nothing was journaled");
        Docker.Result ps = docker.run("ps", "-aq");
        assertEquals("", ps.trimmed(), "no container was created");
    }

    @Test
    void aTarballThatEscapesItsRootIsRefused() throws Exception {
        Path evil = berth.root().resolve("evil.tar");
        Path dir = Files.createTempDirectory("evil");
        try {
            Files.writeString(dir.resolve("x"), "pwned");
            Process p = new ProcessBuilder("tar", "-cf", evil.toString(), "-C", dir.toString(), "--transform", "s|^x|../../x|", "x")
                    .inheritIO().start();
            assertEquals(0, p.waitFor());
            int imagesBefore = docker.run("images", "-q").trimmed().split("\\s+").length;
            Docker.Result r = docker.run("import", evil.toString(), "evil:1");
            assertNotEquals(0, r.exit());
            assertTrue(r.err().contains(".."), r.err());
            assertEquals(imagesBefore, docker.run("images", "-q").trimmed().split("\\s+").length);
            assertFalse(Files.exists(berth.dataRoot().getParent().resolve("x")));
            try (Stream<Path> s = Files.walk(berth.dataRoot().resolve("image"))) {
                assertTrue(s.noneMatch(f -> f.getFileName().toString().startsWith(".tmp")), "no partial layer left");
            }
        } finally {
            HostFiles.deleteTree(dir);
        }
    }

    private long journalSeq() throws Exception {
        return new JsonObject(api.get("/info").body()).getJsonObject("BerthJournal").getLong("LastSequence");
    }

    private int containerDirs() throws Exception {
        Path d = berth.dataRoot().resolve("containers");
        if (!Files.isDirectory(d)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(d)) {
            return (int) s.count();
        }
    }
}
