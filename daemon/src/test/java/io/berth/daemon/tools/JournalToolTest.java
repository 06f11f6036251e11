package io.berth.daemon.tools;

import static io.berth.daemon.tools.ToolJournal.at;
import static io.berth.events.Fixtures.id;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.events.ContainerEvent;
import io.berth.events.NoLeaks;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The {@code berthd journal} command line: help, usage errors, and where the journal is found. */
@ExtendWith(NoLeaks.class)
class JournalToolTest {

    @TempDir
    Path root;

    @Test
    void helpForTheToolAndEachCommand() {
        ToolJournal.Result top = ToolJournal.runExactly("--help");
        assertEquals(0, top.exit());
        assertTrue(top.out().startsWith("Usage:  berthd journal COMMAND [OPTIONS]\n"), top.out());
        for (String cmd : new String[] {"verify", "dump", "explain"}) {
            assertTrue(top.out().contains("\n  " + cmd + " "), top.out());
            ToolJournal.Result help = ToolJournal.runExactly(cmd, "--help");
            assertEquals(0, help.exit(), help.toString());
            assertTrue(help.out().startsWith("Usage:  berthd journal " + cmd + " "), help.out());
            assertTrue(help.out().contains("--data-root string"), help.out());
            assertEquals(help.out(), ToolJournal.runExactly(cmd, "-h").out());
        }
        assertTrue(ToolJournal.runExactly("dump", "--help").out().contains("--container string"));
        ToolJournal.Result bare = ToolJournal.runExactly();
        assertEquals(2, bare.exit());
        assertTrue(bare.err().startsWith("Usage:  berthd journal COMMAND"), bare.err());
    }

    @Test
    void usageErrorsExitWithTwo() {
        ToolJournal.Result unknown = ToolJournal.runExactly("fsck");
        assertEquals(2, unknown.exit());
        assertEquals("berthd journal: unknown command \"fsck\"\nSee 'berthd journal --help'.\n", unknown.err());
        ToolJournal.Result flag = ToolJournal.runExactly("verify", "--follow");
        assertEquals(2, flag.exit());
        assertEquals("berthd journal verify: unknown flag: --follow\nSee 'berthd journal verify --help'.\n", flag.err());
        ToolJournal.Result missing = ToolJournal.runExactly("dump", "--since");
        assertEquals(2, missing.exit());
        assertTrue(missing.err().startsWith("berthd journal dump: flag needs an argument: --since\n"), missing.err());
        ToolJournal.Result extra = ToolJournal.runExactly("verify", "what");
        assertEquals(2, extra.exit());
    }

    @Test
    void theDataRootComesFromTheFlagOrTheConfigFile() throws Exception {
        Path dataRoot = root.resolve("data");
        new ToolJournal(dataRoot).write(at(0, new ContainerEvent.Killed(id(1), 9)));

        ToolJournal.Result withEquals = ToolJournal.runExactly("dump", "--data-root=" + dataRoot);
        assertEquals(0, withEquals.exit(), withEquals.toString());
        assertEquals(1, withEquals.lines().size());

        Path config = root.resolve("daemon.json");
        Files.writeString(config, "{\"data-root\": \"" + dataRoot + "\"}\n");
        ToolJournal.Result fromConfig = ToolJournal.runExactly("dump", "--config-file", config.toString());
        assertEquals(withEquals.out(), fromConfig.out());

        Files.writeString(config, "{\"data-root\": \"" + dataRoot + "\", \"no-such-key\": 1}\n");
        ToolJournal.Result badConfig = ToolJournal.runExactly("verify", "--config-file", config.toString());
        assertEquals(1, badConfig.exit());
        assertTrue(badConfig.err().contains("no-such-key"), badConfig.err());
    }
}
