package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.workdisk.api.Conditions;
import io.workdisk.api.workdisk.ClaimPolicy;
import io.workdisk.api.workdisk.DiskClaim;
import io.workdisk.api.workdisk.DiskPhase;
import io.workdisk.api.workdisk.DiskReasons;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.api.workdisk.WorkDiskSpec;
import io.workdisk.csi.CsiDriver;
import io.workdisk.csi.VolumeId;
import io.workdisk.operator.WorkdiskOperator;
import io.workdisk.operator.claim.ClaimObjects;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A WorkDisk applied with kubectl is usable by name: the operator makes its PersistentVolume (the driver's
 * volume, node affinity to the disk's node, capacity its size, reclaim Retain) and a PVC of the disk's name,
 * and the real kube-controller-manager binds them. A claim of that name the operator did not make is reported,
 * never touched; the disk outlives its claim; a grown disk's volume and claim follow it; deleting the disk
 * takes its volume objects with it.
 */
@ExtendWith(SharedApiServer.class)
class WorkDiskClaimTest {
    private static final String NS = "default";
    private static final Duration BINDING = Duration.ofSeconds(60);

    @TempDir
    static Path shared;

    static ControlPlane controlPlane;

    @TempDir
    Path tmp;

    LocalCluster cluster;
    KubernetesClient kube;

    @BeforeAll
    static void startControllerManager(RealApiServer api) throws Exception {
        controlPlane = new ControlPlane(api, shared.resolve("control-plane")).controllerManager();
    }

    @AfterAll
    static void stopControllerManager() throws Exception {
        if (controlPlane != null) {
            controlPlane.close();
        }
    }

    @BeforeEach
    void setUp(RealApiServer api) throws Exception {
        api.clearWorkloads();
        cluster = new LocalCluster(
                api,
                new WorkdiskOperator.Settings("workdisk-system", 1.0, Duration.ofSeconds(8), Duration.ofSeconds(3), 4),
                Clock.systemUTC());
        cluster.addNode("node-a", Map.of(), tmp.resolve("node-a"), List.of(), null);
        cluster.startOperator();
        kube = cluster.client();
    }

    @AfterEach
    void tearDown() {
        cluster.close();
    }

    @Test
    void aDiskAppliedByAUserIsBoundToAVolumeOnItsNode() {
        WorkDisk disk = kube.resource(Manifests.disk("vm-root", "128Mi")).create();
        PersistentVolumeClaim claim = awaitBound("vm-root");
        WorkDisk ready = kube.resources(WorkDisk.class)
                .inNamespace(NS)
                .withName("vm-root")
                .get();
        String uid = ready.getMetadata().getUid();

        PersistentVolume pv = kube.persistentVolumes()
                .withName(claim.getSpec().getVolumeName())
                .get();
        assertThat(pv.getMetadata().getName()).isEqualTo("workdisk-" + uid);
        assertThat(pv.getStatus().getPhase()).isEqualTo("Bound");
        assertThat(pv.getSpec().getPersistentVolumeReclaimPolicy())
                .as("a PV never deletes a disk behind its WorkDisk's back")
                .isEqualTo("Retain");
        assertThat(pv.getSpec().getCsi().getDriver()).isEqualTo(CsiDriver.NAME);
        assertThat(pv.getSpec().getCsi().getVolumeHandle())
                .isEqualTo(VolumeId.of(NS, "vm-root", uid).toString());
        assertThat(pv.getSpec().getVolumeMode()).isEqualTo("Filesystem");
        assertThat(storage(pv.getSpec().getCapacity())).isEqualTo(128L << 20);
        var term = pv.getSpec()
                .getNodeAffinity()
                .getRequired()
                .getNodeSelectorTerms()
                .get(0);
        assertThat(term.getMatchExpressions().get(0).getKey()).isEqualTo(CsiDriver.TOPOLOGY_KEY);
        assertThat(term.getMatchExpressions().get(0).getValues())
                .as("the volume's node affinity names the disk's node")
                .containsExactly(ready.getStatus().nodeName());

        assertThat(claim.getSpec().getVolumeName()).isEqualTo(pv.getMetadata().getName());
        assertThat(storage(claim.getStatus().getCapacity())).isEqualTo(128L << 20);
        assertThat(claim.getMetadata().getOwnerReferences())
                .singleElement()
                .satisfies(
                        o -> assertThat(o.getUid()).isEqualTo(disk.getMetadata().getUid()));
        assertThat(claimed(ready))
                .satisfies(c -> assertThat(c.getStatus()).isEqualTo("True"))
                .satisfies(c -> assertThat(c.getReason()).isEqualTo(DiskReasons.CLAIM_BOUND));

        // a grown disk: the volume's capacity and the bound claim's follow it
        Edits.edit(kube.resources(WorkDisk.class).inNamespace(NS).withName("vm-root"), d -> {
            d.setSpec(d.getSpec().withSize("256Mi"));
            return d;
        });
        await().atMost(BINDING).untilAsserted(() -> {
            assertThat(storage(kube.persistentVolumes()
                            .withName(pv.getMetadata().getName())
                            .get()
                            .getSpec()
                            .getCapacity()))
                    .isEqualTo(256L << 20);
            assertThat(storage(kube.persistentVolumeClaims()
                            .inNamespace(NS)
                            .withName("vm-root")
                            .get()
                            .getStatus()
                            .getCapacity()))
                    .isEqualTo(256L << 20);
        });

        // deleting the disk takes its volume objects with it
        kube.resources(WorkDisk.class).inNamespace(NS).withName("vm-root").delete();
        await().atMost(BINDING).untilAsserted(() -> {
            assertThat(kube.resources(WorkDisk.class)
                            .inNamespace(NS)
                            .withName("vm-root")
                            .get())
                    .isNull();
            assertThat(kube.persistentVolumes()
                            .withName(pv.getMetadata().getName())
                            .get())
                    .isNull();
            assertThat(kube.persistentVolumeClaims()
                            .inNamespace(NS)
                            .withName("vm-root")
                            .get())
                    .isNull();
        });
    }

    @Test
    void theDiskOutlivesItsClaimAndGetsItBack() throws Exception {
        kube.resource(Manifests.disk("data", "96Mi")).create();
        PersistentVolumeClaim first = awaitBound("data");
        WorkDisk disk =
                kube.resources(WorkDisk.class).inNamespace(NS).withName("data").get();
        Path image = Path.of(disk.getStatus().path());

        kube.resource(first).delete();
        PersistentVolumeClaim second = await().atMost(BINDING)
                .until(
                        () -> kube.persistentVolumeClaims()
                                .inNamespace(NS)
                                .withName("data")
                                .get(),
                        c -> c != null
                                && !c.getMetadata()
                                        .getUid()
                                        .equals(first.getMetadata().getUid())
                                && c.getStatus() != null
                                && "Bound".equals(c.getStatus().getPhase()));
        assertThat(second.getSpec().getVolumeName())
                .as("the same volume, opened to the new claim")
                .isEqualTo(first.getSpec().getVolumeName());
        assertThat(image).as("the disk stays when its claim goes").exists();
        assertThat(kube.resources(WorkDisk.class)
                        .inNamespace(NS)
                        .withName("data")
                        .get()
                        .getMetadata()
                        .getUid())
                .isEqualTo(disk.getMetadata().getUid());
    }

    @Test
    void aClaimOfTheDisksNameThatTheOperatorDidNotMakeIsReportedNotTouched() {
        PersistentVolumeClaim theirs = kube.resource(new PersistentVolumeClaimBuilder()
                        .withNewMetadata()
                        .withNamespace(NS)
                        .withName("taken")
                        .withLabels(Map.of("team", "theirs"))
                        .endMetadata()
                        .withNewSpec()
                        .withAccessModes("ReadWriteOnce")
                        .withStorageClassName("somebody-elses")
                        .withNewResources()
                        .withRequests(Map.of("storage", new Quantity("1Gi")))
                        .endResources()
                        .endSpec()
                        .build())
                .create();
        kube.resource(Manifests.disk("taken", "64Mi")).create();

        WorkDisk disk = await().atMost(BINDING)
                .until(
                        () -> kube.resources(WorkDisk.class)
                                .inNamespace(NS)
                                .withName("taken")
                                .get(),
                        d -> d.getStatus() != null
                                && d.getStatus().phase() == DiskPhase.Ready
                                && claimed(d) != null
                                && DiskReasons.CLAIM_CONFLICT.equals(claimed(d).getReason()));
        assertThat(claimed(disk).getStatus()).isEqualTo("False");
        assertThat(claimed(disk).getMessage())
                .contains("PersistentVolumeClaim default/taken")
                .contains("did not make");
        PersistentVolumeClaim after =
                kube.persistentVolumeClaims().inNamespace(NS).withName("taken").get();
        assertThat(after.getMetadata().getResourceVersion())
                .as("their claim is never written")
                .isEqualTo(theirs.getMetadata().getResourceVersion());
        assertThat(kube.persistentVolumes()
                        .withName(ClaimObjects.volumeName(disk))
                        .get())
                .as("no volume is made for a claim that cannot be the disk's")
                .isNull();

        // deleting the disk leaves their claim
        kube.resource(disk).delete();
        await().atMost(BINDING)
                .until(() -> kube.resources(WorkDisk.class)
                                .inNamespace(NS)
                                .withName("taken")
                                .get()
                        == null);
        assertThat(kube.persistentVolumeClaims()
                        .inNamespace(NS)
                        .withName("taken")
                        .get())
                .isNotNull();
        kube.resource(after).delete();
    }

    @Test
    void policyNoneMakesNoVolumeAndSwitchingToItRemovesThem() throws Exception {
        kube.resource(Manifests.disk(NS, "by-path", WorkDiskSpec.ofSize("64Mi").withClaim(DiskClaim.none())))
                .create();
        kube.resource(Manifests.disk(NS, "block", WorkDiskSpec.ofSize("64Mi").withClaim(DiskClaim.block())))
                .create();
        PersistentVolumeClaim block = awaitBound("block");
        assertThat(block.getSpec().getVolumeMode()).isEqualTo("Block");
        assertThat(kube.persistentVolumes()
                        .withName(block.getSpec().getVolumeName())
                        .get()
                        .getSpec()
                        .getVolumeMode())
                .isEqualTo("Block");

        WorkDisk byPath = kube.resources(WorkDisk.class)
                .inNamespace(NS)
                .withName("by-path")
                .get();
        assertThat(byPath.getStatus().phase()).isEqualTo(DiskPhase.Ready);
        assertThat(claimed(byPath)).as("no claim, no condition about one").isNull();
        assertThat(kube.persistentVolumeClaims()
                        .inNamespace(NS)
                        .withName("by-path")
                        .get())
                .isNull();
        assertThat(kube.persistentVolumes()
                        .withName(ClaimObjects.volumeName(byPath))
                        .get())
                .isNull();

        Edits.edit(kube.resources(WorkDisk.class).inNamespace(NS).withName("block"), d -> {
            d.setSpec(d.getSpec()
                    .withClaim(
                            new DiskClaim(ClaimPolicy.None, d.getSpec().claim().volumeMode(), null)));
            return d;
        });
        await().atMost(BINDING).untilAsserted(() -> {
            assertThat(kube.persistentVolumeClaims()
                            .inNamespace(NS)
                            .withName("block")
                            .get())
                    .isNull();
            assertThat(kube.persistentVolumes()
                            .withName(block.getSpec().getVolumeName())
                            .get())
                    .isNull();
            assertThat(claimed(kube.resources(WorkDisk.class)
                            .inNamespace(NS)
                            .withName("block")
                            .get()))
                    .isNull();
        });
        WorkDisk stays =
                kube.resources(WorkDisk.class).inNamespace(NS).withName("block").get();
        assertThat(Files.exists(Path.of(stays.getStatus().path()))).isTrue();
    }

    private PersistentVolumeClaim awaitBound(String name) {
        return await().alias("claim " + name + " Bound (kube-controller-manager's log: "
                        + controlPlane.log("kube-controller-manager") + ")")
                .atMost(BINDING)
                .until(
                        () -> kube.persistentVolumeClaims()
                                .inNamespace(NS)
                                .withName(name)
                                .get(),
                        c -> c != null
                                && c.getStatus() != null
                                && "Bound".equals(c.getStatus().getPhase()));
    }

    private static Condition claimed(WorkDisk disk) {
        return disk.getStatus() == null
                ? null
                : Conditions.find(disk.getStatus().conditions(), DiskReasons.CLAIMED);
    }

    private static long storage(Map<String, Quantity> resources) {
        return Quantity.getAmountInBytes(resources.get("storage")).longValue();
    }
}
