package io.workdisk.agent.source.image;

import io.workdisk.agent.engine.oci.Digest;
import java.nio.file.Path;
import java.util.List;

/**
 * What an image's config blob says that building from it needs: the platform it was built for and the
 * digests of its uncompressed layers ({@code rootfs.diff_ids}), one per layer, in order.
 *
 * @param path the verified config blob in the layer cache, for whoever needs more of it
 */
public record ImageConfig(
        Digest digest, Path path, String os, String architecture, String variant, List<Digest> diffIds) {
    public ImageConfig {
        diffIds = List.copyOf(diffIds);
    }
}
