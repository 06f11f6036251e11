package io.berth.daemon.runtime.runc;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A busybox rootfs from the host's static busybox, and minimal OCI bundles on top of it. */
final class TestBundles {
    private TestBundles() {}

    /** {@code dir/bin/busybox} plus a link per applet, and the mount points a read-only root needs. */
    static Path busyboxRootfs(Path dir) throws IOException, InterruptedException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.copy(Path.of("/bin/busybox"), bin.resolve("busybox"));
        Process list = new ProcessBuilder("/bin/busybox", "--list").start();
        for (String applet : new String(list.getInputStream().readAllBytes()).split("\n")) {
            if (!applet.isBlank() && !applet.equals("busybox")) {
                Files.createSymbolicLink(bin.resolve(applet.strip()), Path.of("busybox"));
            }
        }
        if (list.waitFor() != 0) {
            throw new IOException("busybox --list failed");
        }
        for (String d : List.of("proc", "sys", "dev", "tmp", "etc", "root")) {
            Files.createDirectories(dir.resolve(d));
        }
        Files.writeString(dir.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        return dir;
    }

    /**
     * Writes {@code bundle/config.json}: the command as PID 1 in new pid, mount, uts, ipc and network
     * namespaces, a read-only root, cgroup {@code /berth-test/<id>} with a memory limit.
     */
    static void writeConfig(Path bundle, Path rootfs, String id, boolean tty, long memoryLimit, String... args)
            throws IOException {
        JsonArray caps = new JsonArray(List.of("CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"));
        JsonObject process = new JsonObject()
                .put("terminal", tty)
                .put("user", new JsonObject().put("uid", 0).put("gid", 0))
                .put("args", new JsonArray(List.of((Object[]) args)))
                .put("env", new JsonArray(List.of("PATH=/bin", "TERM=xterm")))
                .put("cwd", "/")
                .put("capabilities", new JsonObject().put("bounding", caps).put("effective", caps).put("permitted", caps))
                // At most the host's hard limit (20000); runc cannot raise it without CAP_SYS_RESOURCE.
                .put("rlimits", new JsonArray().add(new JsonObject().put("type", "RLIMIT_NOFILE").put("hard", 1024).put("soft", 1024)))
                .put("noNewPrivileges", true);
        JsonArray mounts = new JsonArray()
                .add(mount("/proc", "proc", "proc"))
                .add(mount("/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=65536k"))
                .add(mount("/dev/pts", "devpts", "devpts", "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"))
                .add(mount("/dev/shm", "tmpfs", "shm", "nosuid", "noexec", "nodev", "mode=1777", "size=65536k"))
                .add(mount("/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev", "ro"));
        JsonArray namespaces = new JsonArray();
        for (String ns : List.of("pid", "mount", "uts", "ipc", "network")) {
            namespaces.add(new JsonObject().put("type", ns));
        }
        JsonObject linux = new JsonObject()
                .put("cgroupsPath", "/berth-test/" + id)
                .put("resources", new JsonObject()
                        .put("devices", new JsonArray().add(new JsonObject().put("allow", false).put("access", "rwm")))
                        .put("memory", new JsonObject().put("limit", memoryLimit)))
                .put("namespaces", namespaces)
                .put("maskedPaths", new JsonArray(List.of("/proc/kcore", "/proc/keys", "/proc/timer_list", "/sys/firmware")))
                .put("readonlyPaths", new JsonArray(List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger")));
        JsonObject config = new JsonObject()
                .put("ociVersion", "1.0.2")
                .put("process", process)
                .put("root", new JsonObject().put("path", rootfs.toString()).put("readonly", true))
                .put("hostname", "berth-test")
                .put("mounts", mounts)
                .put("linux", linux);
        Files.createDirectories(bundle);
        Files.writeString(bundle.resolve("config.json"), config.encodePrettily());
    }

    /** An OCI {@code process} object for {@code runc exec --process}. */
    static Path writeProcess(Path file, boolean tty, String... args) throws IOException {
        JsonObject p = new JsonObject()
                .put("terminal", tty)
                .put("user", new JsonObject().put("uid", 0).put("gid", 0))
                .put("args", new JsonArray(List.of((Object[]) args)))
                .put("env", new JsonArray(List.of("PATH=/bin", "TERM=xterm")))
                .put("cwd", "/");
        Files.createDirectories(file.getParent());
        Files.writeString(file, p.encode());
        return file;
    }

    private static JsonObject mount(String destination, String type, String source, String... options) {
        return new JsonObject().put("destination", destination).put("type", type).put("source", source)
                .put("options", new JsonArray(List.of((Object[]) options)));
    }
}
