package io.berth.daemon.runtime.runc;

import static io.berth.daemon.runtime.runc.ConmonArgs.ATTACH;
import static io.berth.daemon.runtime.runc.ConmonArgs.CONMON_PIDFILE;
import static io.berth.daemon.runtime.runc.ConmonArgs.CTL;
import static io.berth.daemon.runtime.runc.ConmonArgs.WINSZ;

import io.berth.daemon.runtime.AttachConnection;
import io.berth.daemon.runtime.CreateRequest;
import io.berth.daemon.runtime.ExecProcess;
import io.berth.daemon.runtime.ExecRequest;
import io.berth.daemon.runtime.OciRuntime;
import io.berth.daemon.runtime.RuntimeState;
import io.berth.errors.EngineException;
import io.berth.errors.ErrorKind;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@link OciRuntime} on the host's runc, each container and exec session under its own conmon
 * (2.1.6), all in a private runc state directory so other engines on the host never see them.
 *
 * <p><b>Files.</b> conmon's {@code -b} is both runc's bundle and where conmon puts the attach socket
 * and the {@code ctl}/{@code winsz} FIFOs. When {@code shimDir} is not the bundle, {@link #create}
 * links {@code shimDir/attach}, {@code /ctl} and {@code /winsz} to them, so callers always use
 * {@code shimDir}. {@code shimDir} also gets {@code pidfile}, {@code conmon.pid}, and from conmon at
 * exit {@code exit} and, after an OOM kill, {@code oom}; those stay for the caller, who owns the
 * directory. {@link #delete} removes the FIFOs and leftover socket from the bundle and the links this
 * runtime made (links made before a daemon restart stay until the caller removes {@code shimDir}).
 *
 * <p><b>Threads.</b> Every method blocks its caller on child processes. Each exec session has one
 * daemon thread, {@code berth-exec-<execId>}, reading its exit code from conmon; it ends with the
 * session or on {@link #close}. Containers and sessions live on after the JVM drops this object or
 * exits: conmon is reparented to PID 1.
 */
public final class RuncRuntime implements OciRuntime, AutoCloseable {
    public static final Path DEFAULT_RUNC = Path.of("/usr/sbin/runc");
    public static final Path DEFAULT_CONMON = Path.of("/usr/bin/conmon");
    /** runc create on a loaded 2-core host takes well under a second; a minute means it hangs. */
    private static final long REPLY_TIMEOUT_MS = 60_000;
    /** How long a conmon that reported a failure gets to exit before it is killed. */
    private static final long EXIT_GRACE_MS = 5_000;
    private static final String CONMON_ERR = "conmon.err";
    private static final List<String> CONMON_FILES = List.of(ATTACH, CTL, WINSZ);
    private static final File DEV_NULL = new File("/dev/null");

    private final Path runc;
    private final Path conmon;
    private final Path runcRoot;
    /** Containers whose shimDir holds links into the bundle: id to shimDir. */
    private final Map<String, Path> linkedShimDirs = new ConcurrentHashMap<>();
    /** Bundles of containers created by this process: delete then needs no {@code runc state}. */
    private final Map<String, Path> bundles = new ConcurrentHashMap<>();
    /** Exec sessions whose conmon waits for an attach client: attach socket to start pipe. */
    private final Map<Path, PendingStart> unattached = new ConcurrentHashMap<>();
    private final Set<Thread> waiters = ConcurrentHashMap.newKeySet();
    /** Closing the write end hangs up the read end, which every exec waiter polls. */
    private final int[] wake = Fds.pipe();
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param runc     absolute path of runc, e.g. {@link #DEFAULT_RUNC}
     * @param conmon   absolute path of conmon, e.g. {@link #DEFAULT_CONMON}
     * @param runcRoot Berth's private runc state directory (made 0700 if missing), e.g. /run/berth/runc
     */
    public RuncRuntime(Path runc, Path conmon, Path runcRoot) {
        requireAbsolute(runc, conmon, runcRoot);
        this.runc = runc;
        this.conmon = conmon;
        this.runcRoot = runcRoot;
        try {
            if (!Files.isDirectory(runcRoot)) {
                Files.createDirectories(runcRoot, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            }
        } catch (IOException e) {
            Fds.close(wake[0]);
            Fds.close(wake[1]);
            throw EngineException.internal("cannot create runc root " + runcRoot, e);
        }
    }

    @Override
    public int create(CreateRequest r) {
        requireOpen();
        requireAbsolute(r.bundle(), r.shimDir(), r.exitDir(), r.logFile());
        // runc would refuse the id, but only after conmon had replaced the live container's FIFOs.
        if (Files.exists(runcRoot.resolve(r.id()))) {
            throw new EngineException(ErrorKind.ALREADY_EXISTS, "container " + r.id() + " already exists in runc");
        }
        Undo undo = new Undo(List.of(r.shimDir(), r.bundle()), r.logFile());
        boolean linked = !r.shimDir().normalize().equals(r.bundle().normalize());
        try {
            Files.createDirectories(r.shimDir());
            if (linked) {
                for (String name : CONMON_FILES) {
                    Files.deleteIfExists(r.shimDir().resolve(name)); // a previous run's dangling link
                    Files.createSymbolicLink(r.shimDir().resolve(name), r.bundle().resolve(name));
                }
            }
            int pid = spawnCreate(r);
            bundles.put(r.id(), r.bundle());
            if (linked) {
                linkedShimDirs.put(r.id(), r.shimDir());
            }
            return pid;
        } catch (IOException | RuntimeException e) {
            killShim(r.shimDir());
            runcQuietly("delete", "--force", r.id()); // the id was free before, so whatever is there is ours
            undo.run();
            throw e instanceof EngineException ee ? ee
                    : EngineException.internal("create " + r.id() + " failed: " + e.getMessage(), e);
        }
    }

    private int spawnCreate(CreateRequest r) {
        Path err = r.shimDir().resolve(CONMON_ERR);
        int[] sync = Fds.pipe();
        long child;
        try {
            child = Spawn.start(ConmonArgs.create(conmon, runc, runcRoot, r), r.shimDir(), err,
                    new int[] {sync[1]}, List.of("_OCI_SYNCPIPE=3"));
        } catch (RuntimeException e) {
            Fds.close(sync[0]);
            throw e;
        } finally {
            Fds.close(sync[1]); // only conmon may hold the write end, or EOF never comes
        }
        try (SyncPipe pipe = new SyncPipe(sync[0])) {
            int status = Spawn.awaitExit(child); // conmon forks its monitor and exits at once
            // One line only: EOF comes when the container exits, not when it is created.
            SyncMessage m = pipe.next(REPLY_TIMEOUT_MS, -1);
            if (m != null && m.data() > 0) {
                Files.deleteIfExists(err);
                return m.data();
            }
            pipe.drain(EXIT_GRACE_MS);
            throw RuncErrors.startFailure("create", m != null && m.message() != null ? m.message()
                    : "conmon exited (status " + status + ") without a report: " + readQuietly(err));
        } catch (TimeoutException e) {
            throw new EngineException(ErrorKind.DEADLINE_EXCEEDED,
                    "conmon did not report container " + r.id() + " within " + REPLY_TIMEOUT_MS + " ms");
        } catch (IOException e) {
            throw EngineException.internal("create " + r.id() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void start(String id) {
        runc("start", id);
    }

    @Override
    public void kill(String id, int signal) {
        if (signal < 1 || signal > 64) {
            throw EngineException.invalid("invalid signal " + signal);
        }
        runc("kill", id, Integer.toString(signal));
    }

    @Override
    public void pause(String id) {
        runc("pause", id);
    }

    @Override
    public void resume(String id) {
        runc("resume", id);
    }

    @Override
    public void delete(String id, boolean force) {
        Path known = bundles.remove(id);
        // After a daemon restart the bundle is only known while runc knows the container.
        JsonObject state = known != null
                ? (Files.isDirectory(runcRoot.resolve(id)) ? new JsonObject().put("bundle", known.toString()) : null)
                : stateJson(id);
        if (state != null) {
            try {
                if (force) {
                    runc("delete", "--force", id);
                } else {
                    runc("delete", id);
                }
            } catch (EngineException e) {
                if (e.kind() != ErrorKind.NOT_FOUND) {
                    throw e;
                }
            }
            removeConmonFiles(Path.of(state.getString("bundle")));
        }
        Path shimDir = linkedShimDirs.remove(id);
        if (shimDir != null) {
            removeConmonFiles(shimDir);
        }
    }

    @Override
    public RuntimeState state(String id) {
        JsonObject s = stateJson(id);
        return s == null ? null : toState(s);
    }

    @Override
    public List<RuntimeState> list() {
        String out = runc("list", "--format", "json").strip();
        if (out.isEmpty() || out.equals("null")) {
            return List.of();
        }
        List<RuntimeState> all = new ArrayList<>();
        for (Object o : new JsonArray(out)) {
            all.add(toState((JsonObject) o));
        }
        return all;
    }

    @Override
    public List<Integer> pids(String id) {
        String out = runc("ps", "--format", "json", id).strip();
        if (out.isEmpty() || out.equals("null")) {
            return List.of(); // runc's answer for a stopped container
        }
        List<Integer> pids = new ArrayList<>();
        for (Object o : new JsonArray(out)) {
            pids.add(((Number) o).intValue());
        }
        return pids;
    }

    /**
     * Starts the session's conmon. Without {@code attach} this returns once the process runs (its PID
     * known, or the error thrown). With {@code attach} it returns once the session's attach socket
     * listens; conmon holds {@code runc exec} back until {@link #attach} connects to that socket, so
     * the PID comes after that, and a start failure (such as a missing executable) fails the futures.
     */
    @Override
    public ExecProcess exec(ExecRequest r) {
        requireOpen();
        requireAbsolute(r.processJson(), r.sessionDir());
        Path dir = r.sessionDir();
        Undo undo = new Undo(List.of(dir), null);
        ConmonExec session = new ConmonExec(key(dir.resolve(ATTACH)));
        int[] sync = null;
        int[] start = null;
        int[] ready = null;
        SyncPipe pipe = null;
        try {
            Files.createDirectories(dir);
            sync = Fds.pipe();
            pipe = new SyncPipe(sync[0]);
            if (r.attach()) {
                start = Fds.pipe();
                ready = Fds.pipe();
            }
            long child = Spawn.start(ConmonArgs.exec(conmon, runc, runcRoot, r), dir, dir.resolve(CONMON_ERR),
                    r.attach() ? new int[] {sync[1], start[0], ready[1]} : new int[] {sync[1]},
                    r.attach() ? List.of("_OCI_SYNCPIPE=3", "_OCI_STARTPIPE=4", "_OCI_ATTACHPIPE=5")
                            : List.of("_OCI_SYNCPIPE=3"));
            closeChildEnds(sync, start, ready);
            if (r.attach()) {
                Fds.poke(start[1]); // the conmon parent reads the start pipe once before it forks
            }
            int status = Spawn.awaitExit(child);
            SyncMessage m;
            if (r.attach()) {
                m = new SyncPipe(ready[0]).next(REPLY_TIMEOUT_MS, -1); // {"data": 0}: the socket listens
            } else {
                m = pipe.next(REPLY_TIMEOUT_MS, -1); // {"data": PID}: runc exec has started the process
            }
            if (m == null || (!r.attach() && m.data() <= 0)) {
                SyncMessage error = r.attach() ? pipe.next(EXIT_GRACE_MS, -1) : m;
                pipe.drain(EXIT_GRACE_MS);
                throw RuncErrors.startFailure("exec", error != null && error.message() != null ? error.message()
                        : "conmon exited (status " + status + ") without a report: " + readQuietly(dir.resolve(CONMON_ERR)));
            }
            Files.deleteIfExists(dir.resolve(CONMON_ERR)); // conmon's stdio is /dev/null from here on
            if (r.attach()) {
                Fds.close(ready[0]);
                ready[0] = -1;
                unattached.put(session.attachSocket(), new PendingStart(start[1], dir));
            } else {
                session.pid().complete(m.data());
            }
            SyncPipe owned = pipe;
            Thread waiter = Thread.ofPlatform().daemon().name("berth-exec-" + r.execId())
                    .unstarted(() -> await(session, owned, r));
            waiters.add(waiter);
            waiter.start();
            return session;
        } catch (IOException | TimeoutException | RuntimeException e) {
            if (pipe != null) {
                pipe.close();
            } else if (sync != null) {
                Fds.close(sync[0]);
            }
            closeAll(sync, start, ready);
            unattached.remove(session.attachSocket());
            killShim(dir);
            undo.run();
            if (e instanceof EngineException ee) {
                throw ee;
            }
            throw e instanceof TimeoutException
                    ? new EngineException(ErrorKind.DEADLINE_EXCEEDED, "conmon did not report exec " + r.execId())
                    : EngineException.internal("exec " + r.execId() + " failed: " + e.getMessage(), e);
        }
    }

    /** The exec waiter: reads the PID (if not known yet) and the exit code from the session's sync pipe. */
    private void await(ConmonExec session, SyncPipe pipe, ExecRequest r) {
        try (pipe) {
            if (!session.pid().isDone()) {
                SyncMessage m = pipe.next(-1, wake[0]);
                if (m == null || m.data() <= 0) {
                    session.fail(RuncErrors.startFailure("exec", m != null && m.message() != null ? m.message()
                            : "conmon exited without a report"));
                    return;
                }
                session.pid().complete(m.data());
            }
            SyncMessage m = pipe.next(-1, wake[0]);
            Integer code = m != null ? Integer.valueOf(m.data()) : exitFile(r.sessionDir().resolve(r.containerId()));
            if (code != null) {
                session.exitCode().complete(code);
            } else {
                session.fail(EngineException.internal("conmon of exec " + r.execId() + " exited without an exit code", null));
            }
        } catch (CancellationException e) {
            session.fail(new EngineException(ErrorKind.UNAVAILABLE,
                    "the runtime stopped waiting for exec " + r.execId() + " (it goes on under conmon)"));
        } catch (TimeoutException | RuntimeException e) {
            session.fail(EngineException.internal("waiting for exec " + r.execId() + " failed", e));
        } finally {
            PendingStart never = unattached.remove(session.attachSocket());
            if (never != null) {
                Fds.close(never.fd());
            }
            removeConmonFiles(r.sessionDir());
            waiters.remove(Thread.currentThread());
        }
    }

    /** Connects; if an exec session waits for this client, lets its conmon start the process. */
    @Override
    public AttachConnection attach(Path attachSocket) {
        SeqpacketAttach connection = SeqpacketAttach.connect(attachSocket);
        PendingStart pending = unattached.remove(key(attachSocket));
        if (pending != null) {
            Fds.poke(pending.fd());
            Fds.close(pending.fd());
        }
        return connection;
    }

    /** Writes {@code "1 H W\n"} to conmon's ctl FIFO; opening it non-blocking fails if conmon is gone. */
    @Override
    public void resize(Path shimDir, int height, int width) {
        if (height <= 0 || width <= 0 || height > 0xffff || width > 0xffff) {
            throw EngineException.invalid("invalid terminal size " + height + "x" + width);
        }
        Path ctl = shimDir.resolve(CTL);
        int fd = LibC.INSTANCE.open(ctl.toString(), LibC.O_WRONLY | LibC.O_NONBLOCK | LibC.O_CLOEXEC, 0);
        if (fd < 0) {
            int errno = LibC.errno();
            String error = LibC.error("open " + ctl);
            throw errno == LibC.ENXIO || errno == LibC.ENOENT
                    ? EngineException.conflict("cannot resize: the process is not running (" + error + ")")
                    : EngineException.internal(error, null);
        }
        try {
            byte[] line = ("1 " + height + " " + width + "\n").getBytes(StandardCharsets.US_ASCII);
            if (LibC.INSTANCE.write(fd, line, line.length) != line.length) {
                throw new EngineException(ErrorKind.UNAVAILABLE, LibC.error("write " + ctl));
            }
        } finally {
            Fds.close(fd);
        }
    }

    /**
     * Stops the exec waiter threads (their futures fail with UNAVAILABLE; the processes go on under
     * conmon) and kills the conmon of each exec session still waiting for its attach client, whose
     * process never started. Containers are not touched.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (Path socket : List.copyOf(unattached.keySet())) {
            PendingStart p = unattached.remove(socket);
            if (p != null) {
                killShim(p.sessionDir());
                Fds.close(p.fd());
            }
        }
        Fds.close(wake[1]);
        for (Thread t : List.copyOf(waiters)) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        Fds.close(wake[0]);
    }

    private JsonObject stateJson(String id) {
        // runc keeps a directory per container under its root: without one, asking runc is wasted time.
        if (!Files.isDirectory(runcRoot.resolve(id))) {
            return null;
        }
        try {
            return new JsonObject(runc("state", id));
        } catch (EngineException e) {
            if (e.kind() == ErrorKind.NOT_FOUND) {
                return null;
            }
            throw e;
        }
    }

    private static RuntimeState toState(JsonObject s) {
        return new RuntimeState(s.getString("id"), s.getString("status"), s.getInteger("pid", 0));
    }

    /** Runs {@code runc --root ROOT args…} and returns its stdout; a failure carries its stderr. */
    private String runc(String... args) {
        List<String> command = new ArrayList<>(List.of(runc.toString(), "--root", runcRoot.toString()));
        command.addAll(Arrays.asList(args));
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(DEV_NULL));
            pb.environment().keySet().removeAll(Spawn.DROPPED_ENV);
            Process p = pb.start();
            byte[] out = p.getInputStream().readAllBytes(); // runc's stderr is a line or two: no pipe deadlock
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw RuncErrors.failure(args[0], err);
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw EngineException.internal("cannot run " + runc + " " + args[0], e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw EngineException.internal("interrupted while running runc " + args[0], e);
        }
    }

    private void runcQuietly(String... args) {
        try {
            runc(args);
        } catch (EngineException e) {
            // Cleanup of something that may well not exist.
        }
    }

    /** Kills the conmon whose PID is in {@code dir/conmon.pid}, if that process still is a conmon. */
    private static void killShim(Path dir) {
        try {
            int pid = Integer.parseInt(Files.readString(dir.resolve(CONMON_PIDFILE)).strip());
            if (Files.readString(Path.of("/proc", Integer.toString(pid), "comm")).strip().equals("conmon")) {
                LibC.INSTANCE.kill(pid, LibC.SIGKILL);
            }
        } catch (IOException | NumberFormatException e) {
            // No conmon was started, or it is gone already.
        }
    }

    /** conmon leaves its FIFOs (and the socket, if it was killed) behind after the exit. */
    private static void removeConmonFiles(Path dir) {
        for (String name : CONMON_FILES) {
            try {
                Files.deleteIfExists(dir.resolve(name));
            } catch (IOException e) {
                // Nothing else to do about it; the caller removes the directory eventually.
            }
        }
    }

    private static Integer exitFile(Path file) {
        try {
            return Integer.valueOf(Files.readString(file).strip());
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            return "";
        }
    }

    /** Closes the ends conmon got; only conmon may hold them, or EOF never comes. */
    private static void closeChildEnds(int[] sync, int[] start, int[] ready) {
        Fds.close(sync[1]);
        sync[1] = -1;
        if (start != null) {
            Fds.close(start[0]);
            Fds.close(ready[1]);
            start[0] = -1;
            ready[1] = -1;
        }
    }

    /** Closes what is left of {@code sync}'s write end and the other pipes after a failed exec. */
    private static void closeAll(int[] sync, int[] start, int[] ready) {
        if (sync != null) {
            Fds.close(sync[1]);
        }
        for (int[] pipe : new int[][] {start, ready}) {
            if (pipe != null) {
                Fds.close(pipe[0]);
                Fds.close(pipe[1]);
            }
        }
    }

    private static Path key(Path socket) {
        return socket.toAbsolutePath().normalize();
    }

    private void requireOpen() {
        if (closed.get()) {
            throw new EngineException(ErrorKind.UNAVAILABLE, "the runtime is closed");
        }
    }

    private static void requireAbsolute(Path... paths) {
        for (Path p : paths) {
            if (!p.isAbsolute()) {
                throw EngineException.invalid("conmon needs absolute paths, got " + p); // it fails silently otherwise
            }
        }
    }

    /** An exec session's start pipe, held until its first attach client connects. */
    private record PendingStart(int fd, Path sessionDir) {}
}
