package io.workdisk.agent.engine.seed;

/**
 * How large a seed filesystem is made. banger's rule, max(512 MiB, 2 x payload + 256 MiB) rounded up to
 * 64 MiB, plus one term banger lacks: enough inodes for every entry, since a seed of many small files runs
 * out of inodes long before it runs out of blocks. The seed is sparse, so the size costs no space; it is
 * also the smallest work disk the seed can be materialized into.
 */
public final class SeedSize {
    static final long MIN_BYTES = 512L << 20;
    static final long SLACK_BYTES = 256L << 20;
    static final long ROUND_BYTES = 64L << 20;
    /** Matches the seed's mkfs "-i": one inode per this many bytes. */
    public static final long BYTES_PER_INODE = 16384;

    private SeedSize() {}

    public static long forPayload(long payloadBytes, long entries) {
        long bySpace = 2 * payloadBytes + SLACK_BYTES;
        // Room for every entry plus a quarter again, and the inodes ext4 reserves for itself.
        long byInodes = (entries + entries / 4 + 64) * BYTES_PER_INODE;
        long size = Math.max(MIN_BYTES, Math.max(bySpace, byInodes));
        long rem = size % ROUND_BYTES;
        return rem == 0 ? size : size + ROUND_BYTES - rem;
    }
}
