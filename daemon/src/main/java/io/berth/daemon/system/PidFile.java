package io.berth.daemon.system;

import io.berth.errors.EngineException;
import io.berth.errors.ErrorKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** berthd's PID file: refuses to start a second daemon on the same file, removed at exit. */
public final class PidFile {

    private final Path path;

    private PidFile(Path path) {
        this.path = path;
    }

    /**
     * Writes this process's PID to {@code path}.
     *
     * @throws EngineException FAILED_PRECONDITION when the file names a live process
     */
    public static PidFile acquire(Path path) throws IOException {
        if (Files.exists(path)) {
            String text = Files.readString(path).trim();
            try {
                long pid = Long.parseLong(text);
                if (pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    throw new EngineException(ErrorKind.FAILED_PRECONDITION, "pid file found, ensure berthd is not running or delete " + path);
                }
            } catch (NumberFormatException ignored) {
                // A damaged file from a crash: overwrite it.
            }
        }
        Files.createDirectories(path.getParent());
        Files.writeString(path, ProcessHandle.current().pid() + "\n");
        return new PidFile(path);
    }

    public void release() {
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // Nothing left to do at exit.
        }
    }
}
