package io.workdisk.operator.claim;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.workdisk.api.Conditions;
import io.workdisk.api.workdisk.ClaimPolicy;
import io.workdisk.api.workdisk.DiskAnnotations;
import io.workdisk.api.workdisk.DiskPhase;
import io.workdisk.api.workdisk.DiskReasons;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.api.workdisk.WorkDiskStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides what a user's WorkDisk needs of its PersistentVolume and PersistentVolumeClaim, and what the Claimed
 * condition says (nothing before the disk is made, but a conflict as soon as it is seen); changes nothing. The
 * objects are made once the disk is Ready and kept while its policy is
 * Create: a deleted claim is made again, a grown disk's volume and claim follow its size. A claim of the
 * disk's name that the operator did not make is never touched, only reported.
 */
public final class ClaimPlanner {

    public ClaimPlan plan(ClaimState s) {
        WorkDisk disk = s.disk();
        if (madeByTheDriver(disk)) {
            return ClaimPlan.nothing(); // the provisioner's PV and the user's PVC stand for it already
        }
        if (disk.getSpec().effectiveClaim().effectivePolicy() == ClaimPolicy.None) {
            return ClaimPlan.withoutCondition(release(s));
        }
        String claimName =
                disk.getMetadata().getNamespace() + "/" + disk.getMetadata().getName();
        if (s.claim().isPresent() && s.ownClaim().isEmpty()) {
            return ClaimPlan.of(
                    List.of(),
                    condition(
                            s,
                            false,
                            DiskReasons.CLAIM_CONFLICT,
                            "a PersistentVolumeClaim " + claimName + " exists that the operator did not make; it is "
                                    + "left as it is (delete or rename it, or set spec.claim.policy: None)"));
        }
        Long bytes = madeBytes(s.reported());
        if (bytes == null) {
            return ClaimPlan.nothing(); // nothing to make or say until the disk is there
        }
        List<ClaimAction> actions = new ArrayList<>();
        String volumeName = ClaimObjects.volumeName(disk);
        Optional<PersistentVolume> volume = s.ownVolume();
        if (volume.isEmpty()) {
            actions.add(new ClaimAction.Create(
                    ClaimObjects.volume(disk, s.reported().nodeName(), bytes)));
        } else {
            if (storage(volume.get().getSpec().getCapacity()) < bytes) {
                actions.add(new ClaimAction.GrowVolume(volumeName, bytes));
            }
            if (s.claim().isEmpty() && claimedByAnother(volume.get())) {
                actions.add(new ClaimAction.Reopen(volumeName));
            }
        }
        Optional<PersistentVolumeClaim> claim = s.ownClaim();
        if (claim.isEmpty()) {
            actions.add(new ClaimAction.Create(ClaimObjects.claim(disk, bytes)));
            return ClaimPlan.of(actions, binding(s, claimName, volumeName));
        }
        PersistentVolumeClaim pvc = claim.get();
        if (pvc.getMetadata().getDeletionTimestamp() != null) {
            return ClaimPlan.of(
                    actions,
                    condition(
                            s,
                            false,
                            DiskReasons.BINDING,
                            "the claim " + claimName + " is being deleted; a new one is made once it is gone"));
        }
        boolean bound = pvc.getStatus() != null
                && "Bound".equals(pvc.getStatus().getPhase())
                && volumeName.equals(pvc.getSpec().getVolumeName());
        if (!bound) {
            return ClaimPlan.of(actions, binding(s, claimName, volumeName));
        }
        if (storage(pvc.getStatus().getCapacity()) < bytes) {
            actions.add(new ClaimAction.GrowClaim(
                    pvc.getMetadata().getNamespace(), pvc.getMetadata().getName(), bytes));
        }
        return ClaimPlan.of(
                actions,
                condition(
                        s,
                        true,
                        DiskReasons.CLAIM_BOUND,
                        "the claim " + claimName + " is bound to the volume " + volumeName));
    }

    /** When the disk is deleted: its volume objects go with it (a claim in use stays until its pod stops). */
    public ClaimPlan planRelease(ClaimState s) {
        return ClaimPlan.withoutCondition(release(s));
    }

    private static List<ClaimAction> release(ClaimState s) {
        List<ClaimAction> actions = new ArrayList<>();
        s.ownClaim()
                .filter(c -> c.getMetadata().getDeletionTimestamp() == null)
                .ifPresent(c -> actions.add(new ClaimAction.Delete(c)));
        s.ownVolume()
                .filter(v -> v.getMetadata().getDeletionTimestamp() == null)
                .ifPresent(v -> actions.add(new ClaimAction.Delete(v)));
        return actions;
    }

    static boolean madeByTheDriver(WorkDisk disk) {
        Map<String, String> annotations = disk.getMetadata().getAnnotations();
        return annotations != null && annotations.containsKey(DiskAnnotations.CSI_VOLUME_NAME);
    }

    /** The disk's size once it is made and usable (Ready, or growing); null before. */
    private static Long madeBytes(WorkDiskStatus status) {
        if (status == null
                || status.nodeName() == null
                || status.capacityBytes() == null
                || (status.phase() != DiskPhase.Ready && status.phase() != DiskPhase.Resizing)) {
            return null;
        }
        return status.capacityBytes();
    }

    /** A Retain volume whose claim is gone keeps that claim's UID and stays Released until it is dropped. */
    private static boolean claimedByAnother(PersistentVolume volume) {
        var ref = volume.getSpec().getClaimRef();
        return ref != null && ref.getUid() != null;
    }

    private static Condition binding(ClaimState s, String claimName, String volumeName) {
        return condition(
                s,
                false,
                DiskReasons.BINDING,
                "the claim " + claimName + " waits for Kubernetes to bind it to the volume " + volumeName);
    }

    private static long storage(Map<String, Quantity> resources) {
        if (resources == null || resources.get("storage") == null) {
            return 0;
        }
        return Quantity.getAmountInBytes(resources.get("storage")).longValue();
    }

    private static Condition condition(ClaimState s, boolean status, String reason, String message) {
        Condition c = Conditions.of(
                DiskReasons.CLAIMED,
                status,
                reason,
                message,
                s.disk().getMetadata().getGeneration());
        List<Condition> previous =
                s.disk().getStatus() == null ? List.of() : s.disk().getStatus().conditions();
        return Conditions.merge(previous, List.of(c), s.now()).get(0);
    }
}
