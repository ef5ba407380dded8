package io.workdisk.agent.engine.image;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.workdisk.agent.engine.seed.SeedReport;

/**
 * What build-seed made from an image: the seed's own report, plus which image (its manifest digest, the
 * platform chosen), how many layers and tar entries were applied, how much they expanded to, and the
 * whiteouts and opaque directories that removed lower layers' entries; {@code layersIndexedFromRecord}
 * counts the layers whose headers a record of an earlier build gave, so they were not read for the index.
 */
public record ImageSeedReport(
        @JsonUnwrapped SeedReport seed,
        String ownership,
        String digest,
        String configDigest,
        String platform,
        int layers,
        long entries,
        long uncompressedBytes,
        int whiteouts,
        int opaqueDirectories,
        int layersIndexedFromRecord) {}
