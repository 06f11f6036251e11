package io.berth.daemon.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.berth.errors.EngineException;
import io.berth.events.ContainerSpec;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class MountSpecsTest {

    private static List<ContainerSpec.Mount> parse(String config, String host) {
        int[] n = {0};
        return MountSpecs.parse(new JsonObject(config), new JsonObject(host), () -> "anon" + (++n[0]));
    }

    @Test
    void bindsAreHostPathsOrVolumeNames() {
        assertEquals(new ContainerSpec.Mount("bind", "/srv/data", "/data", false), MountSpecs.bind("/srv/data/:/data"));
        assertEquals(new ContainerSpec.Mount("bind", "/srv", "/data", true), MountSpecs.bind("/srv:/data:ro"));
        assertEquals(new ContainerSpec.Mount("volume", "db", "/var/lib/db", false), MountSpecs.bind("db:/var/lib/db:rw"));
        assertThrows(EngineException.class, () -> MountSpecs.bind("/srv"));
        assertThrows(EngineException.class, () -> MountSpecs.bind("/srv:data"));
        assertThrows(EngineException.class, () -> MountSpecs.bind("/srv:/data:bogus"));
        assertThrows(EngineException.class, () -> MountSpecs.bind("bad name:/data"));
        assertThrows(EngineException.class, () -> MountSpecs.bind("/srv:/"));
    }

    @Test
    void mountsVolumesAndBindsTogether() {
        List<ContainerSpec.Mount> m = parse("{\"Volumes\":{\"/cache\":{}}}", """
                {"Binds":["/h:/h"],"Mounts":[{"Type":"volume","Source":"v1","Target":"/v","ReadOnly":true},
                 {"Type":"bind","Source":"/etc","Target":"/e"},{"Type":"volume","Target":"/anon"}]}""");
        assertEquals(List.of(new ContainerSpec.Mount("bind", "/h", "/h", false),
                new ContainerSpec.Mount("volume", "v1", "/v", true),
                new ContainerSpec.Mount("bind", "/etc", "/e", false),
                new ContainerSpec.Mount("volume", "anon1", "/anon", false),
                new ContainerSpec.Mount("volume", "anon2", "/cache", false)), m);
        // A Config.Volumes path that a bind already covers is that bind.
        assertEquals(1, parse("{\"Volumes\":{\"/h\":{}}}", "{\"Binds\":[\"/h:/h\"]}").size());
        assertThrows(EngineException.class, () -> parse("{}", "{\"Binds\":[\"/a:/x\",\"/b:/x\"]}"));
        assertThrows(EngineException.class, () -> parse("{}", "{\"Mounts\":[{\"Type\":\"npipe\",\"Target\":\"/t\"}]}"));
        assertThrows(EngineException.class, () -> parse("{}", "{\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"rel\",\"Target\":\"/t\"}]}"));
    }

    @Test
    void tmpfsFromTheFlagAndFromMount() {
        List<ContainerSpec.Mount> m = parse("{}", """
                {"Tmpfs":{"/run":"rw,size=64m","/tmp":""},
                 "Mounts":[{"Type":"tmpfs","Target":"/cache","TmpfsOptions":{"SizeBytes":1048576,"Mode":1023}},
                           {"Type":"tmpfs","Target":"/ro","ReadOnly":true}]}""");
        assertEquals(List.of(new ContainerSpec.Mount("tmpfs", "size=1024k,mode=1777", "/cache", false),
                new ContainerSpec.Mount("tmpfs", "ro", "/ro", true),
                new ContainerSpec.Mount("tmpfs", "rw,size=64m", "/run", false),
                new ContainerSpec.Mount("tmpfs", "", "/tmp", false)), m);
        assertThrows(EngineException.class, () -> parse("{}", "{\"Tmpfs\":{\"run\":\"\"}}"), "relative path");
        assertThrows(EngineException.class, () -> parse("{}", "{\"Tmpfs\":{\"/run\":\"size=lots\"}}"));
        assertThrows(EngineException.class, () -> parse("{}", "{\"Tmpfs\":{\"/run\":\"bogus\"}}"));
        assertThrows(EngineException.class, () -> parse("{}", "{\"Tmpfs\":[\"/run\"]}"));
        assertThrows(EngineException.class, () -> parse("{}", "{\"Binds\":[\"/h:/run\"],\"Tmpfs\":{\"/run\":\"\"}}"),
                "a tmpfs over a bind is a duplicate mount point");
        assertThrows(EngineException.class, () -> parse("{}",
                "{\"Mounts\":[{\"Type\":\"tmpfs\",\"Source\":\"/x\",\"Target\":\"/t\"}]}"));
    }
}
