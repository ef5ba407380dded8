package io.workdisk.operator.claim;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.api.workdisk.WorkDiskStatus;
import java.time.Instant;
import java.util.Optional;

/**
 * What was observed of a disk's volume objects (the PV made for it, and any PVC of the disk's name), with the
 * disk as observed and the status about to be reported for it: the volume follows that status, so the
 * reconcile that reports a disk Ready also makes its volume and says so in the same status write.
 */
public record ClaimState(
        WorkDisk disk,
        WorkDiskStatus reported,
        Optional<PersistentVolume> volume,
        Optional<PersistentVolumeClaim> claim,
        Instant now) {

    public static ClaimState of(
            WorkDisk disk,
            WorkDiskStatus reported,
            Optional<PersistentVolume> volume,
            Optional<PersistentVolumeClaim> claim,
            Instant now) {
        return new ClaimState(disk, reported, volume, claim, now);
    }

    /** The PVC of the disk's name, only if the operator made it for this disk. */
    Optional<PersistentVolumeClaim> ownClaim() {
        return claim.filter(c -> ClaimObjects.madeFor(c, disk));
    }

    Optional<PersistentVolume> ownVolume() {
        return volume.filter(v -> ClaimObjects.madeFor(v, disk));
    }
}
