package io.workdisk.api.task;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
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
@JsonClassDescription("Internal: one disk step the operator asks one node's agent to run, and the agent's record "
        + "of running it. Made and removed by the operator, owned by the WorkDisk or WorkSeed it serves; not for users "
        + "to create or edit.")
@Group(ApiGroup.GROUP)
@Version(ApiGroup.VERSION)
@ShortNames("wt")
@Categories(ApiGroup.CATEGORY)
@AdditionalPrinterColumn(name = "Type", jsonPath = ".spec.type")
@AdditionalPrinterColumn(name = "Node", jsonPath = ".spec.nodeName")
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase")
@AdditionalPrinterColumn(name = "Reason", jsonPath = ".status.reason")
@AdditionalPrinterColumn(
        name = "Age",
        jsonPath = ".metadata.creationTimestamp",
        type = AdditionalPrinterColumn.Type.DATE)
public class WorkTask extends CustomResource<WorkTaskSpec, WorkTaskStatus> implements Namespaced {
    // Overridden to describe the fields in the CRD schema (kubectl explain), as they are declared in CustomResource,
    // and to require a spec: an object without one is refused by the API server rather than left for the
    // operator to trip on.
    @Override
    @Required
    @JsonPropertyDescription(
            "The step, written once by the operator: which node's agent runs it, what it does and to " + "which image.")
    public WorkTaskSpec getSpec() {
        return super.getSpec();
    }

    @Override
    @JsonPropertyDescription("Written only by the node's agent: Running while the step runs, then its result or why it "
            + "failed. A finished status is final: an agent that sees the task again does nothing.")
    public WorkTaskStatus getStatus() {
        return super.getStatus();
    }
}
