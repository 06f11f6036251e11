package io.berth.daemon.it;

import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * What a Testcontainers user runs: a GenericContainer with an exposed port, waited for until it
 * listens, then read through its mapped port. Run by {@link TestcontainersIT} in a JVM of its own,
 * whose environment points Testcontainers at the test's berthd.
 */
public final class TestcontainersProbe {

    private TestcontainersProbe() {}

    public static void main(String[] args) throws Exception {
        try (GenericContainer<?> c = new GenericContainer<>(DockerImageName.parse("busybox:latest"))
                .withCommand("sh", "-c", "mkdir -p /www && echo tc-ok > /www/index.html && exec httpd -f -p 8080 -h /www")
                .withExposedPorts(8080)
                // Waits for the mapped port to serve from the host. (Wait.forListeningPort also execs a
                // check inside the container, through an exec start that docker-java sends without an
                // HTTP upgrade, which berthd does not take yet.)
                .waitingFor(Wait.forHttp("/").forPort(8080).forStatusCode(200))
                .withStartupTimeout(Duration.ofSeconds(60))) {
            c.start();
            int port = c.getMappedPort(8080);
            String text;
            try (Socket s = new Socket(c.getHost(), port)) {
                s.setSoTimeout(5000);
                s.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                InputStream in = s.getInputStream();
                String reply = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                text = reply.substring(reply.indexOf("\r\n\r\n") + 4).trim();
            }
            System.out.println("PROBE host=" + c.getHost() + " port=" + port + " id=" + c.getContainerId()
                    + " answer=" + text);
        }
    }
}
