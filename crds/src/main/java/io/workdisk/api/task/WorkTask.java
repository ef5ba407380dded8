package io.workdisk.api.task;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;
import io.workdisk.api.ApiGroup;

/**
 * Internal: one engine step for one node's agent, written by the operator, carried out and reported by
 * the agent labelled in {@link ApiGroup#NODE_LABEL}. Its status is the record of finished work, so an
 * agent that sees it again does nothing. Lives in the namespace of the WorkDisk it serves (WorkSeed
 * tasks: the operator's namespace) and is owned by that object.
 */
@Group(ApiGroup.GROUP)
@Version(ApiGroup.VERSION)
@ShortNames("wt")
@Categories(ApiGroup.CATEGORY)
@AdditionalPrinterColumn(name = "Type", jsonPath = ".spec.type")
@AdditionalPrinterColumn(name = "Node", jsonPath = ".spec.nodeName")
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase")
@AdditionalPrinterColumn(name = "Reason", jsonPath = ".status.reason")
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class WorkTask extends CustomResource<WorkTaskSpec, WorkTaskStatus> implements Namespaced {
    /** Required: an object without a spec is refused by the API server rather than left for the operator to trip on. */
    @Override
    @Required
    public WorkTaskSpec getSpec() {
        return super.getSpec();
    }
}
