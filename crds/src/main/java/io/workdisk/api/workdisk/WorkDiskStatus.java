package io.workdisk.api.workdisk;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.kubernetes.api.model.Condition;
import io.workdisk.api.ConditionSchema;
import io.workdisk.api.node.VolumePublication;
import io.workdisk.api.task.Operation;
import java.util.List;

/**
 * What the operator observed of a disk, computed afresh at every reconcile and written whole
 * (PUT /status with the observed resourceVersion), so a field that no longer applies disappears.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WorkDiskStatus(
        @JsonPropertyDescription(
                "Pending (waiting for a node with room, a seed or a valid spec), Placing, Creating, Ready, "
                        + "Resizing, Failed (the Ready condition says why) or Deleting.")
        DiskPhase phase,

        @JsonPropertyDescription("The node the disk is on, or will be made on; it never changes once the disk is made.")
        String nodeName,

        @JsonPropertyDescription("Host path of the image file on that node, for a VM to attach.")
        String path,

        @JsonPropertyDescription(
                "Size of the ext4 filesystem on the image, in bytes; follows spec.size once a resize has finished.")
        Long capacityBytes,

        @JsonPropertyDescription("The ext4 filesystem UUID; every disk has its own.")
        String filesystemUUID,

        @JsonPropertyDescription(
                "Placed: whether the disk has a node (False with why not, e.g. NoMatchingNode, NoCapacity). "
                        + "Ready: whether a VM can attach it (False while it is made, or with why it cannot be, e.g. SizeBelowSeed, NodeLost). "
                        + "Reconciling (on its way, e.g. Creating, Resizing) and Stalled (waits for someone to act, e.g. NodeLost, "
                        + "ResizeFailed): kstatus's conditions, present only while True, with Ready's reason.")
        @SchemaFrom(type = ConditionSchema[].class)
        List<Condition> conditions,

        @JsonPropertyDescription("The generation of the spec this status describes.")
        Long observedGeneration,

        @JsonPropertyDescription("The last disk operation the node's agent finished, with its timings.")
        Operation lastOperation,

        @JsonPropertyDescription(
                "Where the disk is in use: each kubelet target its node's CSI service published it at, "
                        + "and for which pod, as the node reports it. While there is one, a resize or a deletion waits for it.")
        List<VolumePublication> publishedTo) {

    /** A disk published nowhere. */
    public WorkDiskStatus(
            DiskPhase phase,
            String nodeName,
            String path,
            Long capacityBytes,
            String filesystemUUID,
            List<Condition> conditions,
            Long observedGeneration,
            Operation lastOperation) {
        this(phase, nodeName, path, capacityBytes, filesystemUUID, conditions, observedGeneration, lastOperation, null);
    }

    /** This status with these conditions instead of its own. */
    public WorkDiskStatus withConditions(List<Condition> conditions) {
        return new WorkDiskStatus(
                phase,
                nodeName,
                path,
                capacityBytes,
                filesystemUUID,
                conditions,
                observedGeneration,
                lastOperation,
                publishedTo);
    }
}
