package io.workdisk.api.workdisk;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;
import io.workdisk.api.ApiGroup;

/** An ext4 image file of a requested size on one node, blank or materialized from a WorkSeed. */
@JsonClassDescription("An ext4 image file of a requested size on one node, blank or made from a WorkSeed's tree, "
        + "for a VM to attach (status.path). Deleting it removes the image, or keeps it with spec.reclaimPolicy: Retain.")
@Group(ApiGroup.GROUP)
@Version(ApiGroup.VERSION)
@ShortNames("wd")
@Categories(ApiGroup.CATEGORY)
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase")
@AdditionalPrinterColumn(name = "Size", jsonPath = ".spec.size")
@AdditionalPrinterColumn(name = "Node", jsonPath = ".status.nodeName")
@AdditionalPrinterColumn(name = "Seed", jsonPath = ".spec.seedRef")
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(name = "Path", jsonPath = ".status.path", priority = 1)
@AdditionalPrinterColumn(name = "Reason", jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason", priority = 1)
public class WorkDisk extends CustomResource<WorkDiskSpec, WorkDiskStatus> implements Namespaced {
    // Overridden only to describe the fields in the CRD schema (kubectl explain): they are declared in CustomResource.
    @Override
    @JsonPropertyDescription("The disk wanted, written by its user: size, content, where it lives, what happens to it on "
            + "deletion. The operator makes the disk match it; only size may change once the disk exists.")
    public WorkDiskSpec getSpec() {
        return super.getSpec();
    }

    @Override
    @JsonPropertyDescription("The disk as the operator last observed it; written only by the operator, whole, at every "
            + "change.")
    public WorkDiskStatus getStatus() {
        return super.getStatus();
    }
}
