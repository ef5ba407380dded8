package io.workdisk.api.workdisk;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;
import io.workdisk.api.ApiGroup;

/** An ext4 image file of a requested size on one node, blank or materialized from a WorkSeed. */
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
    /** Required: an object without a spec is refused by the API server rather than left for the operator to trip on. */
    @Override
    @Required
    public WorkDiskSpec getSpec() {
        return super.getSpec();
    }
}
