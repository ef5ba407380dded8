package io.workdisk.api.workdisk;

import java.util.Set;

/**
 * Reasons of a WorkDisk's Ready condition that say the disk will not get where its spec asks without someone
 * acting: a spec to fix, a node to bring back. GitOps health checks report them as failures (Argo CD's
 * {@code Degraded}); every other reason is on the way (Creating, Resizing, NoCapacity ...) or Ready. A
 * create step that retrying cannot mend also ends in one: the engine's own reason (e.g. SizeBelowSeed), with
 * phase Failed.
 */
public final class DiskReasons {
    private DiskReasons() {}

    /** Ready=True: the disk is at its path, at the size its spec asks. */
    public static final String READY = "Ready";
    /** The spec is not a disk (a size the API server's rules should have refused); nothing retries. */
    public static final String INVALID_SPEC = "InvalidSpec";
    /** The node of a made disk and its agent are gone; the disk is never recreated elsewhere. */
    public static final String NODE_LOST = "NodeLost";
    /** spec.size went below the disk's size; disks only grow, the disk is unchanged. */
    public static final String SHRINK_REFUSED = "ShrinkRefused";
    /** A resize that retrying cannot mend; the disk is unchanged, at its old size. */
    public static final String RESIZE_FAILED = "ResizeFailed";
    /** A failed resize that is tried again (now, or after its backoff); the disk is unchanged meanwhile. */
    public static final String RESIZE_RETRYING = "ResizeRetrying";

    /**
     * The disk is published to a pod (its node's CSI service says so): a resize (Ready=True) or a deletion
     * (Ready=False) waits until it is unpublished. On its way: the pod stopping is all it takes. The agent
     * refuses a resize or delete step with the same reason should one reach it while the disk is published.
     */
    public static final String IN_USE = "InUse";

    /**
     * The Claimed condition (on a disk a user applied whose spec.claim's policy is Create, once the disk is made
     * or a conflict is seen): True with {@link #CLAIM_BOUND} once the PersistentVolumeClaim of the disk's name is
     * bound to the disk's volume.
     */
    public static final String CLAIMED = "Claimed";

    public static final String CLAIM_BOUND = "Bound";
    /** The volume and its claim are made; Kubernetes (kube-controller-manager) has not bound them yet. */
    public static final String BINDING = "Binding";
    /** A PersistentVolumeClaim of the disk's name exists that the operator did not make; it is left as it is. */
    public static final String CLAIM_CONFLICT = "ClaimConflict";

    /** The reasons above that wait for someone to act. */
    public static final Set<String> TERMINAL = Set.of(INVALID_SPEC, NODE_LOST, SHRINK_REFUSED, RESIZE_FAILED);
}
