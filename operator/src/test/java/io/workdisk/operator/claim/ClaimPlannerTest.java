package io.workdisk.operator.claim;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.workdisk.api.workdisk.DiskAnnotations;
import io.workdisk.api.workdisk.DiskClaim;
import io.workdisk.api.workdisk.DiskPhase;
import io.workdisk.api.workdisk.DiskReasons;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.api.workdisk.WorkDiskSpec;
import io.workdisk.api.workdisk.WorkDiskStatus;
import io.workdisk.csi.CsiDriver;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Each branch of the claim's plan: what is made, changed, removed, and what the Claimed condition says. */
class ClaimPlannerTest {
    private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");
    private static final long MIB = 1L << 20;

    private final ClaimPlanner planner = new ClaimPlanner();

    @Test
    void aDiskNotYetReadyWaitsAndSaysNothing() {
        ClaimPlan plan = planner.plan(state(disk(DiskPhase.Creating), null, null));
        assertThat(plan.actions()).isEmpty();
        assertThat(plan.condition()).isEmpty();
    }

    @Test
    void aReadyDiskGetsItsVolumeAndClaim() {
        WorkDisk disk = disk(DiskPhase.Ready);
        ClaimPlan plan = planner.plan(state(disk, null, null));
        assertThat(plan.actions()).hasSize(2).allMatch(a -> a instanceof ClaimAction.Create);
        PersistentVolume pv =
                (PersistentVolume) ((ClaimAction.Create) plan.actions().get(0)).object();
        PersistentVolumeClaim pvc =
                (PersistentVolumeClaim) ((ClaimAction.Create) plan.actions().get(1)).object();
        assertThat(pv.getSpec().getPersistentVolumeReclaimPolicy()).isEqualTo("Retain");
        assertThat(pv.getSpec().getClaimRef().getName()).isEqualTo("d");
        assertThat(pv.getSpec().getCsi().getVolumeAttributes()).isEmpty();
        assertThat(pvc.getSpec().getVolumeName()).isEqualTo(pv.getMetadata().getName());
        assertThat(pvc.getSpec().getStorageClassName()).isEmpty();
        assertThat(plan.condition())
                .hasValueSatisfying(c -> assertThat(c.getReason()).isEqualTo(DiskReasons.BINDING));
    }

    @Test
    void aMountedPresentationTravelsInTheVolumesAttributes() {
        WorkDisk disk = disk(DiskPhase.Ready);
        disk.setSpec(disk.getSpec().withClaim(DiskClaim.mounted()));
        PersistentVolume pv = ClaimObjects.volume(disk, "node-a", 64 * MIB);
        assertThat(pv.getSpec().getCsi().getVolumeAttributes()).containsEntry(CsiDriver.PRESENTATION, "mounted");
    }

    @Test
    void theReconcileThatReportsTheDiskReadyMakesItsVolume() {
        WorkDisk creating = disk(DiskPhase.Creating);
        WorkDisk ready = disk(DiskPhase.Ready);
        ClaimPlan plan =
                planner.plan(ClaimState.of(creating, ready.getStatus(), Optional.empty(), Optional.empty(), NOW));
        assertThat(plan.actions()).hasSize(2);
        assertThat(plan.condition())
                .hasValueSatisfying(c -> assertThat(c.getReason()).isEqualTo(DiskReasons.BINDING));
    }

    @Test
    void aBoundClaimIsReportedAndFollowsAGrownDisk() {
        WorkDisk disk = disk(DiskPhase.Ready, 128 * MIB);
        ClaimPlan plan = planner.plan(state(disk, ownVolume(disk, 64 * MIB), boundClaim(disk, 64 * MIB)));
        assertThat(plan.actions())
                .containsExactly(
                        new ClaimAction.GrowVolume(ClaimObjects.volumeName(disk), 128 * MIB),
                        new ClaimAction.GrowClaim("ns", "d", 128 * MIB));
        assertThat(plan.condition()).hasValueSatisfying(c -> {
            assertThat(c.getStatus()).isEqualTo("True");
            assertThat(c.getReason()).isEqualTo(DiskReasons.CLAIM_BOUND);
        });
    }

    @Test
    void aReplayOfABoundClaimDoesNothing() {
        WorkDisk disk = disk(DiskPhase.Ready);
        ClaimPlan plan = planner.plan(state(disk, ownVolume(disk, 64 * MIB), boundClaim(disk, 64 * MIB)));
        assertThat(plan.actions()).isEmpty();
    }

    @Test
    void aClaimTheOperatorDidNotMakeIsReportedAndNothingIsMade() {
        WorkDisk disk = disk(DiskPhase.Ready);
        PersistentVolumeClaim theirs = theirs();
        ClaimPlan plan = planner.plan(state(disk, null, theirs));
        assertThat(plan.actions()).isEmpty();
        assertThat(plan.condition()).hasValueSatisfying(c -> {
            assertThat(c.getReason()).isEqualTo(DiskReasons.CLAIM_CONFLICT);
            assertThat(c.getMessage()).contains("ns/d").contains("did not make");
        });
    }

    @Test
    void aDeletedClaimIsMadeAgainAndItsReleasedVolumeReopened() {
        WorkDisk disk = disk(DiskPhase.Ready);
        PersistentVolume released = ownVolume(disk, 64 * MIB);
        released.getSpec().getClaimRef().setUid("old-claim");
        ClaimPlan plan = planner.plan(state(disk, released, null));
        assertThat(plan.actions()).hasSize(2);
        assertThat(plan.actions().get(0)).isEqualTo(new ClaimAction.Reopen(ClaimObjects.volumeName(disk)));
        assertThat(plan.actions().get(1)).isInstanceOf(ClaimAction.Create.class);
    }

    @Test
    void policyNoneAndDeletionRemoveOnlyWhatTheOperatorMade() {
        WorkDisk disk = disk(DiskPhase.Ready);
        disk.setSpec(disk.getSpec().withClaim(DiskClaim.none()));
        PersistentVolume pv = ownVolume(disk, 64 * MIB);
        PersistentVolumeClaim pvc = boundClaim(disk, 64 * MIB);
        assertThat(planner.plan(state(disk, pv, pvc)).actions())
                .containsExactly(new ClaimAction.Delete(pvc), new ClaimAction.Delete(pv));
        assertThat(planner.plan(state(disk, pv, pvc)).condition()).isEmpty();

        PersistentVolumeClaim theirs = theirs();
        assertThat(planner.planRelease(state(disk(DiskPhase.Ready), null, theirs))
                        .actions())
                .as("a claim of another's is never deleted")
                .isEmpty();
    }

    @Test
    void aDiskTheDriverMadeForAClaimHasNoneOfTheOperators() {
        WorkDisk disk = disk(DiskPhase.Ready);
        disk.getMetadata().setAnnotations(Map.of(DiskAnnotations.CSI_VOLUME_NAME, "pvc-1"));
        ClaimPlan plan = planner.plan(state(disk, null, null));
        assertThat(plan.actions()).isEmpty();
        assertThat(plan.condition()).isEmpty();
    }

    /** A claim of the disk's name that the operator did not make. */
    private static PersistentVolumeClaim theirs() {
        return new PersistentVolumeClaimBuilder()
                .withMetadata(new ObjectMetaBuilder()
                        .withNamespace("ns")
                        .withName("d")
                        .build())
                .build();
    }

    private static ClaimState state(WorkDisk disk, PersistentVolume pv, PersistentVolumeClaim pvc) {
        return ClaimState.of(disk, disk.getStatus(), Optional.ofNullable(pv), Optional.ofNullable(pvc), NOW);
    }

    private static WorkDisk disk(DiskPhase phase) {
        return disk(phase, 64 * MIB);
    }

    private static WorkDisk disk(DiskPhase phase, long capacity) {
        WorkDisk d = new WorkDisk();
        d.setMetadata(new ObjectMetaBuilder()
                .withNamespace("ns")
                .withName("d")
                .withUid("uid-1")
                .withGeneration(1L)
                .build());
        d.setSpec(WorkDiskSpec.ofSize(Long.toString(capacity)));
        d.setStatus(new WorkDiskStatus(
                phase, "node-a", "/data/d.img", phase == DiskPhase.Ready ? capacity : null, null, List.of(), 1L, null));
        return d;
    }

    private static PersistentVolume ownVolume(WorkDisk disk, long bytes) {
        return new PersistentVolumeBuilder(ClaimObjects.volume(disk, "node-a", bytes))
                .editMetadata()
                .withUid("pv-uid")
                .endMetadata()
                .build();
    }

    private static PersistentVolumeClaim boundClaim(WorkDisk disk, long bytes) {
        return new PersistentVolumeClaimBuilder(ClaimObjects.claim(disk, bytes))
                .editMetadata()
                .withUid("pvc-uid")
                .endMetadata()
                .withNewStatus()
                .withPhase("Bound")
                .withCapacity(Map.of("storage", new Quantity(Long.toString(bytes))))
                .endStatus()
                .build();
    }
}
