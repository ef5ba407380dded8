package io.workdisk.api.workseed;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;
import io.workdisk.api.ApiGroup;

/** A filesystem's subtree (by default /root) built into a small ext4 seed on every matching node. */
@JsonClassDescription("A filesystem's subtree (by default /root; / for a VM root disk), from an ext4 rootfs image or "
        + "a container image, built into a small ext4 seed on every matching node, for WorkDisks (spec.seedRef) to start from. Cluster-scoped. Deleting it removes the seeds from the "
        + "nodes and never touches disks made from them.")
@Group(ApiGroup.GROUP)
@Version(ApiGroup.VERSION)
@ShortNames("ws")
@Categories(ApiGroup.CATEGORY)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.ready")
@AdditionalPrinterColumn(name = "Source", jsonPath = ".status.source")
@AdditionalPrinterColumn(name = "Progress", jsonPath = ".status.progress")
@AdditionalPrinterColumn(
        name = "Age",
        jsonPath = ".metadata.creationTimestamp",
        type = AdditionalPrinterColumn.Type.DATE)
public class WorkSeed extends CustomResource<WorkSeedSpec, WorkSeedStatus> {
    // Overridden to describe the fields in the CRD schema (kubectl explain), as they are declared in CustomResource,
    // and to require a spec: an object without one is refused by the API server rather than left for the
    // operator to trip on.
    @Override
    @Required
    @JsonPropertyDescription(
            "The seed wanted, written by its user: the rootfs, the subtree of it to take and the nodes "
                    + "to build it on. A change rebuilds the seeds, or moves them to the nodes that now match.")
    public WorkSeedSpec getSpec() {
        return super.getSpec();
    }

    @Override
    @JsonPropertyDescription("The seed on each node as the operator last observed it; written only by the operator.")
    public WorkSeedStatus getStatus() {
        return super.getStatus();
    }
}
