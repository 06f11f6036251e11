package io.berth.daemon.runtime.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.berth.errors.EngineException;
import java.util.List;
import org.junit.jupiter.api.Test;

class TmpfsOptionsTest {

    @Test
    void userOptionsOverrideDockersDefaults() {
        assertEquals(List.of("noexec", "nosuid", "nodev", "rprivate"), TmpfsOptions.merge(""));
        assertEquals(List.of("nosuid", "nodev", "rprivate", "rw", "exec", "size=64m"),
                TmpfsOptions.merge("rw,exec,size=64m"));
        assertEquals(List.of("noexec", "nosuid", "nodev", "rprivate", "mode=1777", "size=2g"),
                TmpfsOptions.merge("size=1m,mode=1777,size=2g"), "the last size wins");
        assertEquals(List.of("noexec", "nosuid", "nodev", "relatime", "shared", "uid=1000", "gid=1000"),
                TmpfsOptions.merge("noatime,relatime,shared,uid=1000,gid=1000"));
    }

    @Test
    void unknownOrMalformedOptionsAreRefused() {
        for (String bad : List.of("bogus", "size=", "size=12q", "mode=999", "uid=-1", "huge=sometimes", "nobogus",
                "mpol=random")) {
            EngineException e = assertThrows(EngineException.class, () -> TmpfsOptions.check(bad), bad);
            assertEquals("invalid tmpfs option \"" + bad + "\"", e.getMessage());
        }
        assertEquals("nr_inodes=10k", TmpfsOptions.check("nr_inodes=10k"));
        assertEquals("mpol=bind:0-1", TmpfsOptions.check("mpol=bind:0-1"));
    }
}
