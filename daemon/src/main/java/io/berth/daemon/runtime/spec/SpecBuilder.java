package io.berth.daemon.runtime.spec;

import io.berth.daemon.os.IdMap;
import io.berth.errors.EngineException;
import io.berth.events.ContainerSpec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns a container's spec into the OCI runtime {@code config.json} runc runs, with Docker's
 * defaults: its capability set, masked and read-only /proc and /sys paths, the default seccomp
 * profile, the standard mounts, cgroup limits, and rlimits clamped to what this daemon may grant;
 * and with what the container's confinement changes of them ({@code --privileged},
 * {@code --cap-add}, {@code --read-only}, {@code --security-opt}, {@code --device}).
 */
public final class SpecBuilder {

    /** Docker's default capabilities. */
    public static final List<String> DEFAULT_CAPABILITIES = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID",
            "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
            "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE");

    static final List<String> MASKED_PATHS = List.of("/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys",
            "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
            "/sys/firmware", "/sys/devices/virtual/powercap");

    static final List<String> READONLY_PATHS = List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
            "/proc/sysrq-trigger");

    public static List<String> maskedPaths() {
        return MASKED_PATHS;
    }

    public static List<String> readonlyPaths() {
        return READONLY_PATHS;
    }

    public static final String DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /** The rlimit names Docker accepts, with their OCI type. */
    private static final Map<String, String> RLIMITS = Map.ofEntries(Map.entry("core", "RLIMIT_CORE"),
            Map.entry("cpu", "RLIMIT_CPU"), Map.entry("data", "RLIMIT_DATA"), Map.entry("fsize", "RLIMIT_FSIZE"),
            Map.entry("locks", "RLIMIT_LOCKS"), Map.entry("memlock", "RLIMIT_MEMLOCK"),
            Map.entry("msgqueue", "RLIMIT_MSGQUEUE"), Map.entry("nice", "RLIMIT_NICE"),
            Map.entry("nofile", "RLIMIT_NOFILE"), Map.entry("nproc", "RLIMIT_NPROC"), Map.entry("rss", "RLIMIT_RSS"),
            Map.entry("rtprio", "RLIMIT_RTPRIO"), Map.entry("rttime", "RLIMIT_RTTIME"),
            Map.entry("sigpending", "RLIMIT_SIGPENDING"), Map.entry("stack", "RLIMIT_STACK"));

    /**
     * Where the container's files are.
     *
     * @param rootfs       the mounted root file system
     * @param hostnameFile the file bind-mounted at /etc/hostname (likewise hosts and resolv.conf)
     */
    public record Paths(Path rootfs, Path hostnameFile, Path hostsFile, Path resolvConfFile, Path netns,
                        List<BindMount> binds) {
        public Paths {
            binds = binds == null ? List.of() : List.copyOf(binds);
        }

        /** Without a network namespace of the daemon's, and without bind mounts. */
        public Paths(Path rootfs, Path hostnameFile, Path hostsFile, Path resolvConfFile) {
            this(rootfs, hostnameFile, hostsFile, resolvConfFile, null, List.of());
        }
    }

    /** A host directory or file bind-mounted at {@code target} (volumes are host directories too). */
    public record BindMount(Path source, String target, boolean readOnly) {}

    /** A host rlimit the daemon cannot exceed: soft and hard of its own process. */
    public record HostLimit(long soft, long hard) {}

    /**
     * What the daemon confines containers with.
     *
     * @param capabilities the capabilities it may grant
     * @param seccomp      the default seccomp profile (Docker's format), or null when the daemon runs
     *                     containers without one
     * @param arch         this machine's architecture
     * @param kernel       the running kernel's release
     * @param ids          the user namespace's id ranges ({@code userns-remap}), {@link IdMap#NONE} for none
     */
    public record Confinement(Capabilities capabilities, JsonObject seccomp, SeccompProfiles.Arch arch, String kernel,
                              IdMap ids) {

        public Confinement(Capabilities capabilities, JsonObject seccomp, SeccompProfiles.Arch arch, String kernel) {
            this(capabilities, seccomp, arch, kernel, IdMap.NONE);
        }

        /** Every capability Linux has, no default seccomp profile: for specs built in tests. */
        public static Confinement unconfined() {
            return new Confinement(new Capabilities(Capabilities.BY_NUMBER), null, SeccompProfiles.Arch.host(), "0");
        }

        public Confinement withIds(IdMap map) {
            return new Confinement(capabilities, seccomp, arch, kernel, map);
        }

        /** Whether a container with {@code sec} gets a user namespace: remapping is on and it did not opt out. */
        public boolean userns(ContainerSpec.Security sec) {
            return ids.remapped() && !"host".equals(sec.usernsMode());
        }

        /** Refuses, as dockerd does at create, what a user namespace cannot be combined with. */
        public void checkUserns(ContainerSpec spec) {
            if (!userns(spec.security())) {
                return;
            }
            if (spec.security().privileged()) {
                throw EngineException.invalid("privileged mode is incompatible with user namespaces.  You must run the"
                        + " container in the host namespace when running privileged mode");
            }
            if ("host".equals(spec.networkMode())) {
                throw EngineException.invalid("Cannot share the host's network namespace when user namespaces are enabled");
            }
        }
    }

    private final Map<String, HostLimit> hostLimits;
    private final List<ContainerSpec.Ulimit> defaultUlimits;
    private final Confinement confinement;

    /**
     * @param hostLimits     this process's rlimits by OCI name; container limits are clamped to the hard ones
     * @param defaultUlimits daemon-wide defaults, used for limits the container does not set
     */
    public SpecBuilder(Map<String, HostLimit> hostLimits, List<ContainerSpec.Ulimit> defaultUlimits,
                       Confinement confinement) {
        this.hostLimits = Map.copyOf(hostLimits);
        this.defaultUlimits = List.copyOf(defaultUlimits);
        this.confinement = confinement;
    }

    public SpecBuilder(Map<String, HostLimit> hostLimits, List<ContainerSpec.Ulimit> defaultUlimits) {
        this(hostLimits, defaultUlimits, Confinement.unconfined());
    }

    public Confinement confinement() {
        return confinement;
    }

    /**
     * The container's {@code config.json}.
     *
     * @throws EngineException INVALID when its confinement asks for what this host cannot give (a
     *                         capability the daemon lacks, a device that is not there)
     */
    public JsonObject build(String id, ContainerSpec spec, ProcessUser user, Paths paths) {
        ContainerSpec.Security sec = spec.security();
        List<String> caps = confinement.capabilities().of(sec);
        List<String> args = new ArrayList<>(spec.entrypoint());
        args.addAll(spec.cmd());
        JsonObject process = process(args, env(spec.env(), spec.hostname(), spec.tty()), spec.workingDir(), user,
                spec.tty(), rlimits(spec.resources().ulimits()), caps, sec.noNewPrivileges());
        JsonObject resources = resources(spec.resources());
        JsonObject linux = new JsonObject()
                .put("resources", resources)
                .put("cgroupsPath", "/berth/" + id)
                .put("namespaces", namespaces(spec.networkMode(), paths.netns()));
        if (confinement.userns(sec)) {
            linux.getJsonArray("namespaces").add(new JsonObject().put("type", "user"));
            linux.put("uidMappings", confinement.ids().ociUids()).put("gidMappings", confinement.ids().ociGids());
        }
        if (sec.privileged()) {
            // As dockerd: every host device, no masked paths, no syscall filter.
            resources.put("devices", new JsonArray().add(new JsonObject().put("allow", true).put("access", "rwm")));
            JsonArray devices = new JsonArray();
            try {
                for (Path d : HostDevices.all(Path.of("/dev"))) {
                    HostDevices.Node n = HostDevices.read(d);
                    if (n != null) {
                        devices.add(n.oci(d.toString()));
                    }
                }
            } catch (java.io.IOException e) {
                throw EngineException.internal("listing the host's devices: " + e.getMessage(), e);
            }
            linux.put("devices", devices);
        } else {
            linux.put("maskedPaths", new JsonArray(MASKED_PATHS)).put("readonlyPaths", new JsonArray(READONLY_PATHS));
            JsonObject seccomp = seccomp(sec, caps);
            if (seccomp != null) {
                linux.put("seccomp", seccomp);
            }
        }
        if (!sec.devices().isEmpty()) {
            JsonArray devices = linux.getJsonArray("devices", new JsonArray());
            JsonArray rules = resources.getJsonArray("devices");
            for (ContainerSpec.Device d : sec.devices()) {
                HostDevices.Node n = HostDevices.node(Path.of(d.pathOnHost()));
                devices.add(n.oci(d.pathInContainer()));
                rules.add(n.allow(d.permissions()));
            }
            linux.put("devices", devices);
        }
        return new JsonObject()
                .put("ociVersion", "1.0.2")
                .put("process", process)
                .put("root", new JsonObject().put("path", paths.rootfs().toString()).put("readonly", sec.readOnlyRootfs()))
                .put("hostname", spec.hostname())
                .put("mounts", mounts(paths, spec.mounts(), sec.privileged(), confinement.userns(sec) && paths.netns() != null))
                .put("linux", linux);
    }

    /** The syscall filter of a container holding {@code caps}, or null for none. */
    private JsonObject seccomp(ContainerSpec.Security sec, List<String> caps) {
        JsonObject profile = switch (sec.seccomp()) {
            case "" -> confinement.seccomp();
            case "unconfined" -> null;
            default -> SeccompProfiles.parse(sec.seccomp());
        };
        return profile == null ? null : SeccompProfiles.toOci(profile, confinement.arch(), caps, confinement.kernel());
    }

    /**
     * The OCI {@code process} of an exec session in a container with {@code spec}; a privileged exec
     * gets every capability the daemon may grant.
     */
    public JsonObject execProcess(ContainerSpec spec, List<String> cmd, List<String> extraEnv, String workingDir,
                                  ProcessUser user, boolean tty, boolean privileged) {
        List<String> env = new ArrayList<>(env(spec.env(), spec.hostname(), tty));
        env = merge(env, extraEnv);
        String cwd = workingDir == null || workingDir.isEmpty() ? spec.workingDir() : workingDir;
        return process(cmd, env, cwd, user, tty, rlimits(spec.resources().ulimits()),
                confinement.capabilities().of(spec.security(), privileged), spec.security().noNewPrivileges());
    }

    private static JsonObject process(List<String> args, List<String> env, String cwd, ProcessUser user, boolean tty,
                                      JsonArray rlimits, List<String> capabilities, boolean noNewPrivileges) {
        JsonArray caps = new JsonArray(capabilities);
        JsonObject u = new JsonObject().put("uid", user.uid()).put("gid", user.gid());
        if (!user.additionalGids().isEmpty()) {
            u.put("additionalGids", new JsonArray(user.additionalGids()));
        }
        JsonObject p = new JsonObject()
                .put("terminal", tty)
                .put("user", u)
                .put("args", new JsonArray(args))
                .put("env", new JsonArray(env))
                .put("cwd", cwd == null || cwd.isEmpty() ? "/" : cwd)
                .put("capabilities", new JsonObject().put("bounding", caps).put("effective", caps.copy())
                        .put("permitted", caps.copy()))
                .put("noNewPrivileges", noNewPrivileges);
        if (!rlimits.isEmpty()) {
            p.put("rlimits", rlimits);
        }
        if (tty) {
            p.put("consoleSize", new JsonObject().put("height", 24).put("width", 80));
        }
        return p;
    }

    /** The container's environment: its own, plus PATH, HOSTNAME and TERM as Docker adds them. */
    static List<String> env(List<String> env, String hostname, boolean tty) {
        List<String> out = new ArrayList<>();
        if (env.stream().noneMatch(e -> e.startsWith("PATH="))) {
            out.add(DEFAULT_PATH);
        }
        out.add("HOSTNAME=" + hostname);
        if (tty) {
            out.add("TERM=xterm");
        }
        return merge(out, env);
    }

    /** Later entries override earlier ones with the same name; order of first appearance is kept. */
    public static List<String> merge(List<String> base, List<String> overrides) {
        LinkedHashMap<String, String> m = new LinkedHashMap<>();
        for (List<String> list : List.of(base, overrides)) {
            for (String e : list) {
                int eq = e.indexOf('=');
                m.put(eq < 0 ? e : e.substring(0, eq), e);
            }
        }
        return new ArrayList<>(m.values());
    }

    JsonArray rlimits(List<ContainerSpec.Ulimit> own) {
        LinkedHashMap<String, ContainerSpec.Ulimit> chosen = new LinkedHashMap<>();
        for (ContainerSpec.Ulimit u : defaultUlimits) {
            chosen.put(u.name(), u);
        }
        for (ContainerSpec.Ulimit u : own) {
            chosen.put(u.name(), u);
        }
        JsonArray out = new JsonArray();
        for (ContainerSpec.Ulimit u : chosen.values()) {
            String type = RLIMITS.get(u.name().toLowerCase(Locale.ROOT));
            if (type == null) {
                continue;
            }
            long hard = u.hard();
            long soft = u.soft();
            HostLimit host = hostLimits.get(type);
            // Raising a hard limit needs CAP_SYS_RESOURCE, which the daemon may not have: runc would fail.
            if (host != null && host.hard() >= 0 && (hard < 0 || hard > host.hard())) {
                hard = host.hard();
            }
            if (hard >= 0 && (soft < 0 || soft > hard)) {
                soft = hard;
            }
            out.add(new JsonObject().put("type", type).put("hard", hard < 0 ? -1L : hard).put("soft", soft < 0 ? -1L : soft));
        }
        return out;
    }

    static JsonObject resources(ContainerSpec.Resources r) {
        JsonObject res = new JsonObject().put("devices",
                new JsonArray().add(new JsonObject().put("allow", false).put("access", "rwm")));
        JsonObject memory = new JsonObject();
        if (r.memory() > 0) {
            memory.put("limit", r.memory());
            long swap = r.memorySwap() == 0 ? 2 * r.memory() : r.memorySwap();
            memory.put("swap", swap);
        }
        if (r.memoryReservation() > 0) {
            memory.put("reservation", r.memoryReservation());
        }
        if (r.oomKillDisable()) {
            memory.put("disableOOMKiller", true);
        }
        if (!memory.isEmpty()) {
            res.put("memory", memory);
        }
        JsonObject cpu = new JsonObject();
        if (r.nanoCpus() > 0) {
            cpu.put("period", 100_000L).put("quota", r.nanoCpus() * 100_000L / 1_000_000_000L);
        } else {
            if (r.cpuPeriod() > 0) {
                cpu.put("period", r.cpuPeriod());
            }
            if (r.cpuQuota() > 0) {
                cpu.put("quota", r.cpuQuota());
            }
        }
        if (r.cpuShares() > 0) {
            cpu.put("shares", r.cpuShares());
        }
        if (r.cpusetCpus() != null && !r.cpusetCpus().isEmpty()) {
            cpu.put("cpus", r.cpusetCpus());
        }
        if (!cpu.isEmpty()) {
            res.put("cpu", cpu);
        }
        if (r.pidsLimit() > 0) {
            res.put("pids", new JsonObject().put("limit", r.pidsLimit()));
        }
        return res;
    }

    static JsonArray namespaces(String networkMode) {
        return namespaces(networkMode, null);
    }

    /** The namespaces runc makes; the network one is {@code netns} when the daemon made it (a bridge). */
    static JsonArray namespaces(String networkMode, Path netns) {
        JsonArray ns = new JsonArray();
        for (String t : List.of("pid", "ipc", "uts", "mount")) {
            ns.add(new JsonObject().put("type", t));
        }
        if (netns != null) {
            ns.add(new JsonObject().put("type", "network").put("path", netns.toString()));
        } else if (!"host".equals(networkMode)) {
            ns.add(new JsonObject().put("type", "network"));
        }
        return ns;
    }

    static JsonArray mounts(Paths p) {
        return mounts(p, List.of(), false, false);
    }

    /**
     * The standard mounts, then the user's binds, volumes and tmpfs of {@code specMounts}, parents
     * before what is mounted inside them; a privileged container's /sys and cgroup file system are
     * writable. {@code bindSys}: the container has a user namespace but joins a network namespace
     * the daemon made, owned by the host's user namespace, where the kernel refuses to mount sysfs;
     * the host's /sys is bound read-only instead, as runc falls back to.
     */
    static JsonArray mounts(Paths p, List<ContainerSpec.Mount> specMounts, boolean privileged, boolean bindSys) {
        String sys = privileged ? "rw" : "ro";
        JsonObject sysfs = bindSys
                ? new JsonObject().put("destination", "/sys").put("type", "bind").put("source", "/sys")
                        .put("options", new JsonArray(List.of("rbind", "nosuid", "noexec", "nodev", "ro")))
                : mount("/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", sys));
        JsonArray m = new JsonArray()
                .add(mount("/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev")))
                .add(mount("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")))
                .add(mount("/dev/pts", "devpts", "devpts",
                        List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")))
                .add(sysfs)
                .add(mount("/sys/fs/cgroup", "cgroup", "cgroup", List.of(sys, "nosuid", "noexec", "nodev")))
                .add(mount("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev")))
                .add(mount("/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777", "size=67108864")));
        m.add(bind("/etc/resolv.conf", p.resolvConfFile()));
        m.add(bind("/etc/hostname", p.hostnameFile()));
        m.add(bind("/etc/hosts", p.hostsFile()));
        List<JsonObject> user = new ArrayList<>();
        for (BindMount b : p.binds()) {
            user.add(new JsonObject().put("destination", b.target()).put("type", "bind").put("source", b.source().toString())
                    .put("options", new JsonArray(List.of("rbind", "rprivate", b.readOnly() ? "ro" : "rw"))));
        }
        for (ContainerSpec.Mount t : specMounts) {
            if ("tmpfs".equals(t.type())) {
                user.add(mount(t.target(), "tmpfs", "tmpfs", TmpfsOptions.merge(t.source())));
            }
        }
        user.sort(Comparator.comparingLong(o -> o.getString("destination").chars().filter(c -> c == '/').count()));
        user.forEach(m::add);
        return m;
    }

    private static JsonObject mount(String dest, String type, String source, List<String> options) {
        return new JsonObject().put("destination", dest).put("type", type).put("source", source)
                .put("options", new JsonArray(options));
    }

    private static JsonObject bind(String dest, Path source) {
        return new JsonObject().put("destination", dest).put("type", "bind").put("source", source.toString())
                .put("options", new JsonArray(List.of("rbind", "rprivate", "rw")));
    }
}
