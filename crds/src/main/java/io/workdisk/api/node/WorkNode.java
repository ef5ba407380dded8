package io.workdisk.api.node;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;
import io.workdisk.api.ApiGroup;

/** One node's agent as it reports itself: its data root's room, its disks and seeds, its heartbeat. */
@Group(ApiGroup.GROUP)
@Version(ApiGroup.VERSION)
@ShortNames("wn")
@Categories(ApiGroup.CATEGORY)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status")
@AdditionalPrinterColumn(name = "Capacity", jsonPath = ".status.capacityBytes", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Allocated", jsonPath = ".status.allocatedBytes", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Free", jsonPath = ".status.freeBytes", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Disks", jsonPath = ".status.disks", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Heartbeat", jsonPath = ".status.heartbeatTime", type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(name = "Version", jsonPath = ".status.agentVersion", priority = 1)
public class WorkNode extends CustomResource<Void, WorkNodeStatus> {
}
