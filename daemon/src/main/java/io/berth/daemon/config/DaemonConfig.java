package io.berth.daemon.config;

import io.berth.daemon.container.RestartRule;
import io.berth.daemon.image.registry.RegistryHosts;
import io.berth.events.ContainerSpec;
import io.berth.events.journal.Retention;
import io.berth.events.journal.SyncMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * berthd's settings, from flags and daemon.json, with dockerd's names where they exist.
 *
 * @param hosts          listen addresses ({@code unix:///run/berth/berth.sock})
 * @param dataRoot       persistent state: journal, images, containers
 * @param execRoot       runtime state lost at reboot: shims' files, runc's root, exit codes
 * @param pidfile        where berthd writes its PID
 * @param liveRestore    keep containers running while the daemon is down
 * @param metrics        the Prometheus endpoint and what it exports
 * @param logLevel       debug, info, warn, error
 * @param defaultUlimits rlimits every container gets unless it sets its own
 * @param journalSync    when journal appends are acknowledged
 * @param runc           the runc binary
 * @param conmon         the conmon binary
 * @param eventsRetention how much journal history (and so {@code docker events --since}) to keep
 * @param restartBackoff the delays between restarts by policy
 * @param policies       the scripted transition policies' settings
 * @param registries     registry mirrors, insecure registries and transfer concurrency
 * @param seccompProfile the default seccomp profile's file (Docker's format), or {@code unconfined}
 * @param tls            how tcp:// hosts are served
 * @param usernsRemap    {@code userns-remap}: the user whose subordinate ids containers' ids map to, empty for none
 */
public record DaemonConfig(List<String> hosts, Path dataRoot, Path execRoot, Path pidfile, boolean liveRestore,
                           Metrics metrics, String logLevel, List<ContainerSpec.Ulimit> defaultUlimits,
                           SyncMode journalSync, Path runc, Path conmon, Retention eventsRetention,
                           RestartRule.Backoff restartBackoff, Policies policies,
                           RegistryHosts registries, String seccompProfile, Tls tls, String usernsRemap) {

    /**
     * TLS of tcp:// hosts.
     *
     * @param verify      mutual TLS: clients need a certificate signed by {@code ca}
     * @param forcedPlain plain TCP, asked for with {@code --tls=false}
     */
    public record Tls(boolean verify, boolean forcedPlain, Path ca, Path cert, Path key) {}

    /**
     * @param dir           where the {@code *.js} policies are (hot-reloaded)
     * @param defaultPolicy the policy of containers without a {@code berth.policy} label, empty for none
     * @param callTimeout   the time a policy's hook may take
     * @param maxMemory     the largest memory limit an {@code onOom} decision may set, 0 for no cap
     */
    public record Policies(Path dir, String defaultPolicy, Duration callTimeout, long maxMemory) {}

    /**
     * @param addr      host:port of the Prometheus endpoint, empty for none
     * @param interval  how often containers' cgroups are sampled
     * @param labelKeys container labels exported as Prometheus labels ({@code container_label_KEY})
     */
    public record Metrics(String addr, Duration interval, List<String> labelKeys) {
        public Metrics {
            labelKeys = List.copyOf(labelKeys);
        }
    }

    public DaemonConfig {
        hosts = List.copyOf(hosts);
        defaultUlimits = List.copyOf(defaultUlimits);
    }

    /** These settings with another data root: a remapping daemon's {@code ROOT/UID.GID}. */
    public DaemonConfig withDataRoot(Path root) {
        return new DaemonConfig(hosts, root, execRoot, pidfile, liveRestore, metrics, logLevel, defaultUlimits,
                journalSync, runc, conmon, eventsRetention, restartBackoff, policies, registries, seccompProfile, tls,
                usernsRemap);
    }

    /** The {@code tcp://} hosts. */
    public List<String> tcpHosts() {
        return hosts.stream().filter(h -> h.startsWith("tcp://")).toList();
    }

    /** The UNIX socket path of the first {@code unix://} host. */
    public Path socketPath() {
        for (String h : hosts) {
            if (h.startsWith("unix://")) {
                return Path.of(h.substring("unix://".length()));
            }
        }
        throw new IllegalStateException("no unix:// host configured");
    }
}
