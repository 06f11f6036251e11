package io.berth.events;

import java.util.List;
import java.util.Map;

/**
 * What a container was created with: the parts of Docker's {@code Config} and {@code HostConfig} the
 * engine acts on, validated and normalized by the daemon before the create event is written.
 *
 * <p>Numbers follow Docker's conventions: 0 means "not set" for limits, -1 for {@code stopTimeout}
 * means the daemon default.
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
        List<String> binds) {

    public ContainerSpec {
        entrypoint = List.copyOf(entrypoint);
        cmd = List.copyOf(cmd);
        env = List.copyOf(env);
        labels = Map.copyOf(labels);
        binds = List.copyOf(binds);
    }

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
