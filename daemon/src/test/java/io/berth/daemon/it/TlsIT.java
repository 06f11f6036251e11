package io.berth.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Remote access with mutual TLS, as dockerd's {@code -H tcp://ADDR:PORT --tlsverify}: the docker CLI
 * with a client certificate signed by the daemon's CA is served; one without a certificate, or with
 * one from another CA, is refused in the handshake. A plain TCP listener is refused at start unless
 * forced with {@code --tls=false}. Certificates are made by openssl for the test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsIT {

    private Path certs;
    private BerthProcess berth;
    private String tcp;

    private static void openssl(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "openssl " + cmd + ":\n" + out);
    }

    /** A CA in {@code dir}: ca.pem and ca-key.pem. */
    private static Path ca(Path dir, String name) throws Exception {
        Files.createDirectories(dir);
        openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca-key.pem", "-out", "ca.pem",
                "-days", "2", "-subj", "/CN=" + name);
        return dir;
    }

    /** A certificate signed by the CA in {@code ca}, written as {@code prefix}cert.pem and {@code prefix}key.pem. */
    private static void signed(Path ca, String prefix, String cn, String extensions) throws Exception {
        Files.writeString(ca.resolve(prefix + "ext.cnf"), extensions + "\n");
        openssl(ca, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", prefix + "key.pem", "-out", prefix + "req.csr",
                "-subj", "/CN=" + cn);
        openssl(ca, "x509", "-req", "-in", prefix + "req.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem",
                "-CAcreateserial", "-out", prefix + "cert.pem", "-days", "2", "-extfile", prefix + "ext.cnf");
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @BeforeAll
    void start() throws Exception {
        certs = Files.createTempDirectory("berth-tls");
        Path ca = ca(certs.resolve("ca"), "berth-test-ca");
        signed(ca, "server-", "127.0.0.1", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth");
        signed(ca, "client-", "client", "extendedKeyUsage=clientAuth");
        Path other = ca(certs.resolve("other"), "another-ca");
        signed(other, "client-", "intruder", "extendedKeyUsage=clientAuth");
        tcp = "tcp://127.0.0.1:" + freePort();
        berth = BerthProcess.start("-H", tcp, "--tlsverify", "--tlscacert", ca.resolve("ca.pem").toString(),
                "--tlscert", ca.resolve("server-cert.pem").toString(), "--tlskey", ca.resolve("server-key.pem").toString());
    }

    @AfterAll
    void stop() throws Exception {
        if (berth != null) {
            berth.close();
        }
        if (certs != null) {
            new ProcessBuilder("rm", "-rf", certs.toString()).start().waitFor();
        }
    }

    /** The docker CLI against the TCP host with {@code tlsArgs}. */
    private Docker.Result remote(List<String> tlsArgs, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("-H", tcp));
        cmd.addAll(tlsArgs);
        cmd.addAll(List.of(args));
        return new Docker(berth).run(cmd.toArray(String[]::new));
    }

    private List<String> client(Path ca, Path dir) {
        return List.of("--tlsverify", "--tlscacert", ca.resolve("ca.pem").toString(),
                "--tlscert", dir.resolve("client-cert.pem").toString(), "--tlskey", dir.resolve("client-key.pem").toString());
    }

    @Test
    void aClientWithACertificateOfTheCaIsServed() throws Exception {
        Path ca = certs.resolve("ca");
        Docker.Result version = remote(client(ca, ca), "version", "--format", "{{.Server.Version}}");
        assertEquals(0, version.exit(), version + "\n" + berth.logText());
        assertTrue(version.trimmed().matches("\\d+\\.\\d+.*"), version.out());
        Busybox.importInto(new Docker(berth));
        Docker.Result run = remote(client(ca, ca), "run", "--rm", "busybox", "echo", "over tls");
        assertEquals(0, run.exit(), run.toString());
        assertEquals("over tls", run.trimmed());
    }

    @Test
    void clientsWithoutACertificateOrFromAnotherCaAreRefused() throws Exception {
        Path ca = certs.resolve("ca");
        Docker.Result none = remote(List.of("--tls", "--tlscacert", ca.resolve("ca.pem").toString()), "version");
        assertNotEquals(0, none.exit(), none.toString());
        assertTrue(none.err().toLowerCase().contains("tls") || none.err().toLowerCase().contains("certificate"),
                none.toString());

        Docker.Result intruder = remote(client(ca, certs.resolve("other")), "info");
        assertNotEquals(0, intruder.exit(), intruder.toString());
        assertTrue(intruder.err().toLowerCase().contains("tls") || intruder.err().toLowerCase().contains("certificate"),
                intruder.toString());

        Docker.Result plain = remote(List.of(), "version", "--format", "{{.Server.Version}}");
        assertNotEquals(0, plain.exit(), "plain HTTP to the TLS port: " + plain);
    }

    @Test
    void plainTcpIsRefusedUnlessForced() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "bttcp");
        try {
            ProcessBuilder pb = new ProcessBuilder(BerthProcess.repoRoot().resolve("bin/berthd").toString(),
                    "-H", "unix://" + dir.resolve("s.sock"), "-H", "tcp://127.0.0.1:" + freePort(),
                    "--data-root", dir.resolve("data").toString(), "--exec-root", dir.resolve("exec").toString(),
                    "--pidfile", dir.resolve("pid").toString(), "--config-file", dir.resolve("none.json").toString())
                    .redirectErrorStream(true).redirectInput(new File("/dev/null"));
            Files.writeString(dir.resolve("none.json"), "{}\n");
            pb.environment().put("BERTH_SKIP_BUILD", "1");
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(1, p.exitValue(), out);
            assertTrue(out.contains("refusing to listen on tcp://127.0.0.1:") && out.contains("without --tlsverify"), out);
            assertTrue(!Files.exists(dir.resolve("s.sock")), "nothing was served");
        } finally {
            new ProcessBuilder("rm", "-rf", dir.toString()).start().waitFor();
        }

        String host = "tcp://127.0.0.1:" + freePort();
        try (BerthProcess forced = BerthProcess.start("-H", host, "--tls=false")) {
            Docker.Result version = new Docker(forced).run("-H", host, "version", "--format", "{{.Server.Os}}");
            assertEquals(0, version.exit(), version.toString());
            assertEquals("linux", version.trimmed());
            assertTrue(forced.logText().contains("WITHOUT TLS"), forced.logText());
        }
    }
}
