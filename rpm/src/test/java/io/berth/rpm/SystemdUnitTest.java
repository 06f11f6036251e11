package io.berth.rpm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** berth.service as installed: systemd-analyze finds nothing wrong, and it says what berthd needs. */
class SystemdUnitTest {

    @Test
    void systemdAnalyzeVerifiesTheInstalledUnit(@TempDir Path dir) throws Exception {
        Path root = Rpm.extract(dir);
        // The targets the unit's default dependencies name, from the host: the root has only the RPM.
        Path targets = Files.createDirectories(root.resolve("lib/systemd/system"));
        try (Stream<Path> s = Files.list(Path.of("/usr/lib/systemd/system"))) {
            for (Path t : s.filter(p -> p.toString().endsWith(".target")).toList()) {
                Files.copy(t, targets.resolve(t.getFileName()));
            }
        }
        // --man=no: the host has no berthd(8); --recursive-errors=no: only this unit, not the host's.
        Rpm.Result r = Rpm.run(Map.of(), "systemd-analyze", "verify", "--man=no", "--recursive-errors=no",
                "--root=" + root, "berth.service");
        assertEquals(0, r.exit(), r.out());
        assertEquals("", r.out().strip());
    }

    @Test
    void theUnitWaitsForReadyAndLeavesContainersAlone(@TempDir Path dir) throws Exception {
        List<String> unit = Files.readAllLines(Rpm.extract(dir).resolve("usr/lib/systemd/system/berth.service"));
        for (String line : List.of("Type=notify", "ExecStart=/usr/bin/berthd", "Delegate=yes", "KillMode=process",
                "Restart=on-failure", "SuccessExitStatus=143", "LimitNOFILE=1048576", "WantedBy=multi-user.target")) {
            assertTrue(unit.contains(line), line + " missing from berth.service");
        }
    }
}
