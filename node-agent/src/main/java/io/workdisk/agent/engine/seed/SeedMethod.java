package io.workdisk.agent.engine.seed;

import java.util.Locale;

/** How the seed's tree reaches mkfs.ext4 -d. */
public enum SeedMethod {
    /** {@link #TAR} where e2fsprogs is 1.47.1 or later, else {@link #STAGING_TREE}. */
    AUTO,
    /**
     * One PAX tar streamed into mke2fs's standard input ({@code mke2fs -d -}): written from the ext4
     * reader, or for an image from its layers.
     */
    TAR,
    /** A directory tree beside the output ({@code mke2fs -d DIR}), for older e2fsprogs; image layers flattened into it. */
    STAGING_TREE;

    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
