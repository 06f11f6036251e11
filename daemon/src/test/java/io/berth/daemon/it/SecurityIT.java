package io.berth.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Docker's default confinement and what the CLI's flags change of it, seen from inside the
 * container: capabilities, the seccomp filter (containers-common's profile), masked and read-only
 * kernel files, {@code --privileged}, {@code --read-only}, {@code no-new-privileges}, {@code --device}.
 */
class SecurityIT extends DaemonTest {

    /** Docker's 14 default capabilities as /proc/self/status shows them. */
    private static final String DOCKER_DEFAULT_CAPS = "00000000a80425fb";

    private String status(String field, String... runArgs) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("run", "--rm"));
        args.addAll(List.of(runArgs));
        args.addAll(List.of("busybox", "sh", "-c", "grep '^" + field + ":' /proc/self/status | cut -f2"));
        return ok(args.toArray(String[]::new)).trimmed();
    }

    private String daemonBoundingSet() throws Exception {
        return Files.readAllLines(Path.of("/proc/" + berth.pid() + "/status")).stream()
                .filter(l -> l.startsWith("CapBnd:")).findFirst().orElseThrow().split("\\s+")[1];
    }

    @Test
    void theDefaultsAreDockers() throws Exception {
        assertEquals(DOCKER_DEFAULT_CAPS, status("CapEff"));
        assertEquals(DOCKER_DEFAULT_CAPS, status("CapBnd"));
        assertEquals("2", status("Seccomp"), "a seccomp filter is loaded");
        assertEquals("0", status("NoNewPrivs"));

        Docker.Result unshare = docker.run("run", "--rm", "busybox", "unshare", "-n", "true");
        assertNotEquals(0, unshare.exit());
        assertTrue(unshare.err().contains("Operation not permitted"), unshare.toString());
        Docker.Result mount = docker.run("run", "--rm", "busybox", "sh", "-c", "mkdir /m && mount -t tmpfs t /m");
        assertNotEquals(0, mount.exit());
        assertTrue(mount.err().toLowerCase(java.util.Locale.ROOT).contains("permission denied")
                || mount.err().contains("Operation not permitted"), mount.toString());

        // A masked file reads empty (runc masks those the kernel has: which, depends on its config).
        String masked = Stream.of("/proc/timer_list", "/proc/keys", "/proc/sched_debug", "/proc/kcore")
                .filter(f -> Files.isReadable(Path.of(f))).findFirst().orElseThrow();
        assertEquals("0", ok("run", "--rm", "busybox", "sh", "-c", "wc -c < " + masked).trimmed(), masked);
        Docker.Result sysctl = docker.run("run", "--rm", "busybox", "sh", "-c", "echo x > /proc/sys/kernel/domainname");
        assertNotEquals(0, sysctl.exit());
        assertTrue(sysctl.err().contains("Read-only file system"), sysctl.toString());

        JsonObject info = new JsonObject(ok("info", "--format", "{{json .}}").out());
        assertEquals(new JsonArray().add("name=seccomp,profile=builtin"), info.getJsonArray("SecurityOptions"));
    }

    @Test
    void capabilitiesAreAddedAndDropped() throws Exception {
        assertEquals("0000000000000000", status("CapEff", "--cap-drop", "ALL"));
        assertEquals("0000000000000001", status("CapEff", "--cap-drop", "ALL", "--cap-add", "chown"));
        assertEquals("00000000a82425fb", status("CapEff", "--cap-add", "SYS_ADMIN"));
        Docker.Result chown = docker.run("run", "--rm", "--cap-drop", "CHOWN", "busybox", "chown", "1", "/etc/passwd");
        assertNotEquals(0, chown.exit());
        assertTrue(chown.err().contains("Operation not permitted"), chown.toString());
        ok("run", "--rm", "busybox", "chown", "1", "/etc/passwd");

        Docker.Result unknown = docker.run("run", "--rm", "--cap-add", "NOPE", "busybox", "true");
        assertEquals(125, unknown.exit());
        assertTrue(unknown.err().contains("invalid CapAdd: unknown capability: \"CAP_NOPE\""), unknown.toString());

        ok("create", "--name", "capped", "--cap-add", "NET_ADMIN", "--cap-drop", "MKNOD", "--read-only",
                "--security-opt", "no-new-privileges", "busybox", "true");
        try {
            JsonObject hc = inspect("capped").getJsonObject("HostConfig");
            assertEquals(new JsonArray().add("CAP_NET_ADMIN"), hc.getJsonArray("CapAdd"));
            assertEquals(new JsonArray().add("CAP_MKNOD"), hc.getJsonArray("CapDrop"));
            assertEquals(true, hc.getBoolean("ReadonlyRootfs"));
            assertEquals(new JsonArray().add("no-new-privileges"), hc.getJsonArray("SecurityOpt"));
            assertEquals(false, hc.getBoolean("Privileged"));
        } finally {
            docker.run("rm", "capped");
        }
    }

    @Test
    void theSeccompFilterBlocksWhatCapabilitiesAllow() throws Exception {
        // containers-common's profile refuses swapoff outright: with CAP_SYS_ADMIN the call is still
        // EPERM under the filter, and reaches the kernel (which finds no such file) without it.
        Docker.Result filtered = docker.run("run", "--rm", "--cap-add", "SYS_ADMIN", "busybox", "swapoff", "/nosuch");
        assertNotEquals(0, filtered.exit());
        assertTrue(filtered.err().contains("Operation not permitted"), filtered.toString());
        Docker.Result unconfined = docker.run("run", "--rm", "--cap-add", "SYS_ADMIN", "--security-opt",
                "seccomp=unconfined", "busybox", "swapoff", "/nosuch");
        assertNotEquals(0, unconfined.exit());
        assertTrue(unconfined.err().contains("No such file or directory"), unconfined.toString());
        assertEquals("0", status("Seccomp", "--security-opt", "seccomp=unconfined"));

        Path profile = berth.root().resolve("no-mkdir.json");
        Files.writeString(profile, """
                {"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
                  {"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":13}]}""");
        Docker.Result own = docker.run("run", "--rm", "--security-opt", "seccomp=" + profile, "busybox", "mkdir", "/tmp/d");
        assertNotEquals(0, own.exit());
        assertTrue(own.err().contains("Permission denied"), own.toString());
        ok("run", "--rm", "busybox", "mkdir", "/tmp/d");

        Files.writeString(profile, "{\"syscalls\":[]}");
        Docker.Result bad = docker.run("run", "--rm", "--security-opt", "seccomp=" + profile, "busybox", "true");
        assertEquals(125, bad.exit());
        assertTrue(bad.err().contains("Decoding seccomp profile failed"), bad.toString());
        Docker.Result opt = docker.run("run", "--rm", "--security-opt", "what=ever", "busybox", "true");
        assertEquals(125, opt.exit());
        assertTrue(opt.err().contains("invalid --security-opt 2: \\\"what=ever\\\"")
                || opt.err().contains("invalid --security-opt 2: \"what=ever\""), opt.toString());
    }

    @Test
    void aPrivilegedContainerHasEverything() throws Exception {
        String bounding = daemonBoundingSet();
        assertEquals(bounding, status("CapEff", "--privileged"));
        assertEquals("0", status("Seccomp", "--privileged"));
        ok("run", "--rm", "--privileged", "busybox", "sh", "-c", "mkdir /m && mount -t tmpfs t /m && touch /m/x");
        ok("run", "--rm", "--privileged", "busybox", "sh", "-c", "echo berth > /proc/sys/kernel/domainname");

        // A host device outside the default set is there with --privileged and not without.
        String device = hostCharDevice();
        assertEquals("yes", ok("run", "--rm", "--privileged", "busybox", "sh", "-c",
                "test -c " + device + " && echo yes").trimmed(), device);
        assertEquals("no", ok("run", "--rm", "busybox", "sh", "-c", "test -e " + device + " && echo yes || echo no")
                .trimmed(), device);

        ok("run", "-d", "--name", "plain", "busybox", "sleep", "600");
        try {
            assertEquals(DOCKER_DEFAULT_CAPS, ok("exec", "plain", "sh", "-c",
                    "grep ^CapEff /proc/self/status | cut -f2").trimmed());
            assertEquals(bounding, ok("exec", "--privileged", "plain", "sh", "-c",
                    "grep ^CapEff /proc/self/status | cut -f2").trimmed());
        } finally {
            docker.run("rm", "-f", "plain");
        }
    }

    /** A character device of the host that containers do not get by default. */
    private static String hostCharDevice() throws Exception {
        Set<String> defaults = Set.of("null", "zero", "full", "random", "urandom", "tty", "ptmx", "console");
        try (Stream<Path> s = Files.list(Path.of("/dev"))) {
            for (Path p : s.sorted().toList()) {
                String name = p.getFileName().toString();
                if (!defaults.contains(name) && !Files.isSymbolicLink(p) && !Files.isDirectory(p)
                        && ((Integer) Files.getAttribute(p, "unix:mode") & 0170000) == 0020000) {
                    return p.toString();
                }
            }
        }
        throw new AssertionError("the host has no character device beyond the default ones");
    }

    @Test
    void readOnlyRootNoNewPrivilegesAndDevices() throws Exception {
        Docker.Result root = docker.run("run", "--rm", "--read-only", "busybox", "touch", "/x");
        assertNotEquals(0, root.exit());
        assertTrue(root.err().contains("Read-only file system"), root.toString());
        assertEquals("ok", ok("run", "--rm", "--read-only", "-v", "rodata:/data", "--tmpfs", "/run:size=1m,mode=1770",
                "--mount", "type=tmpfs,destination=/cache,tmpfs-size=2m", "busybox", "sh", "-c",
                "touch /data/x /run/y /cache/z /dev/shm/w && echo ok").trimmed(), "volumes and tmpfs stay writable");
        ok("volume", "rm", "rodata");
        // Docker's tmpfs defaults (noexec, nosuid, nodev) under the user's size and mode, and exec when asked
        // (busybox runs the applet its file is named after).
        String run = ok("run", "--rm", "--tmpfs", "/run:size=1m,mode=1770", "busybox", "sh", "-c",
                "grep ' /run ' /proc/mounts; stat -c %a /run; cp /bin/busybox /run/true; /run/true || echo noexec").out();
        assertTrue(run.matches("(?s)tmpfs /run tmpfs rw,nosuid,nodev,noexec,relatime,size=1024k,mode=1770.*\n1770\nnoexec\n"),
                run);
        assertEquals("hi", ok("run", "--rm", "--tmpfs", "/x:exec", "busybox", "sh", "-c",
                "cp /bin/busybox /x/echo && /x/echo hi").trimmed());
        ok("create", "--name", "tmpfsy", "--tmpfs", "/run:size=1m", "--mount", "type=tmpfs,dst=/cache,tmpfs-mode=0700",
                "busybox", "true");
        assertEquals("{\"/cache\":\"mode=700\",\"/run\":\"size=1m\"}|tmpfs /cache;tmpfs /run;", ok("inspect", "-f",
                "{{json .HostConfig.Tmpfs}}|{{range .Mounts}}{{.Type}} {{.Destination}};{{end}}", "tmpfsy").trimmed());
        ok("rm", "tmpfsy");
        Docker.Result typo = docker.run("run", "--rm", "--tmpfs", "/run:sise=1m", "busybox", "true");
        assertNotEquals(0, typo.exit());
        assertTrue(typo.err().contains("invalid tmpfs option \"sise=1m\""), typo.toString());

        assertEquals("1", status("NoNewPrivs", "--security-opt", "no-new-privileges"));
        assertEquals("0", status("NoNewPrivs", "--security-opt", "no-new-privileges=false"));

        String dev = ok("run", "--rm", "--device", "/dev/null:/dev/mynull:rw", "busybox", "sh", "-c",
                "echo x > /dev/mynull && stat -c '%F %t,%T' /dev/mynull").trimmed();
        assertEquals("character special file 1,3", dev);
        // /dev/null is one of runc's default devices, always allowed; the kernel log is not.
        Docker.Result denied = docker.run("run", "--rm", "--device", "/dev/kmsg:/dev/k:r", "busybox", "sh", "-c",
                "test -c /dev/k && echo x > /dev/k");
        assertNotEquals(0, denied.exit(), "the device cgroup allows reads only");
        assertTrue(denied.err().contains("Operation not permitted"), denied.toString());
        Docker.Result missing = docker.run("run", "--rm", "--device", "/dev/nosuch", "busybox", "true");
        assertNotEquals(0, missing.exit());
        assertTrue(missing.err().contains("error gathering device information while adding custom device "
                + "\"/dev/nosuch\": no such file or directory"), missing.toString());
        assertFalse(ok("ps", "-a", "--format", "{{.Image}}").out().contains("busybox"), "no container is left");
    }
}
