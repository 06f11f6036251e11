package io.berth.daemon.container;

import io.berth.daemon.image.ImageConfig;
import io.berth.events.state.Image;
import java.nio.file.Path;
import java.util.List;

/** What containers need from images: finding one by reference, its config, and its layers. */
public interface ImageResolver {

    /**
     * The image a reference names: a tag ({@code busybox}, {@code busybox:latest}), a full or short id.
     *
     * @throws io.berth.errors.EngineException NOT_FOUND "No such image: REF"
     */
    Image resolve(String ref);

    ImageConfig config(String imageId);

    /** Unpacked layer directories, lowest first. */
    List<Path> layerDirs(String imageId);
}
