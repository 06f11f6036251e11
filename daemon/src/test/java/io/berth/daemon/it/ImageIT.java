package io.berth.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Import, list, inspect, tag, remove, save and load through the docker CLI. */
class ImageIT extends DaemonTest {

    @Override
    boolean importsBusybox() {
        return false;
    }

    @Test
    void importTagRemoveSaveLoad() throws Exception {
        String id = Busybox.importInto(docker);
        assertTrue(id.matches("sha256:[0-9a-f]{64}"), id);
        assertEquals("busybox latest " + id.substring(7, 19),
                ok("images", "--format", "{{.Repository}} {{.Tag}} {{.ID}}", "busybox").trimmed());
        JsonObject inspect = new JsonArray(ok("image", "inspect", "busybox").out()).getJsonObject(0);
        assertEquals(id, inspect.getString("Id"));
        assertEquals(new JsonArray().add("busybox:latest"), inspect.getJsonArray("RepoTags"));
        assertEquals("linux", inspect.getString("Os"));
        assertEquals(1, inspect.getJsonObject("RootFS").getJsonArray("Layers").size());

        ok("tag", "busybox", "bb:1");
        assertEquals(id, new JsonArray(ok("image", "inspect", "bb:1").out()).getJsonObject(0).getString("Id"));
        Docker.Result untag = ok("rmi", "bb:1");
        assertEquals("Untagged: bb:1", untag.trimmed(), "the image stays: busybox still names it");
        assertEquals(1, ok("images", "-q", "busybox").trimmed().split("\n").length);

        Path archive = berth.root().resolve("bb.tar");
        ok("save", "-o", archive.toString(), "busybox");
        Docker.Result rmi = ok("rmi", "busybox");
        assertTrue(rmi.out().contains("Untagged: busybox:latest") && rmi.out().contains("Deleted: " + id), rmi.out());
        assertEquals("", ok("images", "-q", "busybox").trimmed());
        Docker.Result load = ok("load", "-i", archive.toString());
        assertTrue(load.out().contains("Loaded image: busybox:latest"), load.out());
        assertEquals(id, new JsonArray(ok("image", "inspect", "busybox").out()).getJsonObject(0).getString("Id"),
                "the same image id after save, rmi and load");
        assertEquals("hi\n", ok("run", "--rm", "busybox", "echo", "hi").out());
    }

    @Test
    void importWithChangesSetsTheConfig() throws Exception {
        ok("import", "--change", "CMD [\"echo\", \"from-cmd\"]", "--change", "ENV GREETING=hey",
                Busybox.tarball().toString(), "withcmd:2");
        assertEquals("from-cmd\n", ok("run", "--rm", "withcmd:2").out());
        assertEquals("hey\n", ok("run", "--rm", "withcmd:2", "sh", "-c", "echo $GREETING").out());
        Docker.Result inUse = docker.run("create", "--name", "user", "withcmd:2");
        assertEquals(0, inUse.exit());
        Docker.Result refused = docker.run("rmi", "withcmd:2");
        assertNotEquals(0, refused.exit());
        assertTrue(refused.err().contains("is using its referenced image"), refused.err());
        ok("rm", "user");
        ok("rmi", "withcmd:2");
    }
}
