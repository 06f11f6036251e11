package io.berth.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Base of the integration tests: one real berthd per test class, with busybox imported, driven by
 * the stock docker CLI; stopped and cleaned up after the class even when tests fail.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DaemonTest {

    BerthProcess berth;
    Docker docker;

    /** A failed test's report carries the end of the daemon's log, which is deleted with its data root. */
    @RegisterExtension
    final TestWatcher daemonLogOnFailure = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            if (berth != null) {
                String log = berth.logText();
                System.err.println("---- berthd log of " + context.getDisplayName() + " (last 20000 chars) ----\n"
                        + log.substring(Math.max(0, log.length() - 20000)));
            }
        }
    };

    /** Whether the class needs busybox imported before its tests. */
    boolean importsBusybox() {
        return true;
    }

    /** The daemon's daemon.json. */
    String daemonJson() {
        return "{}\n";
    }

    /** Environment for {@code bin/berthd}, such as {@code BERTH_JAVA_OPTS}. */
    Map<String, String> daemonEnv() {
        return Map.of();
    }

    @BeforeAll
    void startDaemon() throws Exception {
        berth = BerthProcess.startWith(BerthProcess.repoRoot().resolve("bin/berthd"), daemonEnv(), daemonJson());
        docker = new Docker(berth);
        if (importsBusybox()) {
            Busybox.importInto(docker);
        }
    }

    @AfterAll
    void stopDaemon() throws Exception {
        if (berth != null) {
            berth.close();
        }
    }

    /** Runs the CLI and requires success; the failure message carries the output and the daemon's log. */
    Docker.Result ok(String... args) throws Exception {
        Docker.Result r = docker.run(args);
        assertEquals(0, r.exit(), () -> "docker " + String.join(" ", args) + "\n" + r + "\n" + berth.logText());
        return r;
    }

    JsonObject inspect(String name) throws Exception {
        return new JsonArray(ok("inspect", name).out()).getJsonObject(0);
    }
}
