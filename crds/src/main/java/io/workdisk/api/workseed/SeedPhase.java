package io.workdisk.api.workseed;

/** Where a WorkSeed is on one node, as the operator last observed it. */
public enum SeedPhase {
    /** The node's agent is not ready: the build waits for it. */
    Pending,
    Building,
    Ready,
    /** The build failed; the entry's message says why (and when it is tried again). */
    Failed,
    /** The node no longer matches, or the WorkSeed is being deleted: the seed is being removed from it. */
    Removing
}
