package io.berth.daemon.container;

import io.berth.daemon.network.HostsFiles;
import io.berth.daemon.os.FileOps;
import io.berth.daemon.os.IdMap;
import io.berth.daemon.os.Mounts;
import io.berth.daemon.runtime.spec.ProcessUser;
import io.berth.daemon.runtime.spec.SpecBuilder;
import io.berth.events.ContainerSpec;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

/**
 * Prepares what a container runs from: its overlay root file system (the image's layers read-only,
 * a writable upper directory of its own), its /etc/hostname, /etc/hosts and /etc/resolv.conf, and its
 * OCI {@code config.json}. In a user namespace the upper directory (the container's {@code /}) and
 * the /etc files belong to the remapped root, so that root in the container owns them. Blocking.
 */
public final class ContainerFiles {

    private final ContainerPaths paths;
    private final SpecBuilder specs;

    public ContainerFiles(ContainerPaths paths, SpecBuilder specs) {
        this.paths = paths;
        this.specs = specs;
    }

    /** How the ids of the files of containers map to the host's. */
    public IdMap ids() {
        return specs.confinement().ids();
    }

    /** Refuses a spec this daemon's confinement cannot run (a user namespace with the host's network). */
    public void check(ContainerSpec spec) {
        specs.confinement().checkUserns(spec);
    }

    /** Creates the container's directory at create time. */
    public void create(String id, ContainerSpec spec) throws IOException {
        Files.createDirectories(paths.dir(id));
        Files.createDirectories(paths.upper(id));
        own(paths.upper(id), spec);
        Files.createDirectories(paths.work(id));
        Files.createDirectories(paths.rootfs(id));
    }

    /** Gives {@code p} to the container's root when the container has a user namespace. */
    private void own(Path p, ContainerSpec spec) throws IOException {
        SpecBuilder.Confinement c = specs.confinement();
        if (c.userns(spec.security())) {
            Files.setAttribute(p, "unix:uid", (int) c.ids().rootUid(), LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(p, "unix:gid", (int) c.ids().rootGid(), LinkOption.NOFOLLOW_LINKS);
        }
    }

    /** Mounts the root file system if it is not mounted (after a reboot it is not). */
    public void mount(String id, List<Path> layers) throws IOException {
        Path rootfs = paths.rootfs(id);
        if (Mounts.isMountPoint(rootfs)) {
            return;
        }
        Files.createDirectories(paths.upper(id));
        Files.createDirectories(paths.work(id));
        Files.createDirectories(rootfs);
        Mounts.overlay(layers, paths.upper(id), paths.work(id), rootfs);
    }

    public void unmount(String id) {
        Mounts.unmount(paths.rootfs(id));
    }

    /** Writes the generated /etc files and config.json; returns the resolved process user. */
    public ProcessUser prepare(String id, ContainerSpec spec) throws IOException {
        return prepare(id, spec, null, null, List.of());
    }

    /**
     * Writes the generated /etc files and config.json for a run; returns the resolved process user.
     *
     * @param netns the network namespace the daemon made for the run (a bridge), or null
     * @param hosts the hosts file of a container on a bridge, or null for the default one
     * @param binds the run's bind and volume mounts, sources resolved; their targets are made in the rootfs
     */
    public ProcessUser prepare(String id, ContainerSpec spec, Path netns, String hosts,
                               List<SpecBuilder.BindMount> binds) throws IOException {
        String hostname = spec.hostname();
        FileOps.writeAtomically(paths.hostname(id), (hostname + "\n").getBytes(StandardCharsets.UTF_8));
        String hostsText = hosts != null ? hosts : hosts(spec);
        FileOps.writeAtomically(paths.hosts(id), hostsText.getBytes(StandardCharsets.UTF_8));
        String resolv = netns != null ? HostsFiles.resolvConf(resolvConf()) : resolvConf();
        FileOps.writeAtomically(paths.resolvConf(id), resolv.getBytes(StandardCharsets.UTF_8));
        for (Path p : List.of(paths.hostname(id), paths.hosts(id), paths.resolvConf(id))) {
            own(p, spec);
        }
        ProcessUser user = ProcessUser.resolve(paths.rootfs(id), spec.user());
        JsonObject config = specs.build(id, spec, user, new SpecBuilder.Paths(paths.rootfs(id), paths.hostname(id),
                paths.hosts(id), paths.resolvConf(id), netns, binds));
        FileOps.writeAtomically(paths.dir(id).resolve("config.json"), config.encodePrettily().getBytes(StandardCharsets.UTF_8));
        return user;
    }

    private static String hosts(ContainerSpec spec) throws IOException {
        if ("host".equals(spec.networkMode())) {
            Path host = Path.of("/etc/hosts");
            return Files.exists(host) ? Files.readString(host) : "127.0.0.1\tlocalhost\n";
        }
        return "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\n"
                + "ff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n";
    }

    private static String resolvConf() throws IOException {
        Path host = Path.of("/etc/resolv.conf");
        return Files.exists(host) ? Files.readString(host) : "";
    }

    /** Unmounts and deletes everything the container owned on disk. */
    public void delete(String id) throws IOException {
        unmount(id);
        FileOps.deleteTree(paths.dir(id));
        FileOps.deleteTree(paths.shim(id));
    }
}
