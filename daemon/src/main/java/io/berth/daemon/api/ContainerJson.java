package io.berth.daemon.api;

import io.berth.daemon.container.ContainerPaths;
import io.berth.daemon.network.PortPlan;
import io.berth.daemon.runtime.spec.SpecBuilder;
import io.berth.events.ContainerSpec;
import io.berth.events.NetworkEvent;
import io.berth.events.state.Container;
import io.berth.events.state.ContainerState;
import io.berth.events.state.Exec;
import io.berth.events.state.Network;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** Docker's JSON shapes for containers: {@code docker inspect} and {@code docker ps}. */
public final class ContainerJson {

    private ContainerJson() {}

    /** {@code GET /containers/{id}/json}. */
    public static JsonObject inspect(Container c, List<Exec> execs, ContainerPaths paths, long nowNanos) {
        return inspect(c, execs, paths, nowNanos, List.of(), Map.of());
    }

    /**
     * @param networks     the networks the container is a member of
     * @param volumePoints volume name to its host directory, for {@code Mounts}
     */
    public static JsonObject inspect(Container c, List<Exec> execs, ContainerPaths paths, long nowNanos,
                                     List<Network> networks, Map<String, String> volumePoints) {
        ContainerSpec s = c.spec();
        List<String> argv = new ArrayList<>(s.entrypoint());
        argv.addAll(s.cmd());
        ContainerState st = c.state();
        boolean running = st instanceof ContainerState.Running || st instanceof ContainerState.Paused
                || st instanceof ContainerState.Restarting;
        JsonObject state = new JsonObject()
                .put("Status", st.status().word())
                .put("Running", running)
                .put("Paused", st instanceof ContainerState.Paused)
                .put("Restarting", st instanceof ContainerState.Restarting)
                .put("OOMKilled", c.oomKilled())
                .put("Dead", st instanceof ContainerState.Dead)
                .put("Pid", c.pid())
                .put("ExitCode", c.exitCode())
                .put("Error", st instanceof ContainerState.Dead d ? d.reason() : "")
                .put("StartedAt", Json.time(c.startedNanos()))
                .put("FinishedAt", Json.time(c.finishedNanos()));
        String id = c.id();
        JsonArray execIds = new JsonArray();
        execs.forEach(x -> execIds.add(x.id()));
        return new JsonObject()
                .put("Id", id)
                .put("Created", Json.time(c.createdNanos()))
                .put("Path", argv.isEmpty() ? "" : argv.get(0))
                .put("Args", new JsonArray(argv.isEmpty() ? List.of() : argv.subList(1, argv.size())))
                .put("State", state)
                .put("Image", s.imageId())
                .put("ResolvConfPath", paths.resolvConf(id).toString())
                .put("HostnamePath", paths.hostname(id).toString())
                .put("HostsPath", paths.hosts(id).toString())
                .put("LogPath", paths.log(id).toString())
                .put("Name", "/" + c.name())
                .put("RestartCount", c.restartCount())
                .put("Driver", "overlay2")
                .put("Platform", "linux")
                .put("MountLabel", "").put("ProcessLabel", "").put("AppArmorProfile", "")
                .put("ExecIDs", execIds.isEmpty() ? null : execIds)
                .put("HostConfig", hostConfig(s))
                .put("GraphDriver", new JsonObject().put("Name", "overlay2").put("Data", new JsonObject()
                        .put("MergedDir", paths.rootfs(id).toString())
                        .put("UpperDir", paths.upper(id).toString())
                        .put("WorkDir", paths.work(id).toString())))
                .put("Mounts", mounts(s, volumePoints))
                .put("Config", config(s))
                .put("NetworkSettings", networkSettings(c, networks));
    }

    static JsonObject config(ContainerSpec s) {
        JsonObject cfg = new JsonObject()
                .put("Hostname", s.hostname()).put("Domainname", s.domainname()).put("User", s.user())
                .put("AttachStdin", s.openStdin()).put("AttachStdout", true).put("AttachStderr", true)
                .put("Tty", s.tty()).put("OpenStdin", s.openStdin()).put("StdinOnce", s.stdinOnce())
                .put("Env", new JsonArray(s.env()))
                .put("Cmd", Json.arrayOrNull(s.cmd()))
                .put("Image", s.image())
                .put("WorkingDir", "/".equals(s.workingDir()) ? "" : s.workingDir())
                .put("Entrypoint", Json.arrayOrNull(s.entrypoint()))
                .put("OnBuild", null)
                .put("Labels", Json.object(s.labels()));
        if (!s.exposedPorts().isEmpty()) {
            JsonObject exposed = new JsonObject();
            s.exposedPorts().forEach(p -> exposed.put(p, new JsonObject()));
            cfg.put("ExposedPorts", exposed);
        }
        JsonObject volumes = new JsonObject();
        s.mounts().stream().filter(m -> "volume".equals(m.type())).forEach(m -> volumes.put(m.target(), new JsonObject()));
        cfg.put("Volumes", volumes.isEmpty() ? null : volumes);
        if (!"SIGTERM".equals(s.stopSignal())) {
            cfg.put("StopSignal", s.stopSignal());
        }
        if (s.stopTimeout() >= 0) {
            cfg.put("StopTimeout", s.stopTimeout());
        }
        return cfg;
    }

    /** The {@code --security-opt} values a container was created with, as dockerd lists them. */
    static List<String> securityOpt(ContainerSpec.Security sec) {
        List<String> out = new ArrayList<>();
        if (sec.noNewPrivileges()) {
            out.add("no-new-privileges");
        }
        if (!sec.seccomp().isEmpty()) {
            out.add("seccomp=" + sec.seccomp());
        }
        return out;
    }

    private static JsonArray devices(ContainerSpec.Security sec) {
        JsonArray out = new JsonArray();
        sec.devices().forEach(d -> out.add(new JsonObject().put("PathOnHost", d.pathOnHost())
                .put("PathInContainer", d.pathInContainer()).put("CgroupPermissions", d.permissions())));
        return out;
    }

    static JsonObject hostConfig(ContainerSpec s) {
        ContainerSpec.Resources r = s.resources();
        ContainerSpec.Security sec = s.security();
        JsonArray ulimits = new JsonArray();
        r.ulimits().forEach(u -> ulimits.add(new JsonObject().put("Name", u.name()).put("Hard", u.hard())
                .put("Soft", u.soft())));
        return new JsonObject()
                .put("Binds", Json.arrayOrNull(s.binds()))
                .put("Tmpfs", tmpfs(s))
                .put("ContainerIDFile", "")
                .put("LogConfig", new JsonObject().put("Type", "k8s-file").put("Config", new JsonObject()))
                .put("NetworkMode", s.networkMode())
                .put("PortBindings", portBindings(s))
                .put("RestartPolicy", new JsonObject().put("Name", s.restartPolicy().name())
                        .put("MaximumRetryCount", s.restartPolicy().maximumRetryCount()))
                .put("AutoRemove", s.autoRemove())
                .put("VolumeDriver", "").put("VolumesFrom", null)
                .put("ConsoleSize", new JsonArray().add(0).add(0))
                .put("CapAdd", Json.arrayOrNull(sec.capAdd())).put("CapDrop", Json.arrayOrNull(sec.capDrop()))
                .put("CgroupnsMode", "host")
                .put("Dns", new JsonArray()).put("DnsOptions", new JsonArray()).put("DnsSearch", new JsonArray())
                .put("ExtraHosts", null).put("GroupAdd", null).put("IpcMode", "private").put("Cgroup", "")
                .put("Links", null).put("OomScoreAdj", 0).put("PidMode", "").put("Privileged", sec.privileged())
                .put("PublishAllPorts", s.publishAllPorts()).put("ReadonlyRootfs", sec.readOnlyRootfs())
                .put("SecurityOpt", Json.arrayOrNull(securityOpt(sec)))
                .put("UTSMode", "").put("UsernsMode", sec.usernsMode()).put("ShmSize", 67108864).put("Runtime", "runc")
                .put("Isolation", "")
                .put("CpuShares", r.cpuShares()).put("Memory", r.memory()).put("NanoCpus", r.nanoCpus())
                .put("CgroupParent", "").put("BlkioWeight", 0).put("BlkioWeightDevice", new JsonArray())
                .put("BlkioDeviceReadBps", new JsonArray()).put("BlkioDeviceWriteBps", new JsonArray())
                .put("BlkioDeviceReadIOps", new JsonArray()).put("BlkioDeviceWriteIOps", new JsonArray())
                .put("CpuPeriod", r.cpuPeriod()).put("CpuQuota", r.cpuQuota()).put("CpuRealtimePeriod", 0)
                .put("CpuRealtimeRuntime", 0).put("CpusetCpus", r.cpusetCpus()).put("CpusetMems", "")
                .put("Devices", devices(sec)).put("DeviceCgroupRules", null).put("DeviceRequests", null)
                .put("MemoryReservation", r.memoryReservation()).put("MemorySwap", r.memorySwap())
                .put("MemorySwappiness", null).put("OomKillDisable", r.oomKillDisable())
                .put("PidsLimit", r.pidsLimit() > 0 ? r.pidsLimit() : null)
                .put("Ulimits", ulimits.isEmpty() ? null : ulimits)
                .put("CpuCount", 0).put("CpuPercent", 0).put("IOMaximumIOps", 0).put("IOMaximumBandwidth", 0)
                .put("MaskedPaths", new JsonArray(SpecBuilder.maskedPaths()))
                .put("ReadonlyPaths", new JsonArray(SpecBuilder.readonlyPaths()));
    }

    static JsonObject portBindings(ContainerSpec s) {
        JsonObject out = new JsonObject();
        for (ContainerSpec.PortBinding b : s.portBindings()) {
            JsonArray list = out.getJsonArray(b.port());
            if (list == null) {
                list = new JsonArray();
                out.put(b.port(), list);
            }
            list.add(new JsonObject().put("HostIp", b.hostIp()).put("HostPort", b.hostPort()));
        }
        return out;
    }

    /** {@code HostConfig.Tmpfs}: mount path to options, or null without any tmpfs. */
    private static JsonObject tmpfs(ContainerSpec s) {
        JsonObject t = new JsonObject();
        s.mounts().stream().filter(m -> "tmpfs".equals(m.type())).forEach(m -> t.put(m.target(), m.source()));
        return t.isEmpty() ? null : t;
    }

    static JsonArray mounts(ContainerSpec s, Map<String, String> volumePoints) {
        JsonArray out = new JsonArray();
        for (ContainerSpec.Mount m : s.mounts()) {
            JsonObject o = new JsonObject().put("Type", m.type());
            if ("volume".equals(m.type())) {
                o.put("Name", m.source()).put("Source", volumePoints.getOrDefault(m.source(), "")).put("Driver", "local");
            } else {
                o.put("Source", "tmpfs".equals(m.type()) ? "" : m.source());
            }
            out.add(o.put("Destination", m.target()).put("Mode", m.readOnly() ? "ro" : "")
                    .put("RW", !m.readOnly()).put("Propagation", "bind".equals(m.type()) ? "rprivate" : ""));
        }
        return out;
    }

    /** The published ports of a running container: those of its endpoints. */
    static List<NetworkEvent.PortMapping> published(Container c, List<Network> networks) {
        List<NetworkEvent.PortMapping> out = new ArrayList<>();
        for (Network n : networks) {
            Network.Member m = n.members().get(c.id());
            if (m != null && m.endpoint() != null) {
                out.addAll(m.endpoint().ports());
            }
        }
        return out;
    }

    static JsonObject networkSettings(Container c, List<Network> networks) {
        ContainerSpec s = c.spec();
        JsonObject nets = new JsonObject();
        NetworkEvent.Endpoint primary = null;
        String sandbox = "";
        for (Network n : networks) {
            Network.Member m = n.members().get(c.id());
            NetworkEvent.Endpoint e = m == null ? null : m.endpoint();
            if (e != null && (primary == null || n.name().equals(s.networkMode()))) {
                primary = e;
                sandbox = e.netns();
            }
            nets.put(n.name(), endpoint(n, c, m, e));
        }
        if (networks.isEmpty()) {
            nets.put(s.networkMode(), endpoint(null, c, null, null));
        }
        boolean running = c.state() instanceof ContainerState.Running || c.state() instanceof ContainerState.Paused;
        JsonObject ports = running ? PortPlan.dockerPorts(s.exposedPorts(), published(c, networks))
                : new JsonObject();
        return new JsonObject()
                .put("Bridge", "").put("SandboxID", primary == null ? "" : c.id()).put("SandboxKey", sandbox)
                .put("HairpinMode", false)
                .put("LinkLocalIPv6Address", "").put("LinkLocalIPv6PrefixLen", 0)
                .put("Ports", ports).put("SecondaryIPAddresses", null)
                .put("SecondaryIPv6Addresses", null).put("EndpointID", primary == null ? "" : endpointId(c, primary))
                .put("Gateway", primary == null ? "" : primary.gateway())
                .put("GlobalIPv6Address", "").put("GlobalIPv6PrefixLen", 0)
                .put("IPAddress", primary == null ? "" : primary.ipAddress())
                .put("IPPrefixLen", primary == null ? 0 : primary.prefixLen()).put("IPv6Gateway", "")
                .put("MacAddress", primary == null ? "" : primary.macAddress())
                .put("Networks", nets);
    }

    private static String endpointId(Container c, NetworkEvent.Endpoint e) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256")
                    .digest((c.id() + "/" + e.ifname()).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d);
        } catch (java.security.NoSuchAlgorithmException x) {
            throw new IllegalStateException(x);
        }
    }

    private static JsonObject endpoint(Network n, Container c, Network.Member m, NetworkEvent.Endpoint e) {
        JsonArray aliases = new JsonArray();
        if (m != null && n != null && !n.builtin()) {
            m.aliases().forEach(aliases::add);
            aliases.add(c.id().substring(0, 12));
        }
        return new JsonObject().put("IPAMConfig", null).put("Links", null)
                .put("Aliases", aliases.isEmpty() ? null : aliases)
                .put("MacAddress", e == null ? "" : e.macAddress())
                .put("NetworkID", n == null ? "" : n.id()).put("EndpointID", e == null ? "" : endpointId(c, e))
                .put("Gateway", e == null ? "" : e.gateway()).put("IPAddress", e == null ? "" : e.ipAddress())
                .put("IPPrefixLen", e == null ? 0 : e.prefixLen()).put("IPv6Gateway", "").put("GlobalIPv6Address", "")
                .put("GlobalIPv6PrefixLen", 0).put("DriverOpts", null).put("DNSNames", null);
    }

    /** One entry of {@code GET /containers/json}. */
    public static JsonObject summary(Container c, long nowNanos, Long sizeRw) {
        return summary(c, nowNanos, sizeRw, List.of());
    }

    /** One entry of {@code GET /containers/json}, with the container's networks. */
    public static JsonObject summary(Container c, long nowNanos, Long sizeRw, List<Network> networks) {
        ContainerSpec s = c.spec();
        List<String> argv = new ArrayList<>(s.entrypoint());
        argv.addAll(s.cmd());
        JsonObject o = new JsonObject()
                .put("Id", c.id())
                .put("Names", new JsonArray().add("/" + c.name()))
                .put("Image", s.image())
                .put("ImageID", s.imageId())
                .put("Command", String.join(" ", argv))
                .put("Created", c.createdNanos() / 1_000_000_000L)
                .put("Ports", summaryPorts(c, networks))
                .put("Labels", Json.object(s.labels()))
                .put("State", c.state().status().word())
                .put("Status", status(c, nowNanos))
                .put("HostConfig", new JsonObject().put("NetworkMode", s.networkMode()))
                .put("NetworkSettings", new JsonObject().put("Networks",
                        networkSettings(c, networks).getJsonObject("Networks")))
                .put("Mounts", mounts(s, Map.of()));
        if (sizeRw != null) {
            o.put("SizeRw", sizeRw).put("SizeRootFs", sizeRw);
        }
        return o;
    }

    private static JsonArray summaryPorts(Container c, List<Network> networks) {
        JsonArray out = new JsonArray();
        for (NetworkEvent.PortMapping p : published(c, networks)) {
            out.add(new JsonObject().put("IP", p.hostIp()).put("PrivatePort", p.containerPort())
                    .put("PublicPort", p.hostPort()).put("Type", p.protocol()));
        }
        return out;
    }

    /** Docker's human status: "Up 5 seconds", "Exited (3) 2 minutes ago", "Created". */
    public static String status(Container c, long nowNanos) {
        return switch (c.state()) {
            case ContainerState.Created x -> "Created";
            case ContainerState.Running x -> "Up " + humanDuration(nowNanos - c.startedNanos());
            case ContainerState.Paused x -> "Up " + humanDuration(nowNanos - c.startedNanos()) + " (Paused)";
            case ContainerState.Restarting x -> "Restarting (" + c.exitCode() + ") "
                    + humanDuration(nowNanos - c.finishedNanos()) + " ago";
            case ContainerState.Exited x -> c.finishedNanos() == 0 ? "Exited (" + c.exitCode() + ")"
                    : "Exited (" + c.exitCode() + ") " + humanDuration(nowNanos - c.finishedNanos()) + " ago";
            case ContainerState.Removing x -> "Removal In Progress";
            case ContainerState.Dead x -> "Dead";
        };
    }

    /** The go-units HumanDuration wording Docker uses. */
    public static String humanDuration(long nanos) {
        long seconds = Math.max(0, nanos / 1_000_000_000L);
        if (seconds < 1) {
            return "Less than a second";
        } else if (seconds == 1) {
            return "1 second";
        } else if (seconds < 60) {
            return seconds + " seconds";
        }
        long minutes = seconds / 60;
        if (minutes == 1) {
            return "About a minute";
        } else if (minutes < 60) {
            return minutes + " minutes";
        }
        long hours = Math.round(seconds / 3600.0);
        if (hours == 1) {
            return "About an hour";
        } else if (hours < 48) {
            return hours + " hours";
        } else if (hours < 24 * 7 * 2) {
            return hours / 24 + " days";
        } else if (hours < 24 * 30 * 2) {
            return hours / 24 / 7 + " weeks";
        } else if (hours < 24 * 365 * 2) {
            return hours / 24 / 30 + " months";
        }
        return hours / 24 / 365 + " years";
    }
}
