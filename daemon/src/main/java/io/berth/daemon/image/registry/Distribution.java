package io.berth.daemon.image.registry;

import io.berth.daemon.image.ImageReference;
import java.util.List;

/**
 * The image service's view of registries: pull, push and the credential check of {@code docker login}.
 * Blocking; call it from workers.
 */
public interface Distribution {

    ImagePuller.Pulled pull(ImageReference ref, RegistryAuth auth, Progress progress);

    /** Pushes an image (its config exactly as stored and its layers' diffIDs) as {@code ref}, which has a tag. */
    ImagePusher.Pushed push(ImageReference ref, byte[] rawConfig, List<String> diffIds, RegistryAuth auth, Progress progress);

    /**
     * Checks credentials against a registry ({@code serverAddress} as the CLI sends it: a host, or a URL
     * such as {@code https://index.docker.io/v1/}).
     *
     * @return the identity token (an OAuth refresh token) the registry's token server handed out, or empty
     * @throws io.berth.errors.EngineException UNAUTHENTICATED when the registry refuses them
     */
    String login(String serverAddress, RegistryAuth auth);
}
