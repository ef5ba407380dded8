package io.workdisk.agent.engine.image;

import io.workdisk.agent.engine.oci.Platform;
import io.workdisk.agent.engine.seed.SeedNames;
import io.workdisk.agent.engine.seed.SeedOwnership;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.Phases;
import java.nio.file.Path;

/**
 * A seed from a container image's layers, for {@link ImageSeedBuilder}: which image, named how in the
 * report ({@code source}), which part of it, whose files, and where the seed goes.
 */
public record ImageSeedRequest(
        ImageLayers image,
        String source,
        String subtree,
        SeedOwnership ownership,
        Path target,
        String requester,
        boolean force) {

    /**
     * A seed from an OCI image layout or docker save archive, read in place for {@code platform} (the
     * "read" phase); with no {@code target} the seed goes next to the archive.
     */
    public static ImageSeedRequest fromArchive(
            Path archive,
            Platform platform,
            String subtree,
            SeedOwnership ownership,
            Path target,
            String requester,
            boolean force,
            Phases phases)
            throws EngineException {
        ImageLayers image = OciArchive.read(archive, platform);
        phases.done("read");
        Path seed = target != null ? target : SeedNames.defaultSeedPath(archive.toAbsolutePath());
        return new ImageSeedRequest(image, archive.toString(), subtree, ownership, seed, requester, force);
    }
}
