package io.berth.daemon.system;

import io.berth.daemon.runtime.spec.Capabilities;
import io.berth.daemon.runtime.spec.SeccompProfiles;
import io.berth.daemon.runtime.spec.SpecBuilder;
import io.berth.errors.EngineException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * What this daemon can confine containers with, read once at start: the capabilities in its own
 * bounding set (/proc/self/status {@code CapBnd}), the default seccomp profile, the machine's
 * architecture and kernel release.
 */
public final class HostConfinement {

    private HostConfinement() {}

    /**
     * @param seccompProfile a profile file, or {@code unconfined}
     * @throws EngineException INVALID when the profile is missing or unreadable, since containers
     *                         would otherwise run with less confinement than the operator expects
     */
    public static SpecBuilder.Confinement read(String seccompProfile) throws IOException {
        JsonObject profile = null;
        if (!"unconfined".equals(seccompProfile)) {
            try {
                profile = SeccompProfiles.parse(Files.readString(Path.of(seccompProfile)));
            } catch (NoSuchFileException e) {
                throw EngineException.invalid("seccomp profile " + seccompProfile + " not found: install "
                        + "containers-common (Debian: golang-github-containers-common), or set seccomp-profile");
            } catch (EngineException e) {
                throw EngineException.invalid("seccomp profile " + seccompProfile + ": " + e.getMessage());
            }
        }
        return new SpecBuilder.Confinement(Capabilities.ofMask(boundingSet()), profile, SeccompProfiles.Arch.host(),
                Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim());
    }

    private static long boundingSet() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("CapBnd:")) {
                return Long.parseUnsignedLong(line.substring("CapBnd:".length()).trim(), 16);
            }
        }
        throw new IOException("no CapBnd in /proc/self/status");
    }
}
