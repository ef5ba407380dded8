package io.workdisk.api.workdisk;

/** Where a WorkDisk is in its life, as the operator last observed it. */
public enum DiskPhase {
    /** Accepted, not yet looked at, or waiting for something it needs (a seed, a node with room). */
    Pending,
    /** Choosing a node. */
    Placing,
    /** The node's agent is making the image. */
    Creating,
    Ready,
    /** The node's agent is growing the image. */
    Resizing,
    /** The disk cannot be made or has been lost; the Ready condition says why. */
    Failed,
    /** Being deleted: the image is being removed (or retained) before the object goes. */
    Deleting
}
