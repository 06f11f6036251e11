package io.berth.daemon.runtime.runc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.berth.errors.EngineException;
import io.berth.errors.ErrorKind;
import org.junit.jupiter.api.Test;

class RuncErrorsTest {

    private static String line(String msg) {
        return "time=\"2026-11-23T08:07:41Z\" level=error msg=\"" + msg + "\"\n";
    }

    @Test
    void messagesAreUnquotedFromLogrusLines() {
        assertEquals("exec: \"/x\": stat /x: no such file or directory",
                RuncErrors.message(line("exec: \\\"/x\\\": stat /x: no such file or directory")));
        assertEquals("a; b", RuncErrors.message(line("a") + line("b")));
        assertEquals("plain text", RuncErrors.message("  plain text\n"));
    }

    @Test
    void runcsWordingIsClassified() {
        // Seen with runc 1.1.5 on this machine.
        assertEquals(ErrorKind.NOT_FOUND, RuncErrors.failure("kill", line("container does not exist")).kind());
        assertEquals(ErrorKind.NOT_FOUND, RuncErrors.failure("exec", line("exec failed: container does not exist")).kind());
        for (String conflict : new String[] {"container not running", "container not paused",
                "cannot start an already running container", "cannot start a container that has stopped",
                "cannot start a container in the paused state", "cannot delete container c1 that is not stopped: running",
                "exec failed: cannot exec in a stopped container",
                "exec failed: cannot exec in a paused container (use --ignore-paused to override)"}) {
            assertEquals(ErrorKind.CONFLICT, RuncErrors.failure("x", line(conflict)).kind(), conflict);
        }
        assertEquals(ErrorKind.ALREADY_EXISTS,
                RuncErrors.failure("create", line("runc create failed: container with given ID already exists")).kind());
        assertEquals(ErrorKind.INTERNAL, RuncErrors.failure("pause", line("something odd")).kind());
    }

    @Test
    void aCommandThatCannotRunIsTheCallersMistake() {
        EngineException e = RuncErrors.startFailure("create", line("runc create failed: unable to start container process: "
                + "exec: \\\"nope\\\": executable file not found in $PATH"));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertEquals("OCI runtime create failed: runc create failed: unable to start container process: "
                + "exec: \"nope\": executable file not found in $PATH", e.getMessage());
        assertEquals(ErrorKind.INTERNAL, RuncErrors.startFailure("create", line("cgroup: permission denied")).kind());
        assertEquals(ErrorKind.CONFLICT,
                RuncErrors.startFailure("exec", line("exec failed: cannot exec in a stopped container")).kind());
    }
}
