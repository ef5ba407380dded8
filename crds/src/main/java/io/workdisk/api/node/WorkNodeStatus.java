package io.workdisk.api.node;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public record WorkNodeStatus(
        @JsonPropertyDescription("The agent's data root on the host.")
        String dataRoot,
        @JsonPropertyDescription("Bytes the agent offers for disks: the data root filesystem's size, or the agent's --capacity if lower.")
        Long capacityBytes,
        @JsonPropertyDescription("Free bytes on the data root's filesystem.")
        Long freeBytes,
        @JsonPropertyDescription("Sum of the sizes of the disks on this node.")
        Long allocatedBytes,
        Integer disks,
        @JsonPropertyDescription("Seed images present on this node, by WorkSeed name.")
        List<String> seeds,
        String agentVersion,
        @JsonPropertyDescription("When the agent last reported; a stale heartbeat means the agent is gone.")
        String heartbeatTime,
        @JsonPropertyDescription("Ready: the agent can make disks (e2fsprogs found, data root writable); otherwise the reason.")
        List<Condition> conditions) {
}
