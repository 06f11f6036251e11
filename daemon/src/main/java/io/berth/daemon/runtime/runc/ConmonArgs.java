package io.berth.daemon.runtime.runc;

import io.berth.daemon.runtime.CreateRequest;
import io.berth.daemon.runtime.ExecRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * conmon 2.1.6 command lines. conmon keeps its attach socket, {@code ctl} and {@code winsz} FIFOs in
 * the {@code -b} directory; {@code --full-attach} binds the socket there directly (through
 * {@code /proc/self/fd}, so any path length works) instead of via a symlink in a socket directory.
 * {@code --runtime-arg --root=…} keeps the container in Berth's private runc state directory.
 */
final class ConmonArgs {
    /** Names of the files conmon writes into a shim or exec-session directory. */
    static final String PIDFILE = "pidfile";
    static final String CONMON_PIDFILE = "conmon.pid";
    static final String ATTACH = "attach";
    static final String CTL = "ctl";
    static final String WINSZ = "winsz";
    static final String EXEC_LOG = "exec.log";

    private ConmonArgs() {}

    /** conmon runs {@code runc create}; the container's exit code goes to {@code exitDir/<id>}. */
    static List<String> create(Path conmon, Path runc, Path runcRoot, CreateRequest r) {
        List<String> a = common(conmon, runc, r.id(), r.id(), r.bundle());
        if (r.name() != null && !r.name().isEmpty()) {
            a.addAll(List.of("-n", r.name()));
        }
        a.addAll(List.of(
                "-p", r.shimDir().resolve(PIDFILE).toString(),
                "-0", r.shimDir().toString(), // persist dir: shimDir/exit and shimDir/oom
                "--exit-dir", r.exitDir().toString(),
                "-l", "k8s-file:" + r.logFile(),
                "--conmon-pidfile", r.shimDir().resolve(CONMON_PIDFILE).toString()));
        return finish(a, runcRoot, r.stdin(), r.tty());
    }

    /**
     * conmon runs {@code runc exec --detach}; with {@code attach} it waits on the start pipe before
     * running it. Exit files are named after {@code -c} (the container), so each session gets its own
     * exit directory: the session directory itself.
     */
    static List<String> exec(Path conmon, Path runc, Path runcRoot, ExecRequest r) {
        Path dir = r.sessionDir();
        List<String> a = common(conmon, runc, r.containerId(), r.execId(), dir);
        a.addAll(List.of(
                "-p", dir.resolve(PIDFILE).toString(),
                "--exit-dir", dir.toString(),
                "-l", "k8s-file:" + dir.resolve(EXEC_LOG),
                "--conmon-pidfile", dir.resolve(CONMON_PIDFILE).toString(),
                "-e", "--exec-process-spec", r.processJson().toString()));
        if (r.attach()) {
            a.add("--exec-attach");
        }
        return finish(a, runcRoot, r.stdin(), r.tty());
    }

    private static List<String> common(Path conmon, Path runc, String cid, String uuid, Path bundle) {
        return new ArrayList<>(List.of(conmon.toString(), "--api-version", "1", "-c", cid, "-u", uuid,
                "-r", runc.toString(), "-b", bundle.toString(), "--full-attach"));
    }

    private static List<String> finish(List<String> a, Path runcRoot, boolean stdin, boolean tty) {
        if (stdin) {
            a.add("-i");
        }
        if (tty) {
            a.add("-t");
        }
        a.addAll(List.of("--runtime-arg", "--root=" + runcRoot));
        return a;
    }
}
