package io.workdisk.agent.engine.seed;

/** How the seed's tree reaches mkfs.ext4 -d. */
public enum SeedMethod {
    /** {@link #TAR} where e2fsprogs is 1.47.1 or later, else {@link #STAGING_TREE}. */
    AUTO,
    /**
     * One PAX tar: a file written from the ext4 reader ({@code mke2fs -d FILE.tar}), or for an image the
     * layers streamed into mke2fs's standard input ({@code mke2fs -d -}).
     */
    TAR,
    /** A directory tree beside the output ({@code mke2fs -d DIR}), for older e2fsprogs; image layers flattened into it. */
    STAGING_TREE;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
