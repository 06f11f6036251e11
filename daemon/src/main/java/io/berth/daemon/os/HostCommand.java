package io.berth.daemon.os;

import io.berth.errors.EngineException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs host tools (mount, ip, useradd) to completion; a non-zero exit is an INTERNAL error with their output. Blocking. */
public final class HostCommand {

    private HostCommand() {}

    /** Runs {@code cmd}; returns its output (stdout and stderr), trimmed. */
    public static String run(String... cmd) throws IOException {
        Process p = new ProcessBuilder(List.of(cmd)).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw EngineException.internal(String.join(" ", cmd) + " failed: " + out, null);
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", cmd), e);
        }
    }
}
