package io.berth.daemon.runtime.runc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import io.berth.daemon.runtime.AttachConnection;
import io.berth.daemon.runtime.AttachConnection.Packet;
import io.berth.daemon.runtime.CreateRequest;
import io.berth.daemon.runtime.ExecProcess;
import io.berth.daemon.runtime.ExecRequest;
import io.berth.daemon.runtime.ExitMonitor.ExitNotice;
import io.berth.daemon.runtime.RuntimeState;
import io.berth.errors.EngineException;
import io.berth.errors.ErrorKind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link RuncRuntime} and {@link ExitFileMonitor} against the host's runc and conmon; needs root (CI
 * runs as root). Each test has its own runc root, exit directory and bundles under a short temp
 * directory, and its cleanup runs even when it fails: force-deletes its containers, closes the
 * runtime and monitor, then fails if a process started under its runc root, a container process, a
 * thread or a cgroup of its own is left (killing and removing them first).
 */
// A separate thread, so a test stuck in a native call fails instead of hanging the build.
@Timeout(value = 90, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RuncRuntimeIT {
    private static final long MEMORY = 64L << 20;
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static final Map<String, List<Long>> TIMINGS = new ConcurrentHashMap<>();
    private static Path base;
    private static Path rootfs;

    private Path dir;
    private Path runcRoot;
    private Path exits;
    private RuncRuntime runtime;
    private ExitFileMonitor monitor;
    private final Map<String, ExitNotice> exited = new ConcurrentHashMap<>();
    private final Map<String, Long> exitSeenAtNanos = new ConcurrentHashMap<>();
    private final List<String> ids = new ArrayList<>();
    private final List<Integer> containerPids = new ArrayList<>();
    private final List<Output> outputs = new ArrayList<>();
    private Set<Thread> threadsBefore;

    record Ctr(String id, Path bundle, Path shimDir, Path log, int pid) {}

    @BeforeAll
    static void buildRootfs() throws Exception {
        assertEquals(0, (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid"), "these tests need root");
        base = Files.createTempDirectory(Path.of("/tmp"), "bit"); // short, so socket paths stay short
        rootfs = TestBundles.busyboxRootfs(base.resolve("rootfs"));
        // jnr starts JVM-wide helper threads on first use; start them before any test counts threads.
        Class.forName(Spawn.class.getName(), true, RuncRuntimeIT.class.getClassLoader());
        try (RuncRuntime warm = new RuncRuntime(RuncRuntime.DEFAULT_RUNC, RuncRuntime.DEFAULT_CONMON, base.resolve("warm"))) {
            assertEquals(List.of(), warm.list());
        }
    }

    @AfterAll
    static void removeRootfs() throws IOException {
        deleteTree(base);
        for (Path cg : cgroupDirs("")) {
            rmdirQuietly(cg); // the shared /berth-test parents: runc delete leaves them
        }
        TIMINGS.forEach((what, ms) -> System.out.printf("[timing] %-22s n=%d median=%.1f ms min=%.1f max=%.1f%n", what,
                ms.size(), median(ms) / 1e6, ms.stream().mapToLong(x -> x).min().orElse(0) / 1e6,
                ms.stream().mapToLong(x -> x).max().orElse(0) / 1e6));
    }

    @BeforeEach
    void setUp() throws IOException {
        threadsBefore = liveThreads();
        dir = Files.createDirectories(base.resolve("t" + SEQ.incrementAndGet()));
        runcRoot = dir.resolve("runc");
        exits = dir.resolve("exits");
        runtime = new RuncRuntime(RuncRuntime.DEFAULT_RUNC, RuncRuntime.DEFAULT_CONMON, runcRoot);
        monitor = new ExitFileMonitor(exits, id -> dir.resolve("s").resolve(id));
        monitor.start(n -> {
            exitSeenAtNanos.putIfAbsent(n.id(), epochNanos());
            exited.put(n.id(), n);
        });
    }

    @AfterEach
    void cleanUp() throws Exception {
        List<String> problems = new ArrayList<>();
        outputs.forEach(Output::close);
        for (String id : ids) {
            try {
                runtime.delete(id, true);
            } catch (RuntimeException e) {
                problems.add("delete " + id + ": " + e);
                new ProcessBuilder("/usr/sbin/runc", "--root", runcRoot.toString(), "delete", "--force", id)
                        .inheritIO().start().waitFor();
            }
        }
        runtime.close();
        monitor.close();
        List<ProcessHandle> shims = awaitGone(() -> processesMentioning(runcRoot.toString()));
        if (!shims.isEmpty()) {
            problems.add("left running under our runc root: " + shims.stream().map(p -> p.pid() + " "
                    + p.info().commandLine().orElse("?")).toList());
            shims.forEach(ProcessHandle::destroyForcibly);
        }
        List<ProcessHandle> containers = awaitGone(() -> containerPids.stream().map(ProcessHandle::of)
                .flatMap(h -> h.stream()).filter(ProcessHandle::isAlive).toList());
        if (!containers.isEmpty()) {
            problems.add("container processes left: " + containers.stream().map(ProcessHandle::pid).toList());
            containers.forEach(ProcessHandle::destroyForcibly);
        }
        for (String id : ids) {
            for (Path cg : cgroupDirs(id)) {
                problems.add("cgroup left: " + cg);
                rmdirQuietly(cg);
            }
        }
        Set<String> leaked = awaitThreadsGone();
        if (!leaked.isEmpty()) {
            problems.add("threads left: " + leaked);
        }
        deleteTree(dir);
        if (!problems.isEmpty()) {
            fail(String.join("\n", problems));
        }
    }

    // ---- the tests ----------------------------------------------------------------------------

    @Test
    void exitCodesReachTheExitDirectory() throws Exception {
        Ctr zero = run(false, false, "sh", "-c", "exit 0");
        Ctr three = run(false, false, "sh", "-c", "exit 3");
        assertEquals(0, awaitExit(zero.id()).exitCode());
        assertEquals(3, awaitExit(three.id()).exitCode());

        Ctr killed = run(false, false, "sleep", "100");
        runtime.kill(killed.id(), 9);
        assertEquals(137, awaitExit(killed.id()).exitCode());

        // PID 1 of a pid namespace ignores signals it has no handler for, SIGTERM included: a
        // program that wants 143 on SIGTERM traps it (as Docker images with a real init do).
        Ctr termed = run(false, false, "sh", "-c", "trap 'exit 143' TERM; echo ready; sleep 100 & wait");
        awaitLog(termed.log(), "stdout F ready");
        runtime.kill(termed.id(), 15);
        ExitNotice n = awaitExit(termed.id());
        assertEquals(143, n.exitCode());
        assertFalse(n.oomKilled());
        assertEquals("143", Files.readString(termed.shimDir().resolve("exit")), "conmon's persist-dir copy");
    }

    @Test
    void outputGoesToTheK8sFileLogWithShimDirAsBundle() throws Exception {
        Ctr c = create(runtime, true, false, false, MEMORY, "sh", "-c", "echo out1; echo err1 >&2; printf partial");
        start(c);
        assertEquals(0, awaitExit(c.id()).exitCode());
        List<String> lines = Files.readAllLines(c.log());
        assertEquals(3, lines.size(), lines.toString());
        assertTrue(lines.get(0).matches("\\d{4}-\\d\\d-\\d\\dT\\S+ stdout F out1"), lines.get(0));
        assertTrue(lines.stream().anyMatch(l -> l.endsWith(" stderr F err1")), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.endsWith(" stdout P partial")), lines.toString());
    }

    @Test
    void attachSeparatesStdoutFromStderrAndFeedsStdin() throws Exception {
        Ctr c = create(runtime, false, false, true, MEMORY, "sh", "-c",
                "read l; echo \"got:$l\"; echo \"err:$l\" >&2; exec cat");
        Output out = attach(c.shimDir().resolve("attach")); // before start: output is not replayed
        start(c);
        out.write("hello\n");
        out.await(o -> o.stdout().contains("got:hello\n") && o.stderr().contains("err:hello\n"));
        out.write("more\n");
        out.await(o -> o.stdout().endsWith("more\n"));
        out.connection.closeStdin();
        out.awaitEof();
        assertEquals("got:hello\nmore\n", out.stdout());
        assertEquals("err:hello\n", out.stderr());
        assertEquals(0, awaitExit(c.id()).exitCode());
    }

    @Test
    void terminalOutputComesOnStdoutAndResizeReachesThePty() throws Exception {
        Ctr c = create(runtime, false, true, true, MEMORY, "sh", "-c",
                "while read a; do [ \"$a\" = q ] && exit 5; stty size; done");
        Output out = attach(c.shimDir().resolve("attach"));
        start(c);
        awaitSize(out, c.shimDir(), 30, 100);
        awaitSize(out, c.shimDir(), 50, 132);
        out.write("q\n");
        out.awaitEof();
        assertEquals("", out.stderr(), "a terminal has one stream");
        assertTrue(out.stdout().contains("50 132\r\n"), "the pty turns \\n into \\r\\n: " + out.stdout());
        assertEquals(5, awaitExit(c.id()).exitCode());
    }

    @Test
    void pauseResumeStateListAndPids() throws Exception {
        Ctr c = run(false, false, "sleep", "100");
        assertEquals(new RuntimeState(c.id(), "running", c.pid()), runtime.state(c.id()));
        assertTrue(runtime.list().contains(new RuntimeState(c.id(), "running", c.pid())));
        assertEquals(List.of(c.pid()), runtime.pids(c.id()));
        runtime.pause(c.id());
        assertEquals("paused", runtime.state(c.id()).status());
        assertEquals(ErrorKind.CONFLICT, assertThrows(EngineException.class, () -> runtime.start(c.id())).kind());
        runtime.resume(c.id());
        assertEquals("running", runtime.state(c.id()).status());
        assertEquals(ErrorKind.CONFLICT, assertThrows(EngineException.class, () -> runtime.resume(c.id())).kind());
        runtime.kill(c.id(), 9);
        assertEquals(137, awaitExit(c.id()).exitCode());
        assertEquals(new RuntimeState(c.id(), "stopped", 0), runtime.state(c.id()));
        assertEquals(List.of(), runtime.pids(c.id()));
        assertEquals(ErrorKind.CONFLICT, assertThrows(EngineException.class, () -> runtime.kill(c.id(), 9)).kind());
        assertEquals(ErrorKind.CONFLICT, assertThrows(EngineException.class, () -> runtime.pause(c.id())).kind());
    }

    @Test
    void deleteCleansConmonFilesAndIsIdempotent() throws Exception {
        Ctr c = run(false, true, "sleep", "100");
        for (String name : List.of("attach", "ctl", "winsz")) {
            assertTrue(Files.isSymbolicLink(c.shimDir().resolve(name)), name);
            assertTrue(Files.exists(c.bundle().resolve(name)), name);
        }
        EngineException running = assertThrows(EngineException.class, () -> runtime.delete(c.id(), false));
        assertEquals(ErrorKind.CONFLICT, running.kind());
        assertTrue(running.getMessage().contains("not stopped"), running.getMessage());
        runtime.kill(c.id(), 9);
        awaitExit(c.id());
        awaitResizeRefused(c.shimDir());
        runtime.delete(c.id(), false);
        assertNull(runtime.state(c.id()));
        assertEquals(Set.of("config.json"), names(c.bundle()));
        assertEquals(Set.of("pidfile", "conmon.pid", "exit"), names(c.shimDir()));
        runtime.delete(c.id(), false);
        runtime.delete("never-was", true);
        assertEquals(ErrorKind.NOT_FOUND, assertThrows(EngineException.class, () -> runtime.start(c.id())).kind());
        assertEquals(ErrorKind.CONFLICT, assertThrows(EngineException.class,
                () -> runtime.attach(c.shimDir().resolve("attach"))).kind());
    }

    @Test
    void execReportsPidExitCodeAndLogsOutput() throws Exception {
        Ctr c = run(false, false, "sleep", "100");
        Path session = dir.resolve("x/e1");
        Path spec = TestBundles.writeProcess(dir.resolve("x/e1.json"), false, "sh", "-c",
                "echo exec-out; echo exec-err >&2; exit 42");
        long t0 = System.nanoTime();
        ExecProcess e = runtime.exec(new ExecRequest(c.id(), "e1", spec, session, false, false, false));
        timing("exec (spawn to pid)", t0);
        assertTrue(e.pid().isDone(), "without --exec-attach the pid is known when exec returns");
        assertTrue(e.pid().get() > 0);
        assertEquals(42, e.exitCode().get(10, TimeUnit.SECONDS));
        timing("exec (spawn to exit)", t0);
        String log = Files.readString(session.resolve("exec.log"));
        assertTrue(log.contains(" stdout F exec-out\n") && log.contains(" stderr F exec-err\n"), log);
        assertFalse(exited.containsKey(c.id()), "an exec's exit is not the container's");
        assertTrue(awaitTrue(() -> !Files.exists(session.resolve("ctl"))), "FIFOs removed after the session");
    }

    @Test
    void execAttachWaitsForTheClientBeforeStarting() throws Exception {
        Ctr c = run(false, false, "sleep", "100");
        Path spec = TestBundles.writeProcess(dir.resolve("x/e2.json"), false, "sh", "-c",
                "echo exec-out; echo exec-err >&2; exit 42");
        ExecProcess e = runtime.exec(new ExecRequest(c.id(), "e2", spec, dir.resolve("x/e2"), false, false, true));
        Thread.sleep(300);
        assertFalse(e.pid().isDone(), "conmon holds runc exec back until a client attaches");
        assertEquals(List.of(c.pid()), runtime.pids(c.id()), "nothing started yet");
        long t0 = System.nanoTime();
        Output out = attach(e.attachSocket());
        assertTrue(e.pid().get(10, TimeUnit.SECONDS) > 0);
        timing("exec-attach (attach to pid)", t0);
        out.awaitEof();
        assertEquals("exec-out\n", out.stdout());
        assertEquals("exec-err\n", out.stderr());
        assertEquals(42, e.exitCode().get(10, TimeUnit.SECONDS));
    }

    @Test
    void execAttachWithStdinAndWithATerminal() throws Exception {
        Ctr c = run(false, false, "sleep", "100");
        Path catSpec = TestBundles.writeProcess(dir.resolve("x/e3.json"), false, "cat");
        ExecProcess cat = runtime.exec(new ExecRequest(c.id(), "e3", catSpec, dir.resolve("x/e3"), false, true, true));
        Output catOut = attach(cat.attachSocket());
        catOut.write("ping\n");
        catOut.await(o -> o.stdout().equals("ping\n"));
        catOut.connection.closeStdin();
        catOut.awaitEof();
        assertEquals(0, cat.exitCode().get(10, TimeUnit.SECONDS));

        Path ttySpec = TestBundles.writeProcess(dir.resolve("x/e4.json"), true, "sh", "-c",
                "tty; while read a; do [ \"$a\" = q ] && exit 7; stty size; done");
        Path session = dir.resolve("x/e4");
        ExecProcess tty = runtime.exec(new ExecRequest(c.id(), "e4", ttySpec, session, true, true, true));
        Output ttyOut = attach(tty.attachSocket());
        ttyOut.await(o -> o.stdout().contains("/dev/pts/"));
        awaitSize(ttyOut, session, 20, 70);
        ttyOut.write("q\n");
        ttyOut.awaitEof();
        assertEquals(7, tty.exitCode().get(10, TimeUnit.SECONDS));
    }

    @Test
    void execFailuresCarryRuncsMessage() throws Exception {
        Ctr c = run(false, false, "sleep", "100");
        Path spec = TestBundles.writeProcess(dir.resolve("x/bad.json"), false, "/nonexistent");
        Path session = dir.resolve("x/bad");
        EngineException e = assertThrows(EngineException.class,
                () -> runtime.exec(new ExecRequest(c.id(), "bad", spec, session, false, false, false)));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage().contains("exec: \"/nonexistent\""), e.getMessage());
        assertFalse(Files.exists(session), "as if never attempted");

        ExecProcess attached = runtime.exec(new ExecRequest(c.id(), "bad2", spec, dir.resolve("x/bad2"), false, false, true));
        Output out = attach(attached.attachSocket());
        ExecutionException late = assertThrows(ExecutionException.class, () -> attached.pid().get(10, TimeUnit.SECONDS));
        assertEquals(ErrorKind.INVALID_ARGUMENT, assertInstanceOf(EngineException.class, late.getCause()).kind());
        assertThrows(ExecutionException.class, () -> attached.exitCode().get(10, TimeUnit.SECONDS));
        out.awaitEof();

        EngineException unknown = assertThrows(EngineException.class, () -> runtime.exec(
                new ExecRequest("no-such-container", "x", spec, dir.resolve("x/none"), false, false, false)));
        assertEquals(ErrorKind.NOT_FOUND, unknown.kind());
    }

    @Test
    void closeEndsExecWaitersAndAbandonsSessionsNobodyAttachedTo() throws Exception {
        Ctr c = run(false, false, "sleep", "100");
        Path sleepSpec = TestBundles.writeProcess(dir.resolve("x/s.json"), false, "sleep", "100");
        ExecProcess running = runtime.exec(new ExecRequest(c.id(), "s1", sleepSpec, dir.resolve("x/s1"), false, false, false));
        ExecProcess waiting = runtime.exec(new ExecRequest(c.id(), "s2", sleepSpec, dir.resolve("x/s2"), false, false, true));
        int waitingConmon = Integer.parseInt(Files.readString(dir.resolve("x/s2/conmon.pid")).strip());
        runtime.close();
        ExecutionException e = assertThrows(ExecutionException.class, () -> running.exitCode().get(10, TimeUnit.SECONDS));
        assertEquals(ErrorKind.UNAVAILABLE, assertInstanceOf(EngineException.class, e.getCause()).kind());
        assertThrows(ExecutionException.class, () -> waiting.pid().get(10, TimeUnit.SECONDS));
        assertTrue(awaitTrue(() -> ProcessHandle.of(waitingConmon).map(p -> !p.isAlive()).orElse(true)),
                "the conmon of a session that never started is killed");
        assertTrue(ProcessHandle.of(running.pid().get()).map(ProcessHandle::isAlive).orElse(false),
                "a started exec goes on under its conmon");
        assertEquals(ErrorKind.UNAVAILABLE, assertThrows(EngineException.class, () -> runtime.exec(
                new ExecRequest(c.id(), "s3", sleepSpec, dir.resolve("x/s3"), false, false, false))).kind());
        runtime = new RuncRuntime(RuncRuntime.DEFAULT_RUNC, RuncRuntime.DEFAULT_CONMON, runcRoot); // for cleanUp
    }

    @Test
    void failedCreateLeavesNothingBehind() throws Exception {
        Set<String> tmpBefore = names(Path.of("/tmp"));
        for (boolean tty : new boolean[] {false, true}) {
            String id = newId();
            Path bundle = dir.resolve("b").resolve(id);
            Path shimDir = dir.resolve("s").resolve(id);
            Path log = Files.createDirectories(dir.resolve("logs")).resolve(id + ".log");
            TestBundles.writeConfig(bundle, rootfs, id, tty, MEMORY, "/nonexistent");
            EngineException e = assertThrows(EngineException.class, () -> runtime.create(
                    new CreateRequest(id, id, bundle, shimDir, exits, log, tty, true)));
            assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
            assertTrue(e.getMessage().contains("exec: \"/nonexistent\": stat /nonexistent: no such file or directory"),
                    e.getMessage());
            assertFalse(Files.exists(runcRoot.resolve(id)));
            assertNull(runtime.state(id));
            assertTrue(runtime.list().isEmpty());
            assertEquals(List.of(), awaitGone(() -> processesMentioning(" -c " + id + " ")), "conmon gone");
            assertEquals(List.of(), cgroupDirs(id));
            assertFalse(Files.exists(shimDir));
            assertEquals(Set.of("config.json"), names(bundle));
            assertFalse(Files.exists(log));
            assertFalse(Files.exists(exits.resolve(id)));
        }
        Set<String> tmpAfter = new HashSet<>(names(Path.of("/tmp")));
        tmpAfter.removeAll(tmpBefore);
        assertEquals(Set.of(), tmpAfter.stream().filter(n -> n.startsWith("conmon")).collect(Collectors.toSet()),
                "no console socket left in /tmp");
    }

    @Test
    void aDuplicateIdIsRejectedWithoutDisturbingTheRunningContainer() throws Exception {
        Ctr c = run(false, true, "cat");
        EngineException e = assertThrows(EngineException.class, () -> runtime.create(new CreateRequest(c.id(), "dup",
                c.bundle(), dir.resolve("s/dup"), exits, dir.resolve("logs/dup.log"), false, true)));
        assertEquals(ErrorKind.ALREADY_EXISTS, e.kind());
        Output out = attach(c.shimDir().resolve("attach"));
        out.write("still here\n");
        out.await(o -> o.stdout().equals("still here\n"));
        out.connection.closeStdin();
        assertEquals(0, awaitExit(c.id()).exitCode());
    }

    @Test
    void theContainerOutlivesTheRuntimeObjectThatCreatedIt() throws Exception {
        RuncRuntime first = new RuncRuntime(RuncRuntime.DEFAULT_RUNC, RuncRuntime.DEFAULT_CONMON, runcRoot);
        Ctr c = create(first, false, false, false, MEMORY, "sleep", "100");
        first.start(c.id());
        first.close();
        first = null;
        System.gc();
        int conmon = Integer.parseInt(Files.readString(c.shimDir().resolve("conmon.pid")).strip());
        assertEquals(1, parentOf(conmon), "conmon is reparented to PID 1");
        assertEquals(conmon, parentOf(c.pid()), "the container is conmon's child");
        assertEquals(new RuntimeState(c.id(), "running", c.pid()), runtime.state(c.id()));
        runtime.kill(c.id(), 9);
        assertEquals(137, awaitExit(c.id()).exitCode());
    }

    @Test
    void theMonitorReportsAnExitWithin100Ms() throws Exception {
        for (int i = 0; i < 3; i++) {
            Ctr c = run(false, false, "sleep", "100");
            long killed = epochNanos();
            runtime.kill(c.id(), 9);
            ExitNotice n = awaitExit(c.id());
            long seen = exitSeenAtNanos.get(c.id());
            TIMINGS.computeIfAbsent("exit file -> notice", k -> new ArrayList<>()).add(seen - n.exitedAtNanos());
            TIMINGS.computeIfAbsent("runc kill -> notice", k -> new ArrayList<>()).add(seen - killed);
            assertTrue(seen - n.exitedAtNanos() < 100_000_000L, "notice " + (seen - n.exitedAtNanos()) / 1e6 + " ms after the exit file");
        }
    }

    @Test
    void anOomKillIsReported() throws Exception {
        Ctr c = create(runtime, false, false, false, 8L << 20, "sh", "-c", "a=aaaaaaaa; while :; do a=$a$a; done");
        start(c);
        ExitNotice n = awaitExit(c.id());
        assertEquals(137, n.exitCode());
        assertTrue(n.oomKilled());
    }

    // ---- helpers ------------------------------------------------------------------------------

    private Ctr run(boolean tty, boolean stdin, String... args) throws Exception {
        Ctr c = create(runtime, false, tty, stdin, MEMORY, args);
        start(c);
        return c;
    }

    private Ctr create(RuncRuntime rt, boolean shimIsBundle, boolean tty, boolean stdin, long memory, String... args)
            throws IOException {
        String id = newId();
        Path bundle = dir.resolve("b").resolve(id);
        Path shimDir = shimIsBundle ? bundle : dir.resolve("s").resolve(id);
        Path log = Files.createDirectories(dir.resolve("logs")).resolve(id + ".log");
        TestBundles.writeConfig(bundle, rootfs, id, tty, memory, args);
        long t0 = System.nanoTime();
        int pid = rt.create(new CreateRequest(id, "name-" + id, bundle, shimDir, exits, log, tty, stdin));
        timing("create", t0);
        containerPids.add(pid);
        assertEquals("created", rt.state(id).status());
        return new Ctr(id, bundle, shimDir, log, pid);
    }

    private void start(Ctr c) {
        long t0 = System.nanoTime();
        runtime.start(c.id());
        timing("start", t0);
    }

    private String newId() {
        String id = "c" + SEQ.incrementAndGet() + "x" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 20));
        ids.add(id);
        return id;
    }

    private ExitNotice awaitExit(String id) throws InterruptedException {
        assertTrue(awaitTrue(() -> exited.containsKey(id)), "no exit reported for " + id);
        return exited.get(id);
    }

    private Output attach(Path socket) {
        Output out = new Output(runtime.attach(socket));
        outputs.add(out);
        return out;
    }

    /** Resizes, then asks the shell for its size until it matches: conmon applies resizes asynchronously. */
    private void awaitSize(Output out, Path shimDir, int height, int width) throws InterruptedException {
        runtime.resize(shimDir, height, width);
        String want = height + " " + width + "\r\n";
        for (int i = 0; i < 50 && !out.stdout().contains(want); i++) {
            out.write("\n");
            Thread.sleep(50);
        }
        assertTrue(out.stdout().contains(want), "stty size never said " + want.strip() + ": " + out.stdout());
    }

    /** After the exit file, conmon may still hold its ctl FIFO for a moment. */
    private void awaitResizeRefused(Path shimDir) throws InterruptedException {
        assertTrue(awaitTrue(() -> {
            try {
                runtime.resize(shimDir, 10, 10);
                return false;
            } catch (EngineException e) {
                assertEquals(ErrorKind.CONFLICT, e.kind());
                return true;
            }
        }));
    }

    private static void awaitLog(Path log, String text) throws InterruptedException {
        assertTrue(awaitTrue(() -> Files.exists(log) && readQuietly(log).contains(text)), "log never got " + text);
    }

    private static boolean awaitTrue(BooleanSupplier condition) throws InterruptedException {
        for (int i = 0; i < 500; i++) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    private static <T> List<T> awaitGone(Supplier<List<T>> things) throws InterruptedException {
        List<T> left = things.get();
        for (int i = 0; i < 250 && !left.isEmpty(); i++) {
            Thread.sleep(20);
            left = things.get();
        }
        return left;
    }

    private static List<ProcessHandle> processesMentioning(String text) {
        return ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(text)
                || readQuietly(Path.of("/proc/" + p.pid() + "/cmdline")).replace('\0', ' ').contains(text)).toList();
    }

    private static int parentOf(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        return Integer.parseInt(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]);
    }

    /** {@code /sys/fs/cgroup/<hierarchy>/berth-test/<id>} for every hierarchy where it exists. */
    private static List<Path> cgroupDirs(String id) throws IOException {
        try (Stream<Path> hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            return hierarchies.map(h -> id.isEmpty() ? h.resolve("berth-test") : h.resolve("berth-test").resolve(id))
                    .filter(Files::isDirectory).toList();
        }
    }

    private static void rmdirQuietly(Path cgroup) {
        try {
            Files.deleteIfExists(cgroup); // rmdir: cgroup directories hold only virtual files
        } catch (IOException e) {
            // Busy or not empty: left for the next run.
        }
    }

    private static Set<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }

    private static String readQuietly(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException | UncheckedIOException e) {
            return "";
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static long epochNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private static void timing(String what, long startNanos) {
        TIMINGS.computeIfAbsent(what, k -> new ArrayList<>()).add(System.nanoTime() - startNanos);
    }

    private static double median(List<Long> xs) {
        List<Long> sorted = xs.stream().sorted().toList();
        return sorted.isEmpty() ? 0 : sorted.get(sorted.size() / 2);
    }

    private static Set<Thread> liveThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).collect(Collectors.toSet());
    }

    /**
     * Threads started during the test that are still alive after a grace period. JVM-wide helpers
     * that start once, on first use, are excepted: the JDK's process reaper and cleaners, jnr-ffi's
     * reference finalizer, the common pool and JUnit's timeout thread.
     */
    private Set<String> awaitThreadsGone() throws InterruptedException {
        Set<String> jvmWide = Set.of("process reaper", "jnr.ffi.util.ref.internal.Finalizer", "Common-Cleaner");
        Predicate<Thread> ours = t -> !threadsBefore.contains(t) && t.isAlive() && !jvmWide.contains(t.getName())
                && !t.getName().startsWith("ForkJoinPool.commonPool") && !t.getName().startsWith("Cleaner-")
                && !t.getName().startsWith("junit-timeout");
        List<Thread> left = awaitGone(() -> liveThreads().stream().filter(ours).toList());
        return left.stream().map(Thread::getName).collect(Collectors.toSet());
    }

    /** Collects an attach connection's output on a reader thread that ends at EOF or on close. */
    static final class Output implements AutoCloseable {
        final AttachConnection connection;
        private final StringBuilder out = new StringBuilder();
        private final StringBuilder err = new StringBuilder();
        private boolean eof;
        private final Thread reader;

        Output(AttachConnection connection) {
            this.connection = connection;
            this.reader = Thread.ofPlatform().name("it-attach-reader").start(this::pump);
        }

        private void pump() {
            Packet p;
            while ((p = connection.read()) != null) {
                synchronized (this) {
                    (p.stream() == AttachConnection.Stream.STDOUT ? out : err).append(new String(p.data(), UTF_8));
                    notifyAll();
                }
            }
            synchronized (this) {
                eof = true;
                notifyAll();
            }
        }

        void write(String s) {
            byte[] b = s.getBytes(UTF_8);
            connection.write(b, 0, b.length);
        }

        synchronized String stdout() {
            return out.toString();
        }

        synchronized String stderr() {
            return err.toString();
        }

        synchronized void await(Predicate<Output> condition) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!condition.test(this)) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || eof && !condition.test(this)) {
                    fail("attach output never matched; eof=" + eof + " stdout=" + out + " stderr=" + err);
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }

        void awaitEof() throws InterruptedException {
            synchronized (this) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!eof) {
                    long left = deadline - System.nanoTime();
                    assertTrue(left > 0, "no EOF on the attach socket; stdout=" + out + " stderr=" + err);
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                }
            }
            reader.join(1000);
        }

        @Override
        public void close() {
            connection.close();
            try {
                reader.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
