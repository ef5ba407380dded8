package io.workdisk.operator.csi;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.workdisk.api.Conditions;
import io.workdisk.api.DiskLimits;
import io.workdisk.api.WithoutManagedFields;
import io.workdisk.api.node.WorkNode;
import io.workdisk.api.node.WorkNodeStatus;
import io.workdisk.csi.CsiDriver;
import io.workdisk.csi.protocol.GetCapacityRequest;
import io.workdisk.csi.protocol.GetCapacityResponse;

/**
 * GetCapacity from the WorkNode records the agents keep: per node (the topology segment the provisioner
 * asks about), the room left for disks on a node whose agent is Ready, as {@code kubectl get worknodes}
 * shows it (capacity less allocated, or the data root's free space if that is less; overcommit is not
 * counted, so the scheduler never sends a claim to a node on the strength of it); zero for a node without
 * an agent or one that is not Ready, so the scheduler's storage-capacity check passes it over. Without a
 * topology: the most any one node has, since a disk lives on one node.
 *
 * <p>The records are read from a watch-fed cache, not listed per call: the provisioner asks per node and class
 * every poll interval (seconds, for the scheduler to see room as disks come and go), which would otherwise
 * be a list request per answer.
 */
final class CapacityReport implements AutoCloseable {
    private final SharedIndexInformer<WorkNode> nodes;

    private CapacityReport(SharedIndexInformer<WorkNode> nodes) {
        this.nodes = nodes;
    }

    /** Watches the WorkNode records from now on; the first answers wait for nothing (empty: zero room). */
    static CapacityReport watching(KubernetesClient client) {
        SharedIndexInformer<WorkNode> nodes =
                client.resources(WorkNode.class).runnableInformer(0).itemStore(new WithoutManagedFields<>());
        nodes.run();
        return new CapacityReport(nodes);
    }

    GetCapacityResponse answer(GetCapacityRequest request) {
        String node = request.hasAccessibleTopology()
                ? request.getAccessibleTopology().getSegmentsMap().get(CsiDriver.TOPOLOGY_KEY)
                : null;
        long room = roomOn(node);
        return GetCapacityResponse.newBuilder()
                .setAvailableCapacity(room)
                .setMaximumVolumeSize(com.google.protobuf.Int64Value.of(Math.min(room, DiskLimits.LIMIT_BYTES)))
                .setMinimumVolumeSize(com.google.protobuf.Int64Value.of(DiskLimits.MIN_BYTES))
                .build();
    }

    /** The room for disks on a node (null: the most on any one node). */
    long roomOn(String node) {
        return nodes.getStore().list().stream()
                .filter(n -> node == null || n.getMetadata().getName().equals(node))
                .filter(n ->
                        n.getStatus() != null && Conditions.isTrue(n.getStatus().conditions(), "Ready"))
                .mapToLong(n -> room(n.getStatus()))
                .max()
                .orElse(0);
    }

    /** A Ready node's capacity for disks (0 for none), and the free space of its data root. */
    long[] capacityAndFree(String node) {
        return nodes.getStore().list().stream()
                .filter(n -> n.getMetadata().getName().equals(node))
                .filter(n ->
                        n.getStatus() != null && Conditions.isTrue(n.getStatus().conditions(), "Ready"))
                .filter(n ->
                        n.getStatus().capacityBytes() != null && n.getStatus().freeBytes() != null)
                .map(n ->
                        new long[] {n.getStatus().capacityBytes(), n.getStatus().freeBytes()})
                .findFirst()
                .orElse(new long[] {0, 0});
    }

    @Override
    public void close() {
        nodes.close();
    }

    private static long room(WorkNodeStatus status) {
        if (status.capacityBytes() == null || status.allocatedBytes() == null || status.freeBytes() == null) {
            return 0;
        }
        return Math.max(0, Math.min(status.capacityBytes() - status.allocatedBytes(), status.freeBytes()));
    }
}
