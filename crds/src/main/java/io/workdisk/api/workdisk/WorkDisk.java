package io.workdisk.api.workdisk;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;
import io.workdisk.api.ApiGroup;

/** An ext4 image file of a requested size on one node, blank or materialized from a WorkSeed. */
@JsonClassDescription(
        "An ext4 image file of a requested size on one node, blank or made from a WorkSeed's tree, "
                + "for a VM to attach (status.path). Deleting it removes the image, or keeps it with spec.reclaimPolicy: Retain.")
@Group(ApiGroup.GROUP)
@Version(ApiGroup.VERSION)
@ShortNames("wd")
@Categories(ApiGroup.CATEGORY)
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase")
@AdditionalPrinterColumn(name = "Size", jsonPath = ".spec.size")
@AdditionalPrinterColumn(name = "Node", jsonPath = ".status.nodeName")
@AdditionalPrinterColumn(name = "Seed", jsonPath = ".spec.seedRef")
@AdditionalPrinterColumn(
        name = "Age",
        jsonPath = ".metadata.creationTimestamp",
        type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(name = "Path", jsonPath = ".status.path", priority = 1)
@AdditionalPrinterColumn(name = "Reason", jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason", priority = 1)
@AdditionalPrinterColumn(name = "Used By", jsonPath = ".status.publishedTo[*].podName", priority = 1)
// On the whole object because it needs the status: a nodeName added after the operator has placed the disk
// can only name the node it is on, for the operator keeps a disk where it placed it whatever the spec says
// later. Status writes never change spec, so they always pass (has(oldSelf.spec.nodeName) or no nodeName).
@ValidationRule(
        value = "!has(self.spec.nodeName) || has(oldSelf.spec.nodeName) || !has(self.status)"
                + " || !has(self.status.nodeName) || self.spec.nodeName == self.status.nodeName",
        message =
                "nodeName can only be set to the node the disk is on (status.nodeName): a disk does not move between nodes",
        messageExpression = "'nodeName can only be set to ' + self.status.nodeName"
                + " + ', the node the disk is on: a disk does not move between nodes'",
        fieldPath = ".spec.nodeName")
public class WorkDisk extends CustomResource<WorkDiskSpec, WorkDiskStatus> implements Namespaced {
    // Overridden to describe the fields in the CRD schema (kubectl explain), as they are declared in CustomResource,
    // and to require a spec: an object without one is refused by the API server rather than left for the
    // operator to trip on.
    @Override
    @Required
    @JsonPropertyDescription(
            "The disk wanted, written by its user: size, content, where it lives, what happens to it on "
                    + "deletion. The operator makes the disk match it; only size may change once the disk exists.")
    public WorkDiskSpec getSpec() {
        return super.getSpec();
    }

    @Override
    @JsonPropertyDescription(
            "The disk as the operator last observed it; written only by the operator, whole, at every " + "change.")
    public WorkDiskStatus getStatus() {
        return super.getStatus();
    }
}
