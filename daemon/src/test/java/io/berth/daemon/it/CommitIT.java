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
import java.util.TreeSet;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;

/**
 * {@code docker commit}, {@code diff}, {@code history}, {@code export} and {@code image prune}
 * through the docker CLI, and {@code save}/{@code load} of several multi-layer images at once.
 */
class CommitIT extends DaemonTest {

    /** The CLI sends {@code --until 0s} in whole seconds, which leaves out this second's events, as with dockerd. */
    private static String nextSecond() {
        return String.valueOf(System.currentTimeMillis() / 1000 + 1);
    }

    private JsonObject image(String ref) throws Exception {
        return new JsonArray(ok("image", "inspect", ref).out()).getJsonObject(0);
    }

    @Test
    void commitDiffHistoryAndTheCommittedImageRuns() throws Exception {
        ok("run", "--name", "maker", "busybox", "sh", "-c",
                "echo one > /tmp/added && mkdir /newdir && echo deep > /newdir/f && rm /bin/vi && echo changed >> /etc/passwd");
        try {
            List<String> diff = ok("diff", "maker").out().lines().toList();
            assertEquals(List.of("C /bin", "D /bin/vi", "C /etc", "C /etc/passwd", "A /newdir", "A /newdir/f",
                    "C /tmp", "A /tmp/added"), diff, "the runtime's mount points (/etc/hosts, /proc, ...) are not changes");

            String id = ok("commit", "-a", "berth-test", "-m", "a first commit", "-c", "CMD [\"cat\", \"/tmp/added\"]",
                    "-c", "ENV COMMITTED=yes", "maker", "committed:1").trimmed();
            assertTrue(id.matches("sha256:[0-9a-f]{64}"), id);
            JsonObject img = image("committed:1");
            assertEquals(id, img.getString("Id"));
            assertEquals(2, img.getJsonObject("RootFS").getJsonArray("Layers").size(), "the image's layer plus one");
            assertEquals("berth-test", img.getString("Author"));
            assertEquals("a first commit", img.getString("Comment"));
            assertTrue(img.getJsonObject("Config").getJsonArray("Env").contains("COMMITTED=yes"), img.encode());

            assertEquals("one\n", ok("run", "--rm", "committed:1").out(), "the CMD change and the new file");
            assertEquals("deep\n", ok("run", "--rm", "committed:1", "cat", "/newdir/f").out());
            Docker.Result vi = docker.run("run", "--rm", "committed:1", "ls", "/bin/vi");
            assertNotEquals(0, vi.exit(), "a deleted file stays deleted: " + vi);
            assertTrue(ok("run", "--rm", "committed:1", "tail", "-n", "1", "/etc/passwd").out().contains("changed"));
            assertEquals("yes\n", ok("run", "--rm", "committed:1", "sh", "-c", "echo $COMMITTED").out());

            List<String> history = ok("history", "--no-trunc", "--format", "{{.CreatedBy}}|{{.Comment}}", "committed:1")
                    .out().lines().toList();
            assertEquals(2, history.size(), String.join("\n", history));
            assertTrue(history.get(0).startsWith("sh -c echo one > /tmp/added") && history.get(0).endsWith("|a first commit"),
                    history.get(0));

            // A commit of the commit: three layers, and the lower two are shared, not copied.
            ok("run", "--name", "maker2", "committed:1", "sh", "-c", "echo two > /tmp/second");
            ok("commit", "maker2", "committed:2");
            assertEquals(3, image("committed:2").getJsonObject("RootFS").getJsonArray("Layers").size());
            assertEquals("one\ntwo\n", ok("run", "--rm", "committed:2", "cat", "/tmp/added", "/tmp/second").out());

            Docker.Result events = ok("events", "--since", "0", "--until", nextSecond(), "--filter", "event=commit",
                    "--format", "{{.Type}} {{.Actor.Attributes.name}} {{.Actor.Attributes.imageRef}}");
            assertEquals(List.of("container maker committed:1", "container maker2 committed:2"),
                    events.out().lines().filter(l -> l.startsWith("container maker")).toList(), events.out());
        } finally {
            docker.run("rm", "-f", "maker", "maker2");
            docker.run("rmi", "committed:2", "committed:1");
        }
    }

    @Test
    void aRunningContainerIsCommittedPausedAndKeepsRunning() throws Exception {
        ok("run", "-d", "--name", "live", "busybox", "sh", "-c", "echo running > /state; sleep 600");
        try {
            for (int i = 0; i < 100 && !docker.run("exec", "live", "cat", "/state").out().contains("running"); i++) {
                Thread.sleep(50);
            }
            ok("commit", "live", "live:snap");
            assertEquals("running", inspect("live").getJsonObject("State").getString("Status"), "resumed after the commit");
            assertEquals("running\n", ok("run", "--rm", "live:snap", "cat", "/state").out());
            Docker.Result events = ok("events", "--since", "0", "--until", nextSecond(), "--filter", "container=live",
                    "--format", "{{.Action}}");
            String actions = events.out();
            assertTrue(actions.indexOf("pause") < actions.indexOf("commit")
                    && actions.indexOf("commit") < actions.indexOf("unpause"), actions);
        } finally {
            docker.run("rm", "-f", "live");
            docker.run("rmi", "live:snap");
        }
    }

    @Test
    void exportWritesTheWholeRootFileSystem() throws Exception {
        ok("create", "--name", "exp", "busybox", "true");
        Path tar = berth.root().resolve("exp.tar");
        try {
            ok("cp", Files.writeString(berth.root().resolve("note"), "exported\n").toString(), "exp:/note");
            ok("export", "-o", tar.toString(), "exp");
            Set<String> names = new TreeSet<>();
            String note = null;
            try (TarArchiveInputStream in = new TarArchiveInputStream(Files.newInputStream(tar))) {
                for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                    names.add(e.getName());
                    if (e.getName().equals("note")) {
                        note = new String(in.readAllBytes());
                    }
                }
            }
            assertEquals("exported\n", note);
            assertTrue(names.contains("bin/busybox") && names.contains("etc/passwd") && names.contains("bin/"), names.toString());
            assertFalse(names.stream().anyMatch(n -> n.startsWith("/") || n.contains("..")), names.toString());
            // The export is a root file system docker import takes back.
            ok("import", tar.toString(), "reimported:1");
            assertEquals("exported\n", ok("run", "--rm", "reimported:1", "cat", "/note").out());
        } finally {
            docker.run("rm", "-f", "exp");
            docker.run("rmi", "reimported:1");
        }
    }

    @Test
    void saveAndLoadSeveralMultiLayerImagesAtOnce() throws Exception {
        ok("run", "--name", "l1", "busybox", "sh", "-c", "echo a > /a");
        ok("commit", "l1", "multi:a");
        ok("run", "--name", "l2", "multi:a", "sh", "-c", "echo b > /b");
        ok("commit", "l2", "multi:b");
        ok("rm", "l1", "l2");
        String a = image("multi:a").getString("Id");
        String b = image("multi:b").getString("Id");
        Path archive = berth.root().resolve("multi.tar");
        try {
            ok("save", "-o", archive.toString(), "multi:a", "multi:b");
            ok("rmi", "multi:b", "multi:a");
            Docker.Result load = ok("load", "-i", archive.toString());
            assertTrue(load.out().contains("Loaded image: multi:a") && load.out().contains("Loaded image: multi:b"), load.out());
            assertEquals(a, image("multi:a").getString("Id"));
            assertEquals(b, image("multi:b").getString("Id"));
            assertEquals("a\nb\n", ok("run", "--rm", "multi:b", "cat", "/a", "/b").out());
        } finally {
            docker.run("rmi", "multi:b", "multi:a");
        }
    }

    @Test
    void anImageWithChildrenIsOnlyUntaggedAndGoesWithItsLastChild() throws Exception {
        ok("run", "--name", "pmaker", "busybox", "sh", "-c", "echo p > /p");
        ok("commit", "pmaker", "parent:1");
        ok("run", "--name", "kmaker", "parent:1", "sh", "-c", "echo k > /k");
        ok("commit", "kmaker", "child:1");
        ok("rm", "pmaker", "kmaker");
        String parent = image("parent:1").getString("Id");
        String child = image("child:1").getString("Id");
        String busybox = image("busybox").getString("Id");
        try {
            assertEquals(parent, image("child:1").getString("Parent"));
            assertEquals(busybox, image("parent:1").getString("Parent"));
            assertEquals("", image("busybox").getString("Parent"), "an imported image has none");

            String refused = "conflict: unable to delete " + parent.substring(7, 19)
                    + " (cannot be forced) - image has dependent child images";
            Docker.Result byId = docker.run("rmi", parent);
            assertEquals(1, byId.exit(), byId.toString());
            assertTrue(byId.err().contains(refused), byId.err());
            Docker.Result forced = docker.run("rmi", "-f", parent);
            assertTrue(forced.exit() == 1 && forced.err().contains(refused), forced.toString());

            assertEquals("Untagged: parent:1", ok("rmi", "parent:1").trimmed(), "by tag only the tag goes");
            assertEquals(parent, image(parent).getString("Id"));
            String plain = ok("images", "--no-trunc", "--format", "{{.ID}}").out();
            assertFalse(plain.contains(parent), "an untagged parent is an intermediate image, listed only with -a");
            assertTrue(ok("images", "-a", "--no-trunc", "--format", "{{.ID}}").out().contains(parent));
            assertFalse(ok("images", "--filter", "dangling=true", "--no-trunc", "--format", "{{.ID}}").out().contains(parent));

            List<String> removed = ok("rmi", "child:1").out().lines().toList();
            assertEquals(List.of("Untagged: child:1", "Deleted: " + child, "Deleted: " + parent), removed,
                    "the untagged parent goes with its last child; tagged busybox stays");
            assertEquals(1, docker.run("image", "inspect", parent).exit());
            assertEquals(0, docker.run("image", "inspect", "busybox").exit());
            // Deleting the two freed their own layers only: busybox's is whole.
            assertEquals("ok\n", ok("run", "--rm", "busybox", "echo", "ok").out());
        } finally {
            docker.run("rm", "-f", "pmaker", "kmaker");
            docker.run("rmi", "child:1");
            docker.run("rmi", "parent:1");
            docker.run("rmi", parent);
        }
    }

    @Test
    void imagePruneTakesDanglingImagesAndWithAllUnusedOnes() throws Exception {
        ok("run", "--name", "p1", "busybox", "sh", "-c", "echo 1 > /x");
        String dangling = ok("commit", "p1").trimmed();
        ok("commit", "p1", "kept:1");
        ok("rm", "p1");
        try {
            assertEquals("<none>", ok("images", "--filter", "dangling=true", "--format", "{{.Repository}}").trimmed());
            Docker.Result prune = ok("image", "prune", "-f");
            assertTrue(prune.out().contains("deleted: " + dangling), prune.out());
            assertEquals(1, docker.run("image", "inspect", dangling).exit(), "the dangling image is gone");
            assertEquals(0, docker.run("image", "inspect", "kept:1").exit(), "a tagged image stays without -a");

            ok("create", "--name", "user", "kept:1");
            ok("image", "prune", "-a", "-f");
            assertEquals(0, docker.run("image", "inspect", "kept:1").exit(), "an image a container uses stays");
            assertEquals(0, docker.run("image", "inspect", "busybox").exit(), "busybox stays: kept:1 is built on it");
        } finally {
            docker.run("rm", "-f", "user");
            docker.run("rmi", "kept:1");
        }
    }
}
