package io.berth.rpm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** rpmlint finds nothing the rpmlintrc does not filter, and every filter says why it is there. */
class RpmlintTest {

    private static final Path RPMLINTRC = Rpm.module().resolve("src/main/rpm/berth.rpmlintrc");

    @Test
    void rpmlintReportsNothingUnjustified() throws Exception {
        Rpm.Result r = Rpm.run(Map.of(), "rpmlint", "-r", RPMLINTRC.toString(), Rpm.built().toString());
        // rpmlint 2 also reports a filter that matched nothing, so a stale one fails here too.
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains(" 0 errors, 0 warnings"), r.out());
    }

    @Test
    void everyFilterHasAComment() throws Exception {
        List<String> lines = Files.readAllLines(RPMLINTRC);
        List<String> bare = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("addFilter(")) {
                int j = i - 1;
                while (j >= 0 && lines.get(j).startsWith("addFilter(")) {
                    j--;
                }
                if (j < 0 || !lines.get(j).startsWith("#")) {
                    bare.add(lines.get(i));
                }
            }
        }
        assertEquals(List.of(), bare, "filters without a comment saying why");
    }
}
