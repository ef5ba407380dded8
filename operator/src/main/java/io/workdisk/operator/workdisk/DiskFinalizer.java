package io.workdisk.operator.workdisk;

import io.javaoperatorsdk.operator.ReconcilerUtils;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.workdisk.api.workdisk.WorkDisk;

/**
 * The finalizer that keeps a WorkDisk until its image is gone. The reconciler adds it in the same reconcile
 * that places the disk: left to JOSDK, it is added in a reconcile of its own that ends by queueing the disk
 * again, so in a burst every disk waited its turn twice before it was placed.
 *
 * <p>The name is the one JOSDK gave it when it managed the finalizer, so disks made by an earlier operator
 * keep theirs. Both writes are JSON patches that JOSDK retries after re-reading the disk on a conflict.
 */
public final class DiskFinalizer {
    /** Also put on the disks the CSI controller makes, at their create. */
    public static final String NAME = ReconcilerUtils.getDefaultFinalizerName(WorkDisk.class);

    private DiskFinalizer() {}

    /**
     * The disk with the finalizer: as it is when it has one, else as the server returned it once added; null
     * when the disk was deleted meanwhile.
     */
    static WorkDisk hold(WorkDisk disk, Context<WorkDisk> context) {
        if (disk.hasFinalizer(NAME)) {
            return disk;
        }
        return PrimaryUpdateAndCacheUtils.addFinalizer(context.getClient(), disk, NAME);
    }

    static boolean holds(WorkDisk disk) {
        return disk.hasFinalizer(NAME);
    }

    /** Lets a disk whose deletion is finished go. */
    static void release(WorkDisk disk, Context<WorkDisk> context) {
        PrimaryUpdateAndCacheUtils.removeFinalizer(context.getClient(), disk, NAME);
    }
}
