package io.workdisk.agent.engine.seed;

/** How the seed's tree reaches mkfs.ext4 -d. */
public enum SeedMethod {
    /** {@link #TAR} where e2fsprogs is 1.47.1 or later, else {@link #STAGING_TREE}. */
    AUTO,
    /** One PAX tar file written from the ext4 reader ({@code mke2fs -d FILE.tar}). */
    TAR,
    /** A directory tree beside the output ({@code mke2fs -d DIR}), for older e2fsprogs. */
    STAGING_TREE;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
