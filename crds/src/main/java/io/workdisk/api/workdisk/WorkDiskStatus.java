package io.workdisk.api.workdisk;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import io.workdisk.api.task.Operation;
import java.util.List;

/**
 * What the operator observed of a disk, computed afresh at every reconcile and written whole
 * (PUT /status with the observed resourceVersion), so a field that no longer applies disappears.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WorkDiskStatus(
        @JsonPropertyDescription("Pending, Placing, Creating, Ready, Resizing, Failed or Deleting.")
        DiskPhase phase,
        @JsonPropertyDescription("The node the disk is on (or will be made on).")
        String nodeName,
        @JsonPropertyDescription("Host path of the image file on that node, for a VM to attach.")
        String path,
        @JsonPropertyDescription("Size of the filesystem on the image, in bytes.")
        Long capacityBytes,
        @JsonPropertyDescription("The ext4 filesystem UUID; every disk has its own.")
        String filesystemUUID,
        @JsonPropertyDescription("Placed and Ready, following Kubernetes API conventions.")
        List<Condition> conditions,
        @JsonPropertyDescription("The generation of the spec this status describes.")
        Long observedGeneration,
        @JsonPropertyDescription("The last disk operation the node's agent finished, with its timings.")
        Operation lastOperation) {
}
