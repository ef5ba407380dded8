package io.workdisk.agent.engine.image;

import io.workdisk.agent.engine.DiskEngine;
import io.workdisk.agent.engine.ext4.Inode;
import io.workdisk.agent.engine.files.ConfinedRoot;
import io.workdisk.agent.engine.oci.Platform;
import io.workdisk.agent.engine.seed.SeedMethod;
import io.workdisk.agent.engine.seed.SeedOwnership;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.Phases;
import io.workdisk.agent.engine.shared.Timed;
import io.workdisk.agent.engine.tools.E2fsTools;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutorService;

/** What the image seed tests share: an engine held to one method, and an image of given layers. */
final class ImageSeeds {
    /** The layer readers of the indexes these tests make directly, as the agent's engine holds one pool. */
    private static final ExecutorService READERS = LayerReaders.pool(2);

    private ImageSeeds() {}

    /** An index reading its layers on the tests' reader pool. */
    static LayerIndex index(SeedOwnership ownership, LayerLimits limits, Inode.Timestamp now) {
        return new LayerIndex(ownership, limits, now, READERS);
    }

    static DiskEngine engine(SeedMethod method) {
        return new DiskEngine(E2fsTools.fromEnvironment(), System::nanoTime, method);
    }

    /** An engine held to one method whose clock the test sets. */
    static DiskEngine engine(SeedMethod method, Clock clock) {
        return new DiskEngine(E2fsTools.fromEnvironment(), System::nanoTime, method, clock);
    }

    /** An image of {@code layers} as a registry or archive would hand it over, under made-up digests. */
    static ImageLayers imageOf(List<Layer> layers) {
        return new ImageLayers("sha256:" + "1".repeat(64), "sha256:" + "2".repeat(64), "linux/amd64", layers);
    }

    /** The seed of the whole archive for this host's platform, as the CLI's build-seed --oci-archive makes it. */
    static Timed<ImageSeedReport> fromArchive(
            DiskEngine engine, ConfinedRoot root, Path archive, SeedOwnership ownership, Path seed, String requester)
            throws EngineException {
        Phases phases = new Phases(System::nanoTime);
        ImageSeedRequest request =
                ImageSeedRequest.fromArchive(archive, Platform.host(), "/", ownership, seed, requester, false, phases);
        return engine.buildImageSeed(root, request, phases, entries -> {});
    }
}
