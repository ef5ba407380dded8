package io.workdisk.operator.csi;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.workdisk.api.Conditions;
import io.workdisk.api.DiskLimits;
import io.workdisk.api.node.WorkNode;
import io.workdisk.csi.CsiDriver;
import io.workdisk.csi.protocol.GetCapacityRequest;
import io.workdisk.csi.protocol.GetCapacityResponse;

/**
 * GetCapacity from the WorkNode records the agents keep: per node (the topology segment the provisioner
 * asks about), the room free for disks on a node whose agent is Ready; zero for a node without an agent or
 * one that is not Ready, so the scheduler's storage-capacity check passes it over.
 */
final class CapacityReport {
    private final KubernetesClient client;

    CapacityReport(KubernetesClient client) {
        this.client = client;
    }

    GetCapacityResponse answer(GetCapacityRequest request) {
        String node = request.hasAccessibleTopology()
                ? request.getAccessibleTopology().getSegmentsMap().get(CsiDriver.TOPOLOGY_KEY)
                : null;
        long free = client.resources(WorkNode.class).list().getItems().stream()
                .filter(n -> node == null || n.getMetadata().getName().equals(node))
                .filter(n ->
                        n.getStatus() != null && Conditions.isTrue(n.getStatus().conditions(), "Ready"))
                .mapToLong(n -> n.getStatus().freeBytes() == null
                        ? 0
                        : Math.max(0, n.getStatus().freeBytes()))
                .reduce(0, node == null ? Math::max : Long::sum);
        return GetCapacityResponse.newBuilder()
                .setAvailableCapacity(free)
                .setMaximumVolumeSize(com.google.protobuf.Int64Value.of(Math.min(free, DiskLimits.LIMIT_BYTES)))
                .setMinimumVolumeSize(com.google.protobuf.Int64Value.of(DiskLimits.MIN_BYTES))
                .build();
    }
}
