package io.workdisk.api.workdisk;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * How a WorkDisk applied by a user is offered as a Kubernetes volume: the PersistentVolume the operator makes
 * for it and the PersistentVolumeClaim of the disk's name bound to it. Absent: all defaults (a claim is made,
 * Filesystem, the image as disk.img).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
        value = "!has(self.presentation) || !has(self.volumeMode) || self.volumeMode == 'Filesystem'",
        message = "presentation applies to volumeMode Filesystem only",
        fieldPath = ".presentation")
public record DiskClaim(
        @JsonPropertyDescription("Create (default): once the disk is Ready, make a PersistentVolume for it (reclaim "
                + "Retain, node affinity to its node) and a PersistentVolumeClaim of the disk's name in its "
                + "namespace bound to it; an existing claim of that name is never touched (condition Claimed, "
                + "reason ClaimConflict). None: no volume objects; switching to None removes those made.")
        ClaimPolicy policy,

        @JsonPropertyDescription("Filesystem (default) or Block. Immutable.")
        VolumeMode volumeMode,

        @Pattern("^(diskImage|mounted)$")
        @JsonPropertyDescription("For Filesystem: diskImage (default; the image as disk.img, as KubeVirt uses it) or "
                + "mounted (its ext4 filesystem mounted, for pods that want the files). Immutable.")
        String presentation) {

    /** The defaults: a claim is made, Filesystem, disk.img. */
    public static DiskClaim defaults() {
        return new DiskClaim(null, null, null);
    }

    public static DiskClaim none() {
        return new DiskClaim(ClaimPolicy.None, null, null);
    }

    public static DiskClaim block() {
        return new DiskClaim(ClaimPolicy.Create, VolumeMode.Block, null);
    }

    public static DiskClaim mounted() {
        return new DiskClaim(ClaimPolicy.Create, VolumeMode.Filesystem, "mounted");
    }

    public ClaimPolicy effectivePolicy() {
        return policy == null ? ClaimPolicy.Create : policy;
    }

    public VolumeMode effectiveVolumeMode() {
        return volumeMode == null ? VolumeMode.Filesystem : volumeMode;
    }

    /** The presentation for the volume's attributes; empty for Block and for the default (disk.img). */
    public String effectivePresentation() {
        return presentation == null || effectiveVolumeMode() == VolumeMode.Block ? "" : presentation;
    }
}
