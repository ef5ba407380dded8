package io.workdisk.api.node;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.SchemaSwap;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;
import io.workdisk.api.ApiGroup;

/** One node's agent as it reports itself: its data root's room, its disks and seeds, its heartbeat. */
@JsonClassDescription("One node's workdisk agent as it reports itself, named after the node: room for disks, the "
        + "disks and seeds it holds, its health and heartbeat. Written by the agent; the operator places disks by it.")
@Group(ApiGroup.GROUP)
@Version(ApiGroup.VERSION)
@ShortNames("wn")
@Categories(ApiGroup.CATEGORY)
// A WorkNode is all status: its schema has no spec.
@SchemaSwap(originalType = WorkNode.class, fieldName = "spec", targetType = void.class)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status")
@AdditionalPrinterColumn(name = "Capacity", jsonPath = ".status.capacity")
@AdditionalPrinterColumn(name = "Allocated", jsonPath = ".status.allocated")
@AdditionalPrinterColumn(name = "Free", jsonPath = ".status.free")
@AdditionalPrinterColumn(name = "Disks", jsonPath = ".status.disks", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
        name = "Heartbeat",
        jsonPath = ".status.heartbeatTime",
        type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(name = "Version", jsonPath = ".status.agentVersion", priority = 1)
public class WorkNode extends CustomResource<Void, WorkNodeStatus> {
    // Overridden only to describe the field in the CRD schema (kubectl explain): it is declared in CustomResource.
    @Override
    @JsonPropertyDescription(
            "Written only by the node's agent, at every heartbeat; the operator reads it to place disks "
                    + "and to tell whether the agent is alive.")
    public WorkNodeStatus getStatus() {
        return super.getStatus();
    }
}
