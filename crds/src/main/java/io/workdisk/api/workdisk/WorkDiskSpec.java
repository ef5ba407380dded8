package io.workdisk.api.workdisk;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Map;

@JsonInclude(JsonInclude.Include.NON_NULL)
// Each size rule first checks that the size matches the pattern: the API server runs every rule even when
// the pattern has refused the value, and quantity() on a malformed string fails with the CEL library's own
// message. A malformed size so gets exactly one message, the pattern's.
@ValidationRule(
        value = "!" + WorkDiskSpec.WELL_FORMED + " || quantity(self.size).compareTo(quantity('64Mi')) >= 0",
        message = "size must be at least 64Mi",
        fieldPath = ".size")
@ValidationRule(
        value = "!" + WorkDiskSpec.WELL_FORMED + " || quantity(self.size).compareTo(quantity('16Ti')) < 0",
        message = "size must be below 16Ti, the largest file an ext4 data root can hold",
        fieldPath = ".size")
// Only for sizes within bounds: a size refused as too small or too large is not also called fractional.
@ValidationRule(
        value = "!" + WorkDiskSpec.WELL_FORMED + " || quantity(self.size).compareTo(quantity('64Mi')) < 0"
                + " || quantity(self.size).compareTo(quantity('16Ti')) >= 0 || quantity(self.size).isInteger()",
        message = "size must be a whole number of bytes",
        fieldPath = ".size")
@ValidationRule(
        value = "!" + WorkDiskSpec.WELL_FORMED + " || !" + WorkDiskSpec.OLD_WELL_FORMED
                + " || quantity(self.size).compareTo(quantity(oldSelf.size)) >= 0",
        message = "size can only grow: shrinking a filesystem is not supported",
        fieldPath = ".size")
@ValidationRule(
        value = "has(self.seedRef) == has(oldSelf.seedRef) && (!has(self.seedRef) || self.seedRef == oldSelf.seedRef)",
        message = "seedRef is immutable: a disk's content cannot be changed after it is made",
        fieldPath = ".seedRef")
@ValidationRule(
        value = "!has(oldSelf.nodeName) || (has(self.nodeName) && self.nodeName == oldSelf.nodeName)",
        message = "nodeName cannot be changed or removed once set: a disk does not move between nodes",
        fieldPath = ".nodeName")
// A volume's mode and presentation are fixed once its PersistentVolume exists (the PV's are immutable).
@ValidationRule(
        value = WorkDiskSpec.VOLUME_MODE_NOW + " == " + WorkDiskSpec.VOLUME_MODE_BEFORE,
        message = "claim.volumeMode is immutable",
        fieldPath = ".claim")
@ValidationRule(
        value = WorkDiskSpec.PRESENTATION_NOW + " == " + WorkDiskSpec.PRESENTATION_BEFORE,
        message = "claim.presentation is immutable",
        fieldPath = ".claim")
public record WorkDiskSpec(
        @Required
        @Size(max = 32)
        @Pattern(WorkDiskSpec.QUANTITY)
        @JsonPropertyDescription(
                "Size of the disk as a Kubernetes quantity (e.g. 8Gi), at least 64Mi. Can only grow; growing resizes the disk offline.")
        String size,

        @Size(max = 253)
        @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
        @JsonPropertyDescription(
                "Name of the WorkSeed whose tree the disk starts with. Absent: a blank formatted disk. Immutable.")
        String seedRef,

        @Size(max = 253)
        @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
        @JsonPropertyDescription("Node to make the disk on. Absent: the operator places it. Immutable once set.")
        String nodeName,

        @JsonPropertyDescription("Labels the node's Kubernetes Node object must have for the disk to be placed there. "
                + "Read only while the disk has no node.")
        Map<String, String> nodeSelector,

        @JsonPropertyDescription(
                "Delete (default) removes the image file when the WorkDisk is deleted; Retain keeps it on the node.")
        ReclaimPolicy reclaimPolicy,

        @JsonPropertyDescription(
                "true: reserve every block of the image when it is made; false (default): a sparse file "
                        + "that takes room on the node as it is written. Read only when the disk is made.")
        Boolean preallocate,

        @JsonPropertyDescription(
                "The PersistentVolume and PersistentVolumeClaim the operator makes for the disk, "
                        + "so a VM or pod uses it by the disk's name. Absent: a claim of the disk's name, Filesystem, disk.img.")
        DiskClaim claim) {

    /** A Kubernetes quantity in bytes: digits with an optional fraction and binary or decimal suffix. */
    public static final String QUANTITY = "^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$";
    /** CEL: the size matches {@link #QUANTITY} (a raw string, so the pattern's backslash stays one). */
    static final String WELL_FORMED = "self.size.matches(r'" + QUANTITY + "')";
    /** CEL: the stored size matched it too (it may not, if it was stored before the pattern existed). */
    static final String OLD_WELL_FORMED = "oldSelf.size.matches(r'" + QUANTITY + "')";

    /** CEL: the claim's volume mode now and before, each with its default. */
    static final String VOLUME_MODE_NOW =
            "(has(self.claim) && has(self.claim.volumeMode) ? self.claim.volumeMode : 'Filesystem')";

    static final String VOLUME_MODE_BEFORE =
            "(has(oldSelf.claim) && has(oldSelf.claim.volumeMode) ? oldSelf.claim.volumeMode : 'Filesystem')";
    /** CEL: the claim's presentation now and before, each with its default. */
    static final String PRESENTATION_NOW =
            "(has(self.claim) && has(self.claim.presentation) ? self.claim.presentation : 'diskImage')";

    static final String PRESENTATION_BEFORE =
            "(has(oldSelf.claim) && has(oldSelf.claim.presentation) ? oldSelf.claim.presentation : 'diskImage')";

    /** A blank disk of {@code size}, everything else left to the defaults; the withers below add the rest. */
    public static WorkDiskSpec ofSize(String size) {
        return new WorkDiskSpec(size, null, null, null, null, null, null);
    }

    public WorkDiskSpec withSize(String size) {
        return new WorkDiskSpec(size, seedRef, nodeName, nodeSelector, reclaimPolicy, preallocate, claim);
    }

    public WorkDiskSpec withSeedRef(String seedRef) {
        return new WorkDiskSpec(size, seedRef, nodeName, nodeSelector, reclaimPolicy, preallocate, claim);
    }

    public WorkDiskSpec withNodeName(String nodeName) {
        return new WorkDiskSpec(size, seedRef, nodeName, nodeSelector, reclaimPolicy, preallocate, claim);
    }

    public WorkDiskSpec withNodeSelector(Map<String, String> nodeSelector) {
        return new WorkDiskSpec(size, seedRef, nodeName, nodeSelector, reclaimPolicy, preallocate, claim);
    }

    public WorkDiskSpec withReclaimPolicy(ReclaimPolicy reclaimPolicy) {
        return new WorkDiskSpec(size, seedRef, nodeName, nodeSelector, reclaimPolicy, preallocate, claim);
    }

    public WorkDiskSpec withPreallocate(Boolean preallocate) {
        return new WorkDiskSpec(size, seedRef, nodeName, nodeSelector, reclaimPolicy, preallocate, claim);
    }

    public WorkDiskSpec withClaim(DiskClaim claim) {
        return new WorkDiskSpec(size, seedRef, nodeName, nodeSelector, reclaimPolicy, preallocate, claim);
    }

    public DiskClaim effectiveClaim() {
        return claim == null ? DiskClaim.defaults() : claim;
    }

    public ReclaimPolicy effectiveReclaimPolicy() {
        return reclaimPolicy == null ? ReclaimPolicy.Delete : reclaimPolicy;
    }

    public boolean wantsPreallocation() {
        return Boolean.TRUE.equals(preallocate);
    }
}
