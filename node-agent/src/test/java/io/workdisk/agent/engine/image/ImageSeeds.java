package io.workdisk.agent.engine.image;

import io.workdisk.agent.engine.DiskEngine;
import io.workdisk.agent.engine.seed.SeedMethod;
import io.workdisk.agent.engine.tools.E2fsTools;
import java.util.List;

/** What the image seed tests share: an engine held to one method, and an image of given layers. */
final class ImageSeeds {
    private ImageSeeds() {}

    static DiskEngine engine(SeedMethod method) {
        return new DiskEngine(E2fsTools.fromEnvironment(), System::nanoTime, method);
    }

    /** An engine held to one method whose clock the test sets. */
    static DiskEngine engine(SeedMethod method, java.time.Clock clock) {
        return new DiskEngine(E2fsTools.fromEnvironment(), System::nanoTime, method, clock);
    }

    /** An image of {@code layers} as a registry or archive would hand it over, under made-up digests. */
    static ImageLayers imageOf(List<Layer> layers) {
        return new ImageLayers("sha256:" + "1".repeat(64), "sha256:" + "2".repeat(64), "linux/amd64", layers);
    }
}
