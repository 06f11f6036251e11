package io.berth.daemon.runtime.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.errors.EngineException;
import io.berth.events.ContainerSpec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Capabilities, seccomp and devices as the OCI spec gets them from a container's confinement. */
class ConfinementTest {

    private static final String ID = "0123456789ab" + "c".repeat(52);
    private static final SpecBuilder.Paths PATHS = new SpecBuilder.Paths(Path.of("/c/rootfs"), Path.of("/c/hostname"),
            Path.of("/c/hosts"), Path.of("/c/resolv.conf"));
    private static final ProcessUser ROOT = new ProcessUser(0, 0, List.of(), "/");
    private static final SeccompProfiles.Arch AMD64 = SeccompProfiles.Arch.of("amd64");

    /** This machine's bounding set: everything up to CAP_CHECKPOINT_RESTORE but CAP_SYS_RESOURCE. */
    private static final Capabilities HOST = Capabilities.ofMask(0x000001fffeffffffL);

    /** A small profile in Docker's format, with each kind of condition. */
    private static final JsonObject PROFILE = new JsonObject("""
            {"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":38,
             "archMap":[{"architecture":"SCMP_ARCH_X86_64","subArchitectures":["SCMP_ARCH_X86","SCMP_ARCH_X32"]},
                        {"architecture":"SCMP_ARCH_AARCH64","subArchitectures":["SCMP_ARCH_ARM"]}],
             "syscalls":[
              {"names":["read","write"],"action":"SCMP_ACT_ALLOW"},
              {"names":["swapon"],"action":"SCMP_ACT_ERRNO","errnoRet":1},
              {"names":["arch_prctl"],"action":"SCMP_ACT_ALLOW","includes":{"arches":["amd64","x32"]}},
              {"names":["cacheflush"],"action":"SCMP_ACT_ALLOW","includes":{"arches":["arm","arm64"]}},
              {"names":["bpf"],"action":"SCMP_ACT_ALLOW","includes":{"caps":["CAP_SYS_ADMIN"]}},
              {"names":["bpf"],"action":"SCMP_ACT_ERRNO","errnoRet":1,"excludes":{"caps":["CAP_SYS_ADMIN"]}},
              {"names":["clone3"],"action":"SCMP_ACT_ALLOW","includes":{"minKernel":"5.3"}},
              {"names":["personality"],"action":"SCMP_ACT_ALLOW",
               "args":[{"index":0,"value":8,"valueTwo":0,"op":"SCMP_CMP_EQ"}]}]}""");

    private static ContainerSpec spec(ContainerSpec.Security security) {
        return new ContainerSpec("busybox", "sha256:x", List.of(), List.of("true"), List.of(), "/", "", "box", "",
                false, false, false, Map.of(), "SIGTERM", -1, ContainerSpec.Resources.NONE,
                ContainerSpec.RestartPolicy.NO, false, "none", List.of()).withSecurity(security);
    }

    private static ContainerSpec.Security security(boolean privileged, List<String> add, List<String> drop,
                                                   boolean readOnly, boolean nnp, String seccomp,
                                                   List<ContainerSpec.Device> devices) {
        return new ContainerSpec.Security(privileged, add, drop, readOnly, nnp, seccomp, devices, "");
    }

    private static SpecBuilder builder() {
        return new SpecBuilder(Map.of(), List.of(), new SpecBuilder.Confinement(HOST, PROFILE, AMD64, "6.1.0-13-amd64"));
    }

    private static List<String> names(JsonArray syscalls) {
        List<String> out = new ArrayList<>();
        for (Object o : syscalls) {
            JsonObject c = (JsonObject) o;
            out.add(String.join("+", c.getJsonArray("names").stream().map(Object::toString).toList()) + ":"
                    + c.getString("action"));
        }
        return out;
    }

    @Test
    void capabilitiesFollowDockersRules() {
        assertEquals(SpecBuilder.DEFAULT_CAPABILITIES, HOST.of(ContainerSpec.Security.DEFAULT));
        assertEquals(40, HOST.available().size());
        assertFalse(HOST.available().contains("CAP_SYS_RESOURCE"));

        List<String> adjusted = HOST.of(security(false, List.of("CAP_SYS_ADMIN"), List.of("CAP_NET_RAW"), false, false,
                "", List.of()));
        assertTrue(adjusted.contains("CAP_SYS_ADMIN") && !adjusted.contains("CAP_NET_RAW"), adjusted.toString());
        assertEquals(List.of("CAP_KILL"), HOST.of(security(false, List.of("CAP_KILL"), List.of("ALL"), false, false, "",
                List.of())));
        List<String> all = HOST.of(security(false, List.of("ALL"), List.of("CAP_MKNOD"), false, false, "", List.of()));
        assertEquals(39, all.size());
        assertEquals(HOST.available(), HOST.of(security(true, List.of(), List.of("ALL"), false, false, "", List.of())));
        assertEquals(HOST.available(), HOST.of(ContainerSpec.Security.DEFAULT, true), "a privileged exec");

        EngineException lacking = assertThrows(EngineException.class, () -> HOST.of(security(false,
                List.of("CAP_SYS_RESOURCE"), List.of(), false, false, "", List.of())));
        assertEquals("cannot add capability CAP_SYS_RESOURCE: the daemon does not hold it", lacking.getMessage());
    }

    @Test
    void capabilityNamesAreNormalizedOrRefused() {
        assertEquals(List.of("CAP_SYS_ADMIN", "CAP_NET_ADMIN"),
                Capabilities.normalize(List.of("sys_admin", "CAP_NET_ADMIN", "SYS_ADMIN"), "CapAdd"));
        assertEquals(List.of("ALL"), Capabilities.normalize(List.of("chown", "all"), "CapDrop"));
        EngineException bad = assertThrows(EngineException.class,
                () -> Capabilities.normalize(List.of("FLY"), "CapAdd"));
        assertEquals("invalid CapAdd: unknown capability: \"CAP_FLY\"", bad.getMessage());
        assertEquals(41, Capabilities.BY_NUMBER.size());
        assertEquals("CAP_SYS_ADMIN", Capabilities.BY_NUMBER.get(21));
    }

    @Test
    void aProfileIsFilteredForTheArchitectureCapabilitiesAndKernel() {
        JsonObject oci = SeccompProfiles.toOci(PROFILE, AMD64, SpecBuilder.DEFAULT_CAPABILITIES, "6.1.0-13-amd64");
        assertEquals("SCMP_ACT_ERRNO", oci.getString("defaultAction"));
        assertEquals(38L, oci.getLong("defaultErrnoRet"));
        assertEquals(new JsonArray().add("SCMP_ARCH_X86_64").add("SCMP_ARCH_X86").add("SCMP_ARCH_X32"),
                oci.getJsonArray("architectures"));
        assertEquals(List.of("read+write:SCMP_ACT_ALLOW", "swapon:SCMP_ACT_ERRNO", "arch_prctl:SCMP_ACT_ALLOW",
                "bpf:SCMP_ACT_ERRNO", "clone3:SCMP_ACT_ALLOW", "personality:SCMP_ACT_ALLOW"), names(oci.getJsonArray("syscalls")));
        assertEquals(1L, oci.getJsonArray("syscalls").getJsonObject(1).getLong("errnoRet"));
        assertEquals(8L, oci.getJsonArray("syscalls").getJsonObject(5).getJsonArray("args").getJsonObject(0).getLong("value"));

        List<String> admin = new ArrayList<>(SpecBuilder.DEFAULT_CAPABILITIES);
        admin.add("CAP_SYS_ADMIN");
        JsonObject arm = SeccompProfiles.toOci(PROFILE, SeccompProfiles.Arch.of("aarch64"), admin, "5.2.0");
        assertEquals(new JsonArray().add("SCMP_ARCH_AARCH64").add("SCMP_ARCH_ARM"), arm.getJsonArray("architectures"));
        assertEquals(List.of("read+write:SCMP_ACT_ALLOW", "swapon:SCMP_ACT_ERRNO", "cacheflush:SCMP_ACT_ALLOW",
                "bpf:SCMP_ACT_ALLOW", "personality:SCMP_ACT_ALLOW"), names(arm.getJsonArray("syscalls")));
    }

    @Test
    void kernelReleasesCompareByTheirNumbers() {
        assertTrue(SeccompProfiles.compareKernels("6.18.44-fc-v1252", "5.8") > 0);
        assertTrue(SeccompProfiles.compareKernels("4.19.0", "5.8") < 0);
        assertEquals(0, SeccompProfiles.compareKernels("5.8.0-1-amd64", "5.8"));
    }

    @Test
    void aProfileThatIsNotOneIsRefused() {
        assertEquals("Decoding seccomp profile failed: no defaultAction",
                assertThrows(EngineException.class, () -> SeccompProfiles.parse("{\"syscalls\":[]}")).getMessage());
        assertTrue(assertThrows(EngineException.class, () -> SeccompProfiles.parse("{not json"))
                .getMessage().startsWith("Decoding seccomp profile failed: "));
        assertThrows(EngineException.class, () -> SeccompProfiles.parse("[1]"));
    }

    @Test
    void theDefaultSpecIsConfinedAsDocker() {
        JsonObject cfg = builder().build(ID, spec(ContainerSpec.Security.DEFAULT), ROOT, PATHS);
        JsonObject linux = cfg.getJsonObject("linux");
        JsonObject process = cfg.getJsonObject("process");
        assertEquals(new JsonArray(SpecBuilder.DEFAULT_CAPABILITIES), process.getJsonObject("capabilities").getJsonArray("effective"));
        assertFalse(process.getBoolean("noNewPrivileges"));
        assertFalse(cfg.getJsonObject("root").getBoolean("readonly"));
        assertEquals(new JsonArray(SpecBuilder.maskedPaths()), linux.getJsonArray("maskedPaths"));
        assertEquals(new JsonArray(SpecBuilder.readonlyPaths()), linux.getJsonArray("readonlyPaths"));
        assertEquals("SCMP_ACT_ERRNO", linux.getJsonObject("seccomp").getString("defaultAction"));
        assertTrue(names(linux.getJsonObject("seccomp").getJsonArray("syscalls")).contains("bpf:SCMP_ACT_ERRNO"));
        assertNull(linux.getJsonArray("devices"));
    }

    @Test
    void readOnlyNoNewPrivilegesUnconfinedAndOwnProfiles() {
        JsonObject cfg = builder().build(ID, spec(security(false, List.of("CAP_SYS_ADMIN"), List.of(), true, true,
                "unconfined", List.of())), ROOT, PATHS);
        assertTrue(cfg.getJsonObject("root").getBoolean("readonly"));
        assertTrue(cfg.getJsonObject("process").getBoolean("noNewPrivileges"));
        assertNull(cfg.getJsonObject("linux").getJsonObject("seccomp"));
        assertTrue(cfg.getJsonObject("process").getJsonObject("capabilities").getJsonArray("bounding").contains("CAP_SYS_ADMIN"));

        String own = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\"}]}";
        JsonObject seccomp = builder().build(ID, spec(security(false, List.of(), List.of(), false, false, own, List.of())),
                ROOT, PATHS).getJsonObject("linux").getJsonObject("seccomp");
        assertEquals("SCMP_ACT_ALLOW", seccomp.getString("defaultAction"));
        assertEquals(List.of("mkdir:SCMP_ACT_ERRNO"), names(seccomp.getJsonArray("syscalls")));
        assertEquals(new JsonArray().add("SCMP_ARCH_X86_64"), seccomp.getJsonArray("architectures"));
    }

    @Test
    void aPrivilegedContainerGetsEverything() {
        JsonObject cfg = builder().build(ID, spec(security(true, List.of(), List.of(), false, false, "", List.of())),
                ROOT, PATHS);
        JsonObject linux = cfg.getJsonObject("linux");
        assertEquals(new JsonArray(HOST.available()), cfg.getJsonObject("process").getJsonObject("capabilities")
                .getJsonArray("permitted"));
        assertNull(linux.getJsonObject("seccomp"));
        assertNull(linux.getJsonArray("maskedPaths"));
        assertNull(linux.getJsonArray("readonlyPaths"));
        assertEquals(new JsonArray().add(new JsonObject().put("allow", true).put("access", "rwm")),
                linux.getJsonObject("resources").getJsonArray("devices"));
        assertTrue(linux.getJsonArray("devices").stream().anyMatch(d -> "/dev/null".equals(((JsonObject) d).getString("path"))),
                "the host's devices");
        for (Object m : cfg.getJsonArray("mounts")) {
            JsonObject mount = (JsonObject) m;
            if (mount.getString("destination").startsWith("/sys")) {
                assertTrue(mount.getJsonArray("options").contains("rw"), mount.encode());
            }
        }
    }

    @Test
    void aDeviceIsCreatedAndAllowed() {
        JsonObject cfg = builder().build(ID, spec(security(false, List.of(), List.of(), false, false, "",
                List.of(new ContainerSpec.Device("/dev/null", "/dev/mynull", "rw")))), ROOT, PATHS);
        JsonObject linux = cfg.getJsonObject("linux");
        JsonObject dev = linux.getJsonArray("devices").getJsonObject(0);
        assertEquals("/dev/mynull", dev.getString("path"));
        assertEquals("c", dev.getString("type"));
        assertEquals(1L, dev.getLong("major"));
        assertEquals(3L, dev.getLong("minor"));
        JsonArray rules = linux.getJsonObject("resources").getJsonArray("devices");
        assertEquals(new JsonObject().put("allow", false).put("access", "rwm"), rules.getJsonObject(0));
        assertEquals(new JsonObject().put("allow", true).put("type", "c").put("major", 1L).put("minor", 3L)
                .put("access", "rw"), rules.getJsonObject(1));

        EngineException missing = assertThrows(EngineException.class, () -> builder().build(ID, spec(security(false,
                List.of(), List.of(), false, false, "", List.of(new ContainerSpec.Device("/dev/nosuch", "/dev/x", "rwm"))))
                , ROOT, PATHS));
        assertEquals("error gathering device information while adding custom device \"/dev/nosuch\": no such file "
                + "or directory", missing.getMessage());
        assertThrows(EngineException.class, () -> HostDevices.node(Path.of("/etc/hostname")));
    }

    @Test
    void deviceNumbersSplitAsGlibcDoes() {
        assertEquals(1, HostDevices.major(0x0103));
        assertEquals(3, HostDevices.minor(0x0103));
        // A large minor is spread over the high bits: makedev(259, 300000).
        long dev = ((259L & 0xfff) << 8) | ((259L & ~0xfffL) << 32) | (300000L & 0xff) | ((300000L & ~0xffL) << 12);
        assertEquals(259, HostDevices.major(dev));
        assertEquals(300000, HostDevices.minor(dev));
    }

    @Test
    void anExecInheritsTheContainersConfinement() {
        ContainerSpec s = spec(security(false, List.of(), List.of("ALL"), false, true, "", List.of()));
        JsonObject p = builder().execProcess(s, List.of("id"), List.of(), "", ROOT, false, false);
        assertEquals(new JsonArray(), p.getJsonObject("capabilities").getJsonArray("effective"));
        assertTrue(p.getBoolean("noNewPrivileges"));
        JsonObject privileged = builder().execProcess(s, List.of("id"), List.of(), "", ROOT, false, true);
        assertEquals(new JsonArray(HOST.available()), privileged.getJsonObject("capabilities").getJsonArray("effective"));
    }
}
