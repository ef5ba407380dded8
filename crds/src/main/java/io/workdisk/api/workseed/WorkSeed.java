package io.workdisk.api.workseed;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;
import io.workdisk.api.ApiGroup;

/** A rootfs image's subtree (by default /root) built into a small ext4 seed on every matching node. */
@Group(ApiGroup.GROUP)
@Version(ApiGroup.VERSION)
@ShortNames("ws")
@Categories(ApiGroup.CATEGORY)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.ready")
@AdditionalPrinterColumn(name = "Source", jsonPath = ".status.source")
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class WorkSeed extends CustomResource<WorkSeedSpec, WorkSeedStatus> {
    /** Required: an object without a spec is refused by the API server rather than left for the operator to trip on. */
    @Override
    @Required
    public WorkSeedSpec getSpec() {
        return super.getSpec();
    }
}
