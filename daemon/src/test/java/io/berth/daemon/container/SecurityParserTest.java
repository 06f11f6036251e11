package io.berth.daemon.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.errors.EngineException;
import io.berth.errors.ErrorKind;
import io.berth.events.ContainerSpec;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code HostConfig}'s confinement fields as dockerd reads and refuses them. */
class SecurityParserTest {

    private static ContainerSpec.Security parse(String hostConfig) {
        return SecurityParser.parse(new JsonObject(hostConfig));
    }

    private static String refused(String hostConfig) {
        EngineException e = assertThrows(EngineException.class, () -> parse(hostConfig), hostConfig);
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind(), hostConfig);
        return e.getMessage();
    }

    @Test
    void nothingAskedIsDockersDefault() {
        assertEquals(ContainerSpec.Security.DEFAULT, parse("{}"));
        assertEquals(ContainerSpec.Security.DEFAULT, parse("{\"CapAdd\":null,\"SecurityOpt\":null,\"Devices\":null}"));
    }

    @Test
    void everyFieldIsRead() {
        ContainerSpec.Security s = parse("""
                {"Privileged":true,"CapAdd":["net_admin"],"CapDrop":["MKNOD"],"ReadonlyRootfs":true,
                 "SecurityOpt":["no-new-privileges","seccomp=unconfined","apparmor=unconfined","label=disable"],
                 "Devices":[{"PathOnHost":"/dev/fuse","PathInContainer":"","CgroupPermissions":""},
                            {"PathOnHost":"/dev/null","PathInContainer":"/dev/n2","CgroupPermissions":"r"}],
                 "UsernsMode":"host"}""");
        assertTrue(s.privileged() && s.readOnlyRootfs() && s.noNewPrivileges());
        assertEquals(List.of("CAP_NET_ADMIN"), s.capAdd());
        assertEquals(List.of("CAP_MKNOD"), s.capDrop());
        assertEquals("unconfined", s.seccomp());
        assertEquals(List.of(new ContainerSpec.Device("/dev/fuse", "/dev/fuse", "rwm"),
                new ContainerSpec.Device("/dev/null", "/dev/n2", "r")), s.devices());
        assertEquals("host", s.usernsMode());
    }

    @Test
    void securityOptionsAsDockerdSpellsThem() {
        assertFalse(parse("{\"SecurityOpt\":[\"no-new-privileges=false\"]}").noNewPrivileges());
        assertTrue(parse("{\"SecurityOpt\":[\"no-new-privileges:true\"]}").noNewPrivileges());
        assertEquals("", parse("{\"SecurityOpt\":[\"seccomp=builtin\"]}").seccomp());
        String profile = "{\"defaultAction\":\"SCMP_ACT_ALLOW\"}";
        assertEquals(profile, parse(new JsonObject().put("SecurityOpt", List.of("seccomp=" + profile)).encode()).seccomp());

        assertEquals("invalid --security-opt 1: \"nonsense\"", refused("{\"SecurityOpt\":[\"nonsense\"]}"));
        assertEquals("invalid --security-opt 2: \"what=ever\"", refused("{\"SecurityOpt\":[\"what=ever\"]}"));
        assertEquals("invalid --security-opt 2: \"no-new-privileges=maybe\"",
                refused("{\"SecurityOpt\":[\"no-new-privileges=maybe\"]}"));
        assertTrue(refused("{\"SecurityOpt\":[\"seccomp={oops\"]}").startsWith("Decoding seccomp profile failed: "));
        assertTrue(refused("{\"SecurityOpt\":[\"apparmor=docker-default\"]}").contains("no AppArmor or SELinux"));
    }

    @Test
    void badCapabilitiesDevicesAndModesAreRefused() {
        assertEquals("invalid CapAdd: unknown capability: \"CAP_NOPE\"", refused("{\"CapAdd\":[\"NOPE\"]}"));
        assertEquals("invalid CapDrop: unknown capability: \"CAP_X\"", refused("{\"CapDrop\":[\"x\"]}"));
        assertEquals("invalid device mode: rwx",
                refused("{\"Devices\":[{\"PathOnHost\":\"/dev/null\",\"CgroupPermissions\":\"rwx\"}]}"));
        assertEquals("invalid device mode: rr",
                refused("{\"Devices\":[{\"PathOnHost\":\"/dev/null\",\"CgroupPermissions\":\"rr\"}]}"));
        assertEquals("dev/null is not an absolute path", refused("{\"Devices\":[{\"PathOnHost\":\"dev/null\"}]}"));
        assertEquals("x is not an absolute path",
                refused("{\"Devices\":[{\"PathOnHost\":\"/dev/null\",\"PathInContainer\":\"x\"}]}"));
        assertEquals("invalid UsernsMode: other", refused("{\"UsernsMode\":\"other\"}"));
        refused("{\"Devices\":\"/dev/null\"}");
    }
}
