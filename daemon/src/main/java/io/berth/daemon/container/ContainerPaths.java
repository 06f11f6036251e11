package io.berth.daemon.container;

import java.nio.file.Path;

/**
 * Where a container's files live. Under the data root (persistent): the OCI bundle, the overlay
 * directories, the log and the generated /etc files. Under the exec root (gone at reboot): the
 * shim's files, runc's state and the exit codes.
 */
public record ContainerPaths(Path dataRoot, Path execRoot) {

    public Path containers() {
        return dataRoot.resolve("containers");
    }

    /** The container's directory, which is also its OCI bundle (config.json). */
    public Path dir(String id) {
        return containers().resolve(id);
    }

    public Path rootfs(String id) {
        return dir(id).resolve("rootfs");
    }

    public Path upper(String id) {
        return dir(id).resolve("diff");
    }

    public Path work(String id) {
        return dir(id).resolve("work");
    }

    public Path log(String id) {
        return dir(id).resolve("ctr.log");
    }

    public Path hostname(String id) {
        return dir(id).resolve("hostname");
    }

    public Path hosts(String id) {
        return dir(id).resolve("hosts");
    }

    public Path resolvConf(String id) {
        return dir(id).resolve("resolv.conf");
    }

    public Path shim(String id) {
        return execRoot.resolve("shims").resolve(id);
    }

    public Path exits() {
        return execRoot.resolve("exits");
    }

    public Path runcRoot() {
        return execRoot.resolve("runc");
    }

    public Path execSession(String execId) {
        return execRoot.resolve("exec").resolve(execId);
    }
}
