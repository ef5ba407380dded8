package io.workdisk.agent.engine.seed;

import java.nio.file.Path;

/** Where a seed goes when no output is named: banger's rule, X.ext4 becomes X.work-seed.ext4, else X.work-seed. */
public final class SeedNames {
    private SeedNames() {}

    public static Path defaultSeedPath(Path rootfs) {
        String name = rootfs.getFileName().toString().strip();
        String seed = name.endsWith(".ext4")
                ? name.substring(0, name.length() - ".ext4".length()) + ".work-seed.ext4"
                : name + ".work-seed";
        return rootfs.resolveSibling(seed);
    }
}
