package io.berth.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bind mounts, named and anonymous volumes with the local driver, and their events. */
class VolumeIT extends DaemonTest {

    @Test
    void bindMountDataOutlivesTheContainer() throws Exception {
        Path dir = Files.createTempDirectory("berth-bind");
        try {
            ok("run", "--rm", "-v", dir + ":/data", "busybox", "sh", "-c", "echo kept > /data/file");
            assertEquals("kept\n", Files.readString(dir.resolve("file")));
            assertEquals("kept", ok("run", "--rm", "-v", dir + ":/data:ro", "busybox", "cat", "/data/file").trimmed());
            Docker.Result ro = docker.run("run", "--rm", "-v", dir + ":/data:ro", "busybox", "touch", "/data/no");
            assertNotEquals(0, ro.exit(), ro.toString());
            assertTrue(!Files.exists(dir.resolve("no")));
            ok("run", "--rm", "--mount", "type=bind,source=" + dir + ",target=/m", "busybox", "sh", "-c", "echo m > /m/m");
            assertEquals("m\n", Files.readString(dir.resolve("m")));
            Docker.Result missing = docker.run("run", "--rm", "-v", dir.resolve("absent") + ":/x", "busybox", "true");
            assertNotEquals(0, missing.exit());
            assertTrue(missing.err().contains("bind source path does not exist"), missing.err());
        } finally {
            NetHost.run("rm", "-rf", dir.toString());
        }
    }

    @Test
    void namedVolumesPersistAndCannotGoWhileUsed() throws Exception {
        long since = System.currentTimeMillis() / 1000;
        ok("volume", "create", "--label", "k=v", "data");
        try {
            JsonObject v = new JsonArray(ok("volume", "inspect", "data").out()).getJsonObject(0);
            assertEquals("local", v.getString("Driver"));
            Path mountpoint = Path.of(v.getString("Mountpoint"));
            assertEquals(berth.dataRoot().resolve("volumes/data/_data"), mountpoint);
            assertEquals("v", v.getJsonObject("Labels").getString("k"));
            ok("run", "--name", "writer", "-v", "data:/data", "busybox", "sh", "-c", "echo persisted > /data/f");
            JsonObject mount = inspect("writer").getJsonArray("Mounts").getJsonObject(0);
            assertEquals("volume", mount.getString("Type"));
            assertEquals("data", mount.getString("Name"));
            Docker.Result inUse = docker.run("volume", "rm", "data");
            assertNotEquals(0, inUse.exit());
            assertTrue(inUse.err().contains("volume is in use"), inUse.err());
            ok("rm", "writer");
            assertEquals("persisted", ok("run", "--rm", "--mount", "type=volume,source=data,target=/d", "busybox",
                    "cat", "/d/f").trimmed());
            assertEquals("persisted\n", Files.readString(mountpoint.resolve("f")));
            assertTrue(ok("volume", "ls", "--format", "{{.Name}}").out().lines().toList().contains("data"));
            // -v NAME:/path of a volume that does not exist makes it.
            ok("run", "--rm", "-v", "made:/m", "busybox", "true");
            assertTrue(ok("volume", "ls", "-q").out().contains("made"));
            ok("volume", "rm", "made");
        } finally {
            docker.run("rm", "-f", "writer");
            docker.run("volume", "rm", "data");
        }
        assertTrue(!Files.exists(berth.dataRoot().resolve("volumes/data")));
        assertEquals("", ok("volume", "ls", "-q").trimmed());
        String events = ok("events", "--since", String.valueOf(since), "--until",
                String.valueOf(System.currentTimeMillis() / 1000 + 1), "--filter", "type=volume",
                "--format", "{{.Action}} {{.Actor.ID}}").out();
        for (String e : List.of("create data", "mount data", "unmount data", "destroy data")) {
            assertTrue(events.contains(e), e + " in\n" + events);
        }
    }

    @Test
    void anonymousVolumesGoWithRmV() throws Exception {
        ok("run", "--name", "anon", "-v", "/scratch", "busybox", "sh", "-c", "echo x > /scratch/x");
        String name = inspect("anon").getJsonArray("Mounts").getJsonObject(0).getString("Name");
        assertTrue(name.matches("[0-9a-f]{64}"), name);
        ok("rm", "-v", "anon");
        assertTrue(!ok("volume", "ls", "-q").out().contains(name));
        ok("run", "--name", "keep", "-v", "/scratch", "busybox", "true");
        String kept = inspect("keep").getJsonArray("Mounts").getJsonObject(0).getString("Name");
        ok("rm", "keep");
        assertTrue(ok("volume", "ls", "-q").out().contains(kept), "rm without -v keeps it");
        // prune takes anonymous volumes no container uses.
        assertTrue(ok("volume", "prune", "-f").out().contains(kept));
        assertTrue(!ok("volume", "ls", "-q").out().contains(kept));
    }
}
