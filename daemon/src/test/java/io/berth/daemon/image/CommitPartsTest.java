package io.berth.daemon.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.berth.daemon.os.IdMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The parts of {@code docker commit} and {@code docker diff} that need no root: configs, changes, layer tars. */
class CommitPartsTest {

    private static final String DIFF_A = "sha256:" + "a".repeat(64);
    private static final String DIFF_B = "sha256:" + "b".repeat(64);

    @Test
    void aCommittedConfigIsTheParentsWithOneMoreLayerAndHistoryEntry() {
        JsonObject parent = new JsonObject().put("architecture", "amd64").put("os", "linux")
                .put("config", new JsonObject().put("Cmd", new JsonArray().add("sh")))
                .put("container_config", new JsonObject())
                .put("history", new JsonArray().add(new JsonObject().put("created", "2020-01-01T00:00:00Z")))
                .put("rootfs", new JsonObject().put("type", "layers").put("diff_ids", new JsonArray().add(DIFF_A)));
        byte[] raw = ImageConfigJson.forCommit(parent, new JsonObject().put("Cmd", new JsonArray().add("true")), DIFF_B,
                "c0ffee", "me", "why", "sh -c true", 1_700_000_000_500_000_000L);
        JsonObject c = ImageConfigJson.read(raw, "test");
        assertEquals(List.of(DIFF_A, DIFF_B), ImageConfigJson.diffIds(c, "test"));
        assertEquals("c0ffee", c.getString("container"));
        assertEquals("me", c.getString("author"));
        assertEquals("why", c.getString("comment"));
        assertEquals("2023-11-14T22:13:20.5Z", c.getString("created"));
        assertFalse(c.containsKey("container_config"));
        JsonObject last = c.getJsonArray("history").getJsonObject(1);
        assertEquals(new JsonObject().put("created", "2023-11-14T22:13:20.5Z").put("author", "me")
                .put("created_by", "sh -c true").put("comment", "why"), last);
        assertEquals(1, parent.getJsonObject("rootfs").getJsonArray("diff_ids").size(), "the parent is left as it was");
    }

    @Test
    void changesApplyOnTopOfTheContainersConfig() {
        ImageConfig base = new ImageConfig(List.of("PATH=/bin", "A=1"), List.of(), List.of("sleep", "1"), "/srv", "app",
                Map.of("l", "v"), "", List.of("80/tcp"), "amd64", "linux");
        JsonObject c = DockerfileChanges.apply(base, List.of("ENV A=2", "CMD [\"echo\", \"x\"]", "EXPOSE 53/udp"));
        assertEquals(new JsonArray().add("PATH=/bin").add("A=2"), c.getJsonArray("Env"));
        assertEquals(new JsonArray().add("echo").add("x"), c.getJsonArray("Cmd"));
        assertEquals("/srv", c.getString("WorkingDir"));
        assertEquals("app", c.getString("User"));
        assertEquals(new JsonObject().put("l", "v"), c.getJsonObject("Labels"));
        assertEquals(Set.of("80/tcp", "53/udp"), c.getJsonObject("ExposedPorts").fieldNames());
    }

    @Test
    void diffAndLayerLeaveOutTheRuntimesFilesAndDirectoriesCopiedUpForThem(@TempDir Path dir) throws Exception {
        Path lower = Files.createDirectories(dir.resolve("lower"));
        Files.createDirectories(lower.resolve("etc"));
        Files.createDirectories(lower.resolve("bin"));
        Files.writeString(lower.resolve("etc/passwd"), "root\n");
        Files.writeString(lower.resolve("bin/sh"), "#!");
        Path upper = Files.createDirectories(dir.resolve("upper"));
        Files.createDirectories(upper.resolve("etc"));
        Files.writeString(upper.resolve("etc/passwd"), "root\nme\n");
        Files.writeString(upper.resolve("etc/hosts"), "");
        Files.createDirectories(upper.resolve("bin"));
        Files.createDirectories(upper.resolve("proc"));
        Files.createDirectories(upper.resolve("tmp/sub"));
        Files.writeString(upper.resolve("tmp/sub/new"), "n");
        Files.createLink(upper.resolve("tmp/hard"), upper.resolve("tmp/sub/new"));
        Set<String> skip = Set.of("/etc/hosts", "/proc");

        List<String> diff = new ArrayList<>();
        for (TreeTar.Change c : TreeTar.changes(upper, List.of(lower), skip)) {
            diff.add(c.kind().ordinal() + " " + c.path());
        }
        assertEquals(List.of("0 /etc", "0 /etc/passwd", "1 /tmp", "1 /tmp/hard", "1 /tmp/sub", "1 /tmp/sub/new"), diff,
                "/bin holds nothing changed, /etc/hosts and /proc are the runtime's");

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TreeTar.layer(upper, List.of(lower), skip, out, IdMap.NONE);
        List<String> entries = new ArrayList<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(out.toByteArray()))) {
            for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                String what = e.isLink() ? " -> " + e.getLinkName()
                        : e.isFile() ? " " + new String(in.readAllBytes(), StandardCharsets.UTF_8).trim() : "";
                entries.add(e.getName() + what);
            }
        }
        assertEquals(List.of("etc/", "etc/passwd root\nme", "tmp/", "tmp/hard n", "tmp/sub/", "tmp/sub/new -> tmp/hard"),
                entries, "a hard link is written once, then linked");
    }
}
