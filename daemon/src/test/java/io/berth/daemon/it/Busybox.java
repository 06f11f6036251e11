package io.berth.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;

/** The busybox image the integration tests run: a rootfs tarball built once from busybox-static. */
public final class Busybox {

    private static Path tarball;

    private Busybox() {}

    public static synchronized Path tarball() throws Exception {
        if (tarball == null) {
            Path out = BerthProcess.repoRoot().resolve("daemon/target/busybox-rootfs.tar.gz");
            if (!Files.exists(out)) {
                Process p = new ProcessBuilder(BerthProcess.repoRoot().resolve("bin/busybox-rootfs").toString(),
                        out.toString()).inheritIO().start();
                assertEquals(0, p.waitFor(), "building the busybox rootfs");
            }
            tarball = out;
        }
        return tarball;
    }

    /** Imports busybox as {@code busybox:latest} into the daemon; returns the image id. */
    public static String importInto(Docker docker) throws Exception {
        Docker.Result r = docker.run("import", tarball().toString(), "busybox:latest");
        assertEquals(0, r.exit(), r.toString());
        return r.trimmed();
    }
}
