package io.berth.daemon.container;

import io.berth.daemon.api.Json;
import io.berth.daemon.engine.Engine;
import io.berth.daemon.os.FileOps;
import io.berth.daemon.runtime.ExecProcess;
import io.berth.daemon.runtime.ExecRequest;
import io.berth.daemon.runtime.OciRuntime;
import io.berth.daemon.runtime.spec.ProcessUser;
import io.berth.daemon.runtime.spec.SpecBuilder;
import io.berth.errors.EngineException;
import io.berth.events.ExecEvent;
import io.berth.events.state.Container;
import io.berth.events.state.ContainerState;
import io.berth.events.state.Exec;
import io.berth.events.state.Transitions;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code docker exec}: a process started in a running container under its own shim, journaled as
 * created, started (with its PID) and exited (with its code).
 */
public final class ExecService {

    private static final Logger LOG = LoggerFactory.getLogger(ExecService.class);

    private final Engine engine;
    private final OciRuntime runtime;
    private final ContainerService containers;
    private final ContainerPaths paths;
    private final SpecBuilder specs;
    private final ExecutorService pumps;

    public ExecService(Engine engine, OciRuntime runtime, ContainerService containers, ContainerPaths paths,
                       SpecBuilder specs, ExecutorService pumps) {
        this.engine = engine;
        this.runtime = runtime;
        this.containers = containers;
        this.paths = paths;
        this.specs = specs;
        this.pumps = pumps;
    }

    public Exec find(String execId) {
        Exec x = engine.state().execs().get(execId);
        if (x == null) {
            throw EngineException.notFound("No such exec instance: " + execId);
        }
        return x;
    }

    /** {@code POST /containers/{id}/exec}: records the command; returns the exec id. */
    public Future<String> create(String containerRef, JsonObject body) {
        try {
            Container c = containers.find(containerRef);
            if (!(c.state() instanceof ContainerState.Running)) {
                throw EngineException.conflict(c.state() instanceof ContainerState.Paused
                        ? "Container " + c.id() + " is paused, unpause the container before exec"
                        : "container " + c.id() + " is not running");
            }
            List<String> cmd = Json.strings(body.getValue("Cmd"));
            if (cmd.isEmpty()) {
                throw EngineException.invalid("No exec command specified");
            }
            String execId = Names.newId();
            return engine.commit(new ExecEvent.Created(execId, c.id(), cmd, Json.strings(body.getValue("Env")),
                    Json.str(body, "User"), Json.str(body, "WorkingDir"), Json.flag(body, "Tty"),
                    Json.flag(body, "AttachStdin"), Json.flag(body, "Privileged"))).map(e -> execId);
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }

    /**
     * Starts a created exec. With a session the process waits for it and its output streams there;
     * the returned future completes once the process runs.
     */
    public Future<Void> start(String execId, AttachSession session, int[] consoleSize) {
        Exec x;
        Container c;
        try {
            x = find(execId);
            if (x.status() != Exec.Status.CREATED) {
                throw EngineException.conflict("Error: Exec command " + execId + " has already run");
            }
            c = containers.find(x.containerId());
            Transitions.require(c, Transitions.Verb.EXEC);
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
        ExecEvent.Created spec = x.spec();
        Path dir = paths.execSession(execId);
        Future<ExecProcess> started = engine.blocking(() -> {
            Files.createDirectories(dir);
            ProcessUser user = ProcessUser.resolve(paths.rootfs(c.id()),
                    spec.user().isEmpty() ? c.spec().user() : spec.user());
            JsonObject process = specs.execProcess(c.spec(), spec.cmd(), spec.env(), spec.workingDir(), user, spec.tty(),
                    spec.privileged());
            if (spec.tty() && consoleSize != null) {
                process.put("consoleSize", new JsonObject().put("height", consoleSize[0]).put("width", consoleSize[1]));
            }
            Path processJson = dir.resolve("process.json");
            Files.writeString(processJson, process.encode(), StandardCharsets.UTF_8);
            ExecProcess p = runtime.exec(new ExecRequest(c.id(), execId, processJson, dir, spec.tty(),
                    spec.attachStdin(), session != null));
            if (session != null) {
                session.connect(runtime.attach(p.attachSocket()), pumps);
            }
            return p;
        });
        return started.compose(p -> {
            Future<Void> exited = Future.fromCompletionStage(p.pid(), engine.context())
                    .compose(pid -> engine.commit(new ExecEvent.Started(execId, c.id(), pid)))
                    .compose(e -> Future.fromCompletionStage(p.exitCode(), engine.context()))
                    .compose(code -> engine.commit(new ExecEvent.Exited(execId, c.id(), code)))
                    .mapEmpty();
            exited.onComplete(ar -> {
                if (ar.failed()) {
                    LOG.warn("exec {} in {} failed: {}", execId, c.id(), ar.cause().getMessage());
                }
                engine.blocking(() -> {
                    FileOps.deleteTree(dir);
                    return null;
                });
            });
            if (session != null) {
                session.endAfter(exited);
            }
            return Future.succeededFuture();
        });
    }

    /** {@code GET /exec/{id}/json}. */
    public JsonObject inspect(String execId) {
        Exec x = find(execId);
        ExecEvent.Created s = x.spec();
        JsonObject process = new JsonObject().put("tty", s.tty()).put("entrypoint", s.cmd().get(0))
                .put("arguments", new JsonArray(s.cmd().subList(1, s.cmd().size())))
                .put("privileged", s.privileged());
        if (!s.user().isEmpty()) {
            process.put("user", s.user());
        }
        return new JsonObject()
                .put("ID", x.id())
                .put("Running", x.status() == Exec.Status.RUNNING)
                .put("ExitCode", x.status() == Exec.Status.EXITED ? (Object) x.exitCode() : null)
                .put("ProcessConfig", process)
                .put("OpenStdin", s.attachStdin()).put("OpenStderr", true).put("OpenStdout", true)
                .put("CanRemove", false)
                .put("ContainerID", x.containerId())
                .put("DetachKeys", "")
                .put("Pid", x.pid());
    }

    public Future<Void> resize(String execId, int h, int w) {
        try {
            Exec x = find(execId);
            if (!x.spec().tty() || x.status() != Exec.Status.RUNNING || h <= 0 || w <= 0) {
                return Future.succeededFuture();
            }
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
        return engine.blocking(() -> {
            runtime.resize(paths.execSession(execId), h, w);
            return null;
        });
    }
}
