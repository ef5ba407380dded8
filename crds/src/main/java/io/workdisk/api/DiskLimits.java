package io.workdisk.api;

/**
 * The sizes a work disk may have, the same for the operator (which refuses a WorkDisk outside them) and
 * the node agent's engine (which refuses to make one): written here once.
 *
 * <p>The WorkDiskSpec's CEL rules are built from the quantities below ({@link #MIN_QUANTITY},
 * {@link #LIMIT_QUANTITY}); DiskLimitsTest checks that they are these byte counts and that the generated
 * CRD's rules compare with exactly them.
 *
 * <p>Plain Java with no Kubernetes types: the engine, which deliberately knows nothing of Kubernetes,
 * uses these constants too, rather than keeping a bound of its own that could drift from the operator's.
 */
public final class DiskLimits {
    /** Below this an ext4 work disk is mostly journal and metadata. */
    public static final long MIN_BYTES = 64L << 20;

    public static final String MIN_QUANTITY = "64Mi";
    /** ext4, the usual data root, holds files of fewer than 2^32 blocks of 4 KiB: a disk must be smaller. */
    public static final long LIMIT_BYTES = 16L << 40;

    public static final String LIMIT_QUANTITY = "16Ti";

    private DiskLimits() {}
}
