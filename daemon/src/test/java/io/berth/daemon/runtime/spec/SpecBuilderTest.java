package io.berth.daemon.runtime.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.daemon.os.IdMap;
import io.berth.errors.EngineException;
import io.berth.events.ContainerSpec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpecBuilderTest {

    private static final String ID = "0123456789ab" + "c".repeat(52);

    private static ContainerSpec spec(ContainerSpec.Resources r, boolean tty, String network) {
        return new ContainerSpec("busybox", "sha256:x", List.of("/bin/sh", "-c"), List.of("echo hi"), List.of("A=1"),
                "/work", "", "box", "", tty, false, false, Map.of(), "SIGTERM", -1, r, ContainerSpec.RestartPolicy.NO,
                false, network, List.of());
    }

    private static final SpecBuilder.Paths PATHS = new SpecBuilder.Paths(Path.of("/c/rootfs"), Path.of("/c/hostname"),
            Path.of("/c/hosts"), Path.of("/c/resolv.conf"));

    @Test
    void processFromTheSpec() {
        SpecBuilder b = new SpecBuilder(Map.of(), List.of());
        JsonObject cfg = b.build(ID, spec(ContainerSpec.Resources.NONE, true, "none"),
                new ProcessUser(1000, 100, List.of(27), "/home/u"), PATHS);
        JsonObject p = cfg.getJsonObject("process");
        assertEquals(new JsonArray().add("/bin/sh").add("-c").add("echo hi"), p.getJsonArray("args"));
        assertEquals("/work", p.getString("cwd"));
        assertTrue(p.getBoolean("terminal"));
        assertEquals(1000, p.getJsonObject("user").getInteger("uid"));
        assertEquals(new JsonArray().add(27), p.getJsonObject("user").getJsonArray("additionalGids"));
        JsonArray env = p.getJsonArray("env");
        assertTrue(env.contains(SpecBuilder.DEFAULT_PATH), "PATH is added when the image has none");
        assertTrue(env.contains("HOSTNAME=box") && env.contains("TERM=xterm") && env.contains("A=1"), env.encode());
        assertEquals(new JsonArray(SpecBuilder.DEFAULT_CAPABILITIES), p.getJsonObject("capabilities").getJsonArray("bounding"));
        assertEquals(14, SpecBuilder.DEFAULT_CAPABILITIES.size());
        assertEquals("box", cfg.getString("hostname"));
        assertEquals("/c/rootfs", cfg.getJsonObject("root").getString("path"));
        assertEquals("/berth/" + ID, cfg.getJsonObject("linux").getString("cgroupsPath"));
    }

    @Test
    void userMountsComeAfterTheStandardOnesParentsFirst() {
        var paths = new SpecBuilder.Paths(Path.of("/c/rootfs"), Path.of("/c/hostname"), Path.of("/c/hosts"),
                Path.of("/c/resolv.conf"), null, List.of(new SpecBuilder.BindMount(Path.of("/srv/logs"), "/run/logs", true)));
        JsonArray m = SpecBuilder.mounts(paths, List.of(new ContainerSpec.Mount("bind", "/srv/logs", "/run/logs", true),
                new ContainerSpec.Mount("tmpfs", "size=64m,exec", "/run", false)), false, false);
        JsonObject run = m.getJsonObject(m.size() - 2);
        assertEquals("/run", run.getString("destination"), "the tmpfs at /run is mounted before the bind inside it");
        assertEquals("tmpfs", run.getString("type"));
        assertEquals(new JsonArray(List.of("nosuid", "nodev", "rprivate", "size=64m", "exec")), run.getJsonArray("options"));
        JsonObject logs = m.getJsonObject(m.size() - 1);
        assertEquals("/run/logs", logs.getString("destination"));
        assertEquals(new JsonArray(List.of("rbind", "rprivate", "ro")), logs.getJsonArray("options"));
    }

    @Test
    void aRemappingDaemonAddsAUserNamespaceUnlessTheContainerOptsOut() {
        var ids = new IdMap(List.of(new IdMap.Range(0, 100_000, 65_536)), List.of(new IdMap.Range(0, 200_000, 65_536)));
        var confinement = SpecBuilder.Confinement.unconfined().withIds(ids);
        SpecBuilder b = new SpecBuilder(Map.of(), List.of(), confinement);
        ContainerSpec plain = spec(ContainerSpec.Resources.NONE, false, "none");
        JsonObject linux = b.build(ID, plain, new ProcessUser(0, 0, List.of(), "/"), PATHS).getJsonObject("linux");
        assertTrue(linux.getJsonArray("namespaces").contains(new JsonObject().put("type", "user")));
        assertEquals(100_000, linux.getJsonArray("uidMappings").getJsonObject(0).getLong("hostID"));
        assertEquals(200_000, linux.getJsonArray("gidMappings").getJsonObject(0).getLong("hostID"));

        ContainerSpec optedOut = plain.withSecurity(new ContainerSpec.Security(true, List.of(), List.of(), false, false,
                "", List.of(), "host"));
        JsonObject host = b.build(ID, optedOut, new ProcessUser(0, 0, List.of(), "/"), PATHS).getJsonObject("linux");
        assertFalse(host.getJsonArray("namespaces").encode().contains("user"));
        assertNull(host.getJsonArray("uidMappings"));
        confinement.checkUserns(optedOut);

        EngineException privileged = assertThrows(EngineException.class, () -> confinement.checkUserns(
                plain.withSecurity(new ContainerSpec.Security(true, List.of(), List.of(), false, false, "", List.of(), ""))));
        assertTrue(privileged.getMessage().startsWith("privileged mode is incompatible with user namespaces."));
        EngineException hostNet = assertThrows(EngineException.class,
                () -> confinement.checkUserns(spec(ContainerSpec.Resources.NONE, false, "host")));
        assertEquals("Cannot share the host's network namespace when user namespaces are enabled", hostNet.getMessage());
        SpecBuilder.Confinement.unconfined().checkUserns(spec(ContainerSpec.Resources.NONE, false, "host"));
    }

    @Test
    void namespacesFollowTheNetworkMode() {
        SpecBuilder b = new SpecBuilder(Map.of(), List.of());
        JsonArray isolated = b.build(ID, spec(ContainerSpec.Resources.NONE, false, "none"), new ProcessUser(0, 0, List.of(), "/"),
                PATHS).getJsonObject("linux").getJsonArray("namespaces");
        assertEquals(5, isolated.size());
        JsonArray host = b.build(ID, spec(ContainerSpec.Resources.NONE, false, "host"), new ProcessUser(0, 0, List.of(), "/"),
                PATHS).getJsonObject("linux").getJsonArray("namespaces");
        assertEquals(4, host.size());
        assertFalse(host.encode().contains("network"));
    }

    @Test
    void limitsBecomeCgroupResources() {
        var r = new ContainerSpec.Resources(64L << 20, 0, 32L << 20, true, 500_000_000L, 512, 0, 0, "0", 50, List.of());
        JsonObject res = SpecBuilder.resources(r);
        assertEquals(64L << 20, res.getJsonObject("memory").getLong("limit"));
        assertEquals(128L << 20, res.getJsonObject("memory").getLong("swap"), "Docker's default swap is twice the memory");
        assertEquals(32L << 20, res.getJsonObject("memory").getLong("reservation"));
        assertTrue(res.getJsonObject("memory").getBoolean("disableOOMKiller"));
        assertEquals(100_000L, res.getJsonObject("cpu").getLong("period"));
        assertEquals(50_000L, res.getJsonObject("cpu").getLong("quota"), "0.5 CPUs");
        assertEquals(512L, res.getJsonObject("cpu").getLong("shares"));
        assertEquals(50L, res.getJsonObject("pids").getLong("limit"));
        assertNull(SpecBuilder.resources(ContainerSpec.Resources.NONE).getJsonObject("memory"));
    }

    @Test
    void rlimitsAreClampedToWhatTheDaemonMayGrant() {
        SpecBuilder b = new SpecBuilder(Map.of("RLIMIT_NOFILE", new SpecBuilder.HostLimit(1024, 20000)),
                List.of(new ContainerSpec.Ulimit("nofile", 1048576, 1048576), new ContainerSpec.Ulimit("nproc", 50, 60)));
        JsonArray limits = b.rlimits(List.of(new ContainerSpec.Ulimit("nproc", 10, 20)));
        assertEquals(2, limits.size());
        JsonObject nofile = limits.getJsonObject(0);
        assertEquals("RLIMIT_NOFILE", nofile.getString("type"));
        assertEquals(20000L, nofile.getLong("hard"), "the host's hard limit");
        assertEquals(20000L, nofile.getLong("soft"));
        JsonObject nproc = limits.getJsonObject(1);
        assertEquals(10L, nproc.getLong("soft"), "the container's own value wins over the default");
        assertEquals(20L, nproc.getLong("hard"));
    }

    @Test
    void envMergeKeepsOrderAndLetsLaterWin() {
        assertEquals(List.of("A=2", "B=1", "C=3"), SpecBuilder.merge(List.of("A=1", "B=1"), List.of("A=2", "C=3")));
    }

    @TempDir
    Path rootfs;

    @Test
    void usersResolveInsideTheContainer() throws Exception {
        Files.createDirectories(rootfs.resolve("etc"));
        Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n");
        Files.writeString(rootfs.resolve("etc/group"), "root:x:0:\napp:x:1000:\nstaff:x:50:app,other\n");
        assertEquals(new ProcessUser(0, 0, List.of(), "/root"), ProcessUser.resolve(rootfs, ""));
        assertEquals(new ProcessUser(1000, 1000, List.of(50), "/home/app"), ProcessUser.resolve(rootfs, "app"));
        assertEquals(new ProcessUser(1000, 50, List.of(), "/home/app"), ProcessUser.resolve(rootfs, "app:staff"));
        assertEquals(new ProcessUser(4242, 7, List.of(), "/"), ProcessUser.resolve(rootfs, "4242:7"));
        EngineException e = assertThrows(EngineException.class, () -> ProcessUser.resolve(rootfs, "ghost"));
        assertEquals("unable to find user ghost: no matching entries in passwd file", e.getMessage());
    }
}
