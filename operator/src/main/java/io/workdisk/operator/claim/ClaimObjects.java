package io.workdisk.operator.claim;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.VolumeResourceRequirementsBuilder;
import io.workdisk.api.ApiGroup;
import io.workdisk.api.workdisk.DiskClaim;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.csi.CsiDriver;
import io.workdisk.csi.VolumeId;
import java.util.Map;

/**
 * The PersistentVolume and PersistentVolumeClaim that offer a user's WorkDisk as a Kubernetes volume, exactly as
 * the CSI provisioner would have made them for a provisioned one (same driver, volume id, topology), except:
 * reclaim Retain, so deleting the PV never deletes the disk behind its WorkDisk's back; no StorageClass, so no
 * default class claims them and a size change goes through the WorkDisk, not the PVC.
 */
public final class ClaimObjects {
    /** The access mode of every workdisk volume: one node, as the disk lives on one node. */
    static final String ACCESS_MODE = "ReadWriteOnce";

    private ClaimObjects() {}

    /** The PV's name: cluster-wide unique and stable for the life of the disk (a re-made namesake is another). */
    public static String volumeName(WorkDisk disk) {
        return "workdisk-" + disk.getMetadata().getUid();
    }

    /** Whether the object carries this disk's labels: it was made by the operator for this disk. */
    public static boolean madeFor(HasMetadata object, WorkDisk disk) {
        Map<String, String> labels = object.getMetadata().getLabels();
        return labels != null && disk.getMetadata().getUid().equals(labels.get(ApiGroup.OWNER_UID_LABEL));
    }

    static PersistentVolume volume(WorkDisk disk, String node, long bytes) {
        DiskClaim claim = disk.getSpec().effectiveClaim();
        Map<String, String> attributes = claim.effectivePresentation().isEmpty()
                ? Map.of()
                : Map.of(CsiDriver.PRESENTATION, claim.effectivePresentation());
        return new PersistentVolumeBuilder()
                .withNewMetadata()
                .withName(volumeName(disk))
                .withLabels(labels(disk))
                .endMetadata()
                .withNewSpec()
                .withCapacity(Map.of("storage", new Quantity(Long.toString(bytes))))
                .withAccessModes(ACCESS_MODE)
                .withPersistentVolumeReclaimPolicy("Retain")
                .withStorageClassName("")
                .withVolumeMode(claim.effectiveVolumeMode().name())
                .withClaimRef(new ObjectReferenceBuilder()
                        .withApiVersion("v1")
                        .withKind("PersistentVolumeClaim")
                        .withNamespace(disk.getMetadata().getNamespace())
                        .withName(disk.getMetadata().getName())
                        .build())
                .withNewCsi()
                .withDriver(CsiDriver.NAME)
                .withVolumeHandle(VolumeId.of(
                                disk.getMetadata().getNamespace(),
                                disk.getMetadata().getName(),
                                disk.getMetadata().getUid())
                        .toString())
                .withFsType("ext4")
                .withVolumeAttributes(attributes)
                .endCsi()
                .withNewNodeAffinity()
                .withNewRequired()
                .addNewNodeSelectorTerm()
                .addNewMatchExpression()
                .withKey(CsiDriver.TOPOLOGY_KEY)
                .withOperator("In")
                .withValues(node)
                .endMatchExpression()
                .endNodeSelectorTerm()
                .endRequired()
                .endNodeAffinity()
                .endSpec()
                .build();
    }

    /**
     * The claim of the disk's name, pre-bound to its volume; owned by the disk, so the garbage collector removes
     * it with the disk even if the operator is gone by then.
     */
    static PersistentVolumeClaim claim(WorkDisk disk, long bytes) {
        return new PersistentVolumeClaimBuilder()
                .withNewMetadata()
                .withNamespace(disk.getMetadata().getNamespace())
                .withName(disk.getMetadata().getName())
                .withLabels(labels(disk))
                .withOwnerReferences(new OwnerReferenceBuilder()
                        .withApiVersion(disk.getApiVersion())
                        .withKind(disk.getKind())
                        .withName(disk.getMetadata().getName())
                        .withUid(disk.getMetadata().getUid())
                        .withBlockOwnerDeletion(false)
                        .build())
                .endMetadata()
                .withNewSpec()
                .withAccessModes(ACCESS_MODE)
                .withStorageClassName("")
                .withVolumeMode(
                        disk.getSpec().effectiveClaim().effectiveVolumeMode().name())
                .withVolumeName(volumeName(disk))
                .withResources(new VolumeResourceRequirementsBuilder()
                        .withRequests(Map.of("storage", new Quantity(Long.toString(bytes))))
                        .build())
                .endSpec()
                .build();
    }

    private static Map<String, String> labels(WorkDisk disk) {
        return Map.of(
                ApiGroup.OWNER_KIND_LABEL,
                "WorkDisk",
                ApiGroup.OWNER_UID_LABEL,
                disk.getMetadata().getUid());
    }
}
