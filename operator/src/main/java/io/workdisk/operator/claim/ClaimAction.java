package io.workdisk.operator.claim;

import io.fabric8.kubernetes.api.model.HasMetadata;

/** One change to a disk's volume objects, decided by {@link ClaimPlanner} and carried out by {@link Claims}. */
public sealed interface ClaimAction {
    /** Make the object; one made meanwhile by anyone stays as it is. */
    record Create(HasMetadata object) implements ClaimAction {}

    /** Delete the object (planned only for one the operator made for the disk). */
    record Delete(HasMetadata object) implements ClaimAction {}

    /** The disk grew: the PV's capacity follows it. */
    record GrowVolume(String volume, long bytes) implements ClaimAction {}

    /**
     * The disk grew: the bound PVC's status capacity follows it, as the resizer reports a provisioned volume's
     * growth (the claim has no StorageClass, so its request is not what changes the size).
     */
    record GrowClaim(String namespace, String name, long bytes) implements ClaimAction {}

    /**
     * The claim was deleted and is made again: the Released volume is opened to the new claim by dropping the old
     * one's UID from its claimRef, as an administrator re-binds a Retain volume.
     */
    record Reopen(String volume) implements ClaimAction {}
}
