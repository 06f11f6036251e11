package io.berth.daemon.api;

import io.berth.daemon.BerthVersion;
import io.berth.daemon.config.ConfigLoader;
import io.berth.daemon.config.DaemonConfig;
import io.berth.daemon.system.HostInfo;
import io.berth.events.state.ContainerState;
import io.berth.events.state.EngineState;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.function.Supplier;

/** {@code /_ping}, {@code /version}, {@code /info}: what clients ask first. */
public final class SystemRoutes {

    /** The Docker Engine release whose API version berthd serves; clients compare against it. */
    public static final String ENGINE_VERSION = "26.1.0";

    /** What the system endpoints need from the rest of the daemon. */
    public interface SystemBackend {
        EngineState state();

        DaemonConfig config();

        HostInfo host();

        String daemonId();

        /** Extra {@code docker info} facts from other parts (disk use, journal), may be empty. */
        JsonObject extraInfo();

        /** {@code docker system df}. */
        Future<JsonObject> diskUsage();
    }

    private final Supplier<SystemBackend> backend;

    public SystemRoutes(Supplier<SystemBackend> backend) {
        this.backend = backend;
    }

    public void register(Routes r) {
        r.get("/_ping", this::ping);
        r.head("/_ping", this::ping);
        r.get("/version", this::version);
        r.get("/info", this::info);
        r.get("/system/df", req -> req.reply(backend.get().diskUsage(), 200));
    }

    private void ping(ApiRequest r) {
        r.response().putHeader("Cache-Control", "no-cache, no-store, must-revalidate").putHeader("Pragma", "no-cache")
                .putHeader("Builder-Version", "1").putHeader("Swarm", "inactive")
                .putHeader("Content-Type", "text/plain; charset=utf-8");
        if (r.http().method() == HttpMethod.HEAD) {
            r.response().putHeader("Content-Length", "0").setStatusCode(200).end();
        } else {
            r.response().setStatusCode(200).end("OK");
        }
    }

    private void version(ApiRequest r) {
        SystemBackend b = backend.get();
        HostInfo h = b.host();
        JsonObject details = new JsonObject().put("ApiVersion", ApiVersion.CURRENT).put("Arch", "amd64")
                .put("BuildTime", "").put("Experimental", "false").put("GitCommit", "berth")
                .put("GoVersion", "java" + Runtime.version().feature()).put("KernelVersion", h.kernelVersion())
                .put("MinAPIVersion", ApiVersion.MINIMUM).put("Os", "linux");
        JsonArray components = new JsonArray()
                .add(new JsonObject().put("Name", "Engine").put("Version", ENGINE_VERSION).put("Details", details))
                .add(new JsonObject().put("Name", "berth").put("Version", BerthVersion.VERSION)
                        .put("Details", new JsonObject().put("GitCommit", "berth")))
                .add(new JsonObject().put("Name", "runc").put("Version", h.runcVersion())
                        .put("Details", new JsonObject().put("GitCommit", "")))
                .add(new JsonObject().put("Name", "conmon").put("Version", h.conmonVersion())
                        .put("Details", new JsonObject().put("GitCommit", "")));
        r.ok(new JsonObject()
                .put("Platform", new JsonObject().put("Name", "Berth " + BerthVersion.VERSION))
                .put("Components", components)
                .put("Version", ENGINE_VERSION).put("ApiVersion", ApiVersion.CURRENT)
                .put("MinAPIVersion", ApiVersion.MINIMUM).put("GitCommit", "berth")
                .put("GoVersion", "java" + Runtime.version().feature()).put("Os", "linux").put("Arch", "amd64")
                .put("KernelVersion", h.kernelVersion()).put("BuildTime", ""));
    }

    private void info(ApiRequest r) {
        SystemBackend b = backend.get();
        EngineState s = b.state();
        HostInfo h = b.host();
        int running = 0;
        int paused = 0;
        int stopped = 0;
        for (var c : s.containers().values()) {
            switch (c.state()) {
                case ContainerState.Running x -> running++;
                case ContainerState.Paused x -> paused++;
                default -> stopped++;
            }
        }
        DaemonConfig cfg = b.config();
        JsonObject info = new JsonObject()
                .put("ID", b.daemonId())
                .put("Containers", s.containers().size())
                .put("ContainersRunning", running).put("ContainersPaused", paused).put("ContainersStopped", stopped)
                .put("Images", s.images().size())
                .put("Driver", "overlay2")
                .put("DriverStatus", new JsonArray().add(new JsonArray().add("Backing Filesystem").add("overlayfs")))
                .put("Plugins", new JsonObject().put("Volume", new JsonArray()).put("Network",
                        new JsonArray().add("host").add("null")).put("Authorization", null).put("Log",
                        new JsonArray().add("k8s-file")))
                .put("MemoryLimit", true).put("SwapLimit", true).put("KernelMemory", false)
                .put("KernelMemoryTCP", false).put("CpuCfsPeriod", true).put("CpuCfsQuota", true)
                .put("CPUShares", true).put("CPUSet", true).put("PidsLimit", true).put("IPv4Forwarding", true)
                .put("BridgeNfIptables", false).put("BridgeNfIp6tables", false).put("Debug",
                        "debug".equals(cfg.logLevel()))
                .put("NFd", 0).put("OomKillDisable", "1".equals(h.cgroupVersion())).put("NGoroutines",
                        Thread.activeCount())
                .put("SystemTime", Instant.now().toString()).put("LoggingDriver", "k8s-file")
                .put("CgroupDriver", "cgroupfs").put("CgroupVersion", h.cgroupVersion())
                .put("NEventsListener", 0).put("KernelVersion", h.kernelVersion())
                .put("OperatingSystem", h.operatingSystem()).put("OSVersion", h.osVersion()).put("OSType", "linux")
                .put("Architecture", "x86_64").put("IndexServerAddress", "https://index.docker.io/v1/")
                .put("RegistryConfig", new JsonObject().put("AllowNondistributableArtifactsCIDRs", null)
                        .put("AllowNondistributableArtifactsHostnames", null).put("InsecureRegistryCIDRs",
                                new JsonArray().add("127.0.0.0/8")).put("IndexConfigs", new JsonObject())
                        .put("Mirrors", null))
                .put("NCPU", h.ncpu()).put("MemTotal", h.memTotal())
                .put("GenericResources", null)
                .put("DockerRootDir", cfg.dataRoot().toString())
                .put("HttpProxy", "").put("HttpsProxy", "").put("NoProxy", "")
                .put("Name", h.hostname()).put("Labels", new JsonArray()).put("ExperimentalBuild", false)
                .put("ServerVersion", ENGINE_VERSION)
                .put("Runtimes", new JsonObject().put("runc", new JsonObject().put("path", cfg.runc().toString())))
                .put("DefaultRuntime", "runc")
                .put("Swarm", new JsonObject().put("NodeID", "").put("NodeAddr", "").put("LocalNodeState", "inactive")
                        .put("ControlAvailable", false).put("Error", "").put("RemoteManagers", null))
                .put("LiveRestoreEnabled", cfg.liveRestore())
                .put("Isolation", "")
                .put("InitBinary", "")
                .put("ContainerdCommit", new JsonObject().put("ID", "").put("Expected", ""))
                .put("RuncCommit", new JsonObject().put("ID", h.runcVersion()).put("Expected", h.runcVersion()))
                .put("InitCommit", new JsonObject().put("ID", "").put("Expected", ""))
                .put("SecurityOptions", securityOptions(cfg.seccompProfile(), !cfg.usernsRemap().isEmpty()))
                .put("Warnings", new JsonArray());
        info.mergeIn(b.extraInfo());
        r.ok(info);
    }

    /**
     * dockerd's {@code SecurityOptions}: the seccomp profile ({@code builtin} for the daemon's default),
     * and {@code name=userns} when containers' ids are remapped.
     */
    static JsonArray securityOptions(String seccompProfile, boolean userns) {
        JsonArray out = new JsonArray();
        if (!"unconfined".equals(seccompProfile)) {
            out.add("name=seccomp,profile="
                    + (ConfigLoader.DEFAULT_SECCOMP.equals(seccompProfile) ? "builtin" : seccompProfile));
        }
        if (userns) {
            out.add("name=userns");
        }
        return out;
    }
}
