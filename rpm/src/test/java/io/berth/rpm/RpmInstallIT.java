package io.berth.rpm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.daemon.it.BerthProcess;
import io.berth.daemon.it.Busybox;
import io.berth.daemon.it.Docker;
import io.berth.daemon.it.NotifySocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The RPM installed into a temporary root ({@code rpm -i --root}) runs containers: its berthd,
 * started without systemd but with a {@code NOTIFY_SOCKET} this test binds, says READY=1, runs
 * {@code docker run --rm busybox echo hi} for the stock docker CLI, and says STOPPING=1 on SIGTERM.
 * Needs root (rpm --root, real containers). The root, the daemon's directories, its containers and
 * their mounts are removed afterwards, also when the test fails.
 */
class RpmInstallIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void theInstalledDaemonRunsAContainerAndTalksToSystemd() throws Exception {
        Path install = Files.createTempDirectory(Path.of("/tmp"), "berth-rpm-root");
        try (NotifySocket notify = new NotifySocket(install.resolveSibling(install.getFileName() + ".notify").toString())) {
            // --noscripts: the scriptlets need a system in the root (sh, groupadd, systemctl);
            // RpmContentsTest checks them. --nodeps: the root has no runc, conmon or JDK packages.
            Rpm.Result r = Rpm.run(Map.of(), "rpm", "-i", "--root", install.toString(), "--nodeps", "--noscripts",
                    Rpm.built().toString());
            assertEquals(0, r.exit(), r.out());
            Path launcher = install.resolve("usr/bin/berthd");
            assertTrue(Files.isExecutable(launcher));
            // What %pre and %post make, from the package's own sysusers.d and tmpfiles.d files.
            r = Rpm.run(Map.of(), "systemd-sysusers", "--root=" + install, "berth.conf");
            assertEquals(0, r.exit(), r.out());
            assertTrue(Files.readAllLines(install.resolve("etc/group")).stream().anyMatch(l -> l.startsWith("berth:x:")));
            r = Rpm.run(Map.of(), "systemd-tmpfiles", "--root=" + install, "--create", "berth.conf");
            assertEquals(0, r.exit(), r.out());
            assertEquals("rwx--x--x", PosixFilePermissions.toString(Files.getPosixFilePermissions(install.resolve("run/berth"))));

            try (BerthProcess berth = BerthProcess.startWith(launcher,
                    Map.of("NOTIFY_SOCKET", notify.address(), "JAVA_HOME", System.getProperty("java.home")), "{}\n",
                    "--policy-dir", install.resolve("etc/berth/policies").toString())) {
                notify.await("READY=1", WAIT);
                Docker docker = new Docker(berth);
                Busybox.importInto(docker);
                Docker.Result run = docker.run("run", "--rm", "busybox", "echo", "hi");
                assertEquals(0, run.exit(), run + "\n" + berth.logText());
                assertEquals("hi", run.trimmed());

                ProcessHandle daemon = ProcessHandle.of(berth.pid()).orElseThrow();
                assertTrue(daemon.destroy(), "SIGTERM to berthd");
                notify.await("STOPPING=1", WAIT);
                daemon.onExit().get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertTrue(berth.logText().contains("berthd stopped"), berth.logText());
            }
        } finally {
            Rpm.run(Map.of(), "rm", "-rf", "--one-file-system", install.toString());
        }
    }
}
