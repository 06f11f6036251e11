package io.berth.daemon.image;

import java.util.List;
import java.util.Map;

/**
 * The parts of an image's config a container starts from (Docker's image {@code config} object).
 * Empty lists and strings mean "not set".
 */
public record ImageConfig(List<String> env, List<String> entrypoint, List<String> cmd, String workingDir,
                          String user, Map<String, String> labels, String stopSignal, List<String> exposedPorts,
                          String architecture, String os) {
    public ImageConfig {
        env = List.copyOf(env);
        entrypoint = List.copyOf(entrypoint);
        cmd = List.copyOf(cmd);
        labels = Map.copyOf(labels);
        exposedPorts = List.copyOf(exposedPorts);
    }
}
