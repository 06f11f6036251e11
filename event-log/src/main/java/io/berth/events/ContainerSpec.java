package io.berth.events;

import java.util.List;
import java.util.Map;

/**
 * What a container was created with: the parts of Docker's {@code Config} and {@code HostConfig} the
 * engine acts on, validated and normalized by the daemon before the create event is written.
 *
 * <p>Numbers follow Docker's conventions: 0 means "not set" for limits, -1 for {@code stopTimeout}
 * means the daemon default.
 *
 * <p>Networking and storage, as the daemon normalized them: {@code exposedPorts} and the ports of
 * {@code portBindings} are {@code PORT/PROTO} ({@code 80/tcp}); a binding's empty host port means a
 * port the daemon picks at each start; {@code mounts} are the bind, volume and anonymous-volume
 * mounts from {@code Binds}, {@code Mounts} and the image's {@code VOLUME}s, with every volume named
 * (anonymous ones get a random name at create); {@code networkAliases} are the names the container
 * also answers to on its {@code networkMode} network.
 *
 * <p>Confinement is {@code security}: what the container may do beyond Docker's defaults, or less.
 */
public record ContainerSpec(
        String image,
        String imageId,
        List<String> entrypoint,
        List<String> cmd,
        List<String> env,
        String workingDir,
        String user,
        String hostname,
        String domainname,
        boolean tty,
        boolean openStdin,
        boolean stdinOnce,
        Map<String, String> labels,
        String stopSignal,
        int stopTimeout,
        Resources resources,
        RestartPolicy restartPolicy,
        boolean autoRemove,
        String networkMode,
        List<String> binds,
        List<String> exposedPorts,
        List<PortBinding> portBindings,
        boolean publishAllPorts,
        List<Mount> mounts,
        List<String> networkAliases,
        Security security) {

    public ContainerSpec {
        entrypoint = List.copyOf(entrypoint);
        cmd = List.copyOf(cmd);
        env = List.copyOf(env);
        labels = Map.copyOf(labels);
        binds = List.copyOf(binds);
        exposedPorts = exposedPorts == null ? List.of() : List.copyOf(exposedPorts);
        portBindings = portBindings == null ? List.of() : List.copyOf(portBindings);
        mounts = mounts == null ? List.of() : List.copyOf(mounts);
        networkAliases = networkAliases == null ? List.of() : List.copyOf(networkAliases);
        security = security == null ? Security.DEFAULT : security;
    }

    /** A spec with Docker's default confinement (the shape of {@code container.created.v2}). */
    public ContainerSpec(String image, String imageId, List<String> entrypoint, List<String> cmd, List<String> env,
                         String workingDir, String user, String hostname, String domainname, boolean tty,
                         boolean openStdin, boolean stdinOnce, Map<String, String> labels, String stopSignal,
                         int stopTimeout, Resources resources, RestartPolicy restartPolicy, boolean autoRemove,
                         String networkMode, List<String> binds, List<String> exposedPorts,
                         List<PortBinding> portBindings, boolean publishAllPorts, List<Mount> mounts,
                         List<String> networkAliases) {
        this(image, imageId, entrypoint, cmd, env, workingDir, user, hostname, domainname, tty, openStdin, stdinOnce,
                labels, stopSignal, stopTimeout, resources, restartPolicy, autoRemove, networkMode, binds,
                exposedPorts, portBindings, publishAllPorts, mounts, networkAliases, Security.DEFAULT);
    }

    /** A spec without published ports, mounts or aliases (the shape of {@code container.created.v1}). */
    public ContainerSpec(String image, String imageId, List<String> entrypoint, List<String> cmd, List<String> env,
                         String workingDir, String user, String hostname, String domainname, boolean tty,
                         boolean openStdin, boolean stdinOnce, Map<String, String> labels, String stopSignal,
                         int stopTimeout, Resources resources, RestartPolicy restartPolicy, boolean autoRemove,
                         String networkMode, List<String> binds) {
        this(image, imageId, entrypoint, cmd, env, workingDir, user, hostname, domainname, tty, openStdin, stdinOnce,
                labels, stopSignal, stopTimeout, resources, restartPolicy, autoRemove, networkMode, binds, List.of(),
                List.of(), false, List.of(), List.of());
    }

    /** This spec with other resources and restart policy (a {@code docker update}). */
    public ContainerSpec withUpdate(Resources r, RestartPolicy p) {
        return new ContainerSpec(image, imageId, entrypoint, cmd, env, workingDir, user, hostname, domainname, tty,
                openStdin, stdinOnce, labels, stopSignal, stopTimeout, r == null ? resources : r,
                p == null ? restartPolicy : p, autoRemove, networkMode, binds, exposedPorts, portBindings,
                publishAllPorts, mounts, networkAliases, security);
    }

    /** This spec with other confinement. */
    public ContainerSpec withSecurity(Security s) {
        return new ContainerSpec(image, imageId, entrypoint, cmd, env, workingDir, user, hostname, domainname, tty,
                openStdin, stdinOnce, labels, stopSignal, stopTimeout, resources, restartPolicy, autoRemove, networkMode,
                binds, exposedPorts, portBindings, publishAllPorts, mounts, networkAliases, s);
    }

    /**
     * Confinement beyond or below Docker's defaults. {@code capAdd} and {@code capDrop} hold
     * {@code CAP_} names or {@code ALL}; {@code seccomp} is empty for the daemon's default profile,
     * {@code unconfined}, or a profile's JSON as the client sent it; {@code usernsMode} is empty
     * (the daemon's {@code userns-remap}, if any) or {@code host}.
     */
    public record Security(boolean privileged, List<String> capAdd, List<String> capDrop, boolean readOnlyRootfs,
                           boolean noNewPrivileges, String seccomp, List<Device> devices, String usernsMode) {

        public static final Security DEFAULT = new Security(false, List.of(), List.of(), false, false, "", List.of(), "");

        public Security {
            capAdd = capAdd == null ? List.of() : List.copyOf(capAdd);
            capDrop = capDrop == null ? List.of() : List.copyOf(capDrop);
            seccomp = seccomp == null ? "" : seccomp;
            devices = devices == null ? List.of() : List.copyOf(devices);
            usernsMode = usernsMode == null ? "" : usernsMode;
        }
    }

    /** A host device node made available in the container, with {@code r}, {@code w}, {@code m} access. */
    public record Device(String pathOnHost, String pathInContainer, String permissions) {}

    /** A published port: container {@code port} ({@code 80/tcp}) on {@code hostIp:hostPort} (empty: any). */
    public record PortBinding(String port, String hostIp, String hostPort) {}

    /**
     * A mount into the container: {@code type} {@code bind} (source is a host path), {@code volume}
     * (source is a volume name) or {@code tmpfs} (source is the user's mount options, comma separated,
     * possibly empty); {@code target} is the absolute path in the container.
     */
    public record Mount(String type, String source, String target, boolean readOnly) {}

    /** Cgroup limits, as Docker's {@code HostConfig} names them. */
    public record Resources(
            long memory,
            long memorySwap,
            long memoryReservation,
            boolean oomKillDisable,
            long nanoCpus,
            long cpuShares,
            long cpuPeriod,
            long cpuQuota,
            String cpusetCpus,
            long pidsLimit,
            List<Ulimit> ulimits) {

        public static final Resources NONE = new Resources(0, 0, 0, false, 0, 0, 0, 0, "", 0, List.of());

        public Resources {
            ulimits = List.copyOf(ulimits);
        }
    }

    /** One rlimit, named as Docker names it ({@code nofile}, {@code nproc}, ...). */
    public record Ulimit(String name, long soft, long hard) {}

    /** Docker's restart policy: {@code no}, {@code always}, {@code unless-stopped}, {@code on-failure}. */
    public record RestartPolicy(String name, int maximumRetryCount) {
        public static final RestartPolicy NO = new RestartPolicy("no", 0);
    }
}
