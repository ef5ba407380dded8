package io.workdisk.api.task;

/** Who owns the entries of a seed. */
public enum SeedOwnership {
    /** Every entry 0:0, no extended attributes: a home directory for whoever uses the disk (the default). */
    Root,
    /** Each entry keeps its uid, gid and extended attributes, as a root filesystem needs. */
    Preserve;

    /** {@code ownership}, or {@link #Root} when none is given. */
    public static SeedOwnership orDefault(SeedOwnership ownership) {
        return ownership == null ? Root : ownership;
    }
}
