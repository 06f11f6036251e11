package io.berth.daemon.image;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.berth.daemon.FuzzFindings;
import io.berth.daemon.os.FileOps;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes the layer tar reader (gzip detection included) as a pull or load feeds it: a layer or a
 * client error, never an internal one, and nothing written outside the layer's directory, whatever
 * the entries' names, links and types.
 */
class LayerTarFuzz {

    private static Path base;

    @BeforeAll
    static void makeBase() throws IOException {
        base = Files.createTempDirectory("berth-layer-fuzz");
    }

    @AfterAll
    static void removeBase() throws IOException {
        FileOps.deleteTree(base);
    }

    @FuzzTest(maxDuration = "20s")
    void aTarIsALayerOrAClientError(byte[] input) throws IOException {
        Path root = Files.createDirectory(base.resolve("layer"));
        try (InputStream tar = LayerUnpacker.decompressed(new ByteArrayInputStream(input))) {
            LayerUnpacker.unpack(tar, root);
        } catch (Throwable t) {
            FuzzFindings.requireClientError(t);
        } finally {
            try (Stream<Path> s = Files.list(base)) {
                List<Path> left = s.toList();
                if (!left.equals(List.of(root))) {
                    throw new AssertionError("written outside the layer: " + left);
                }
            }
            FileOps.deleteTree(root);
        }
    }
}
