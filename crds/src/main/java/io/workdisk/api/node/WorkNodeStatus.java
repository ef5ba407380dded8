package io.workdisk.api.node;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.kubernetes.api.model.Condition;
import io.workdisk.api.ConditionSchema;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public record WorkNodeStatus(
        @JsonPropertyDescription("The agent's data root on the host (its --root); disks and seeds are files under it.")
        String dataRoot,
        @JsonPropertyDescription("Bytes the agent offers for disks: the data root filesystem's size, or the agent's "
                + "--capacity if lower. The operator places disks so that their sizes add up to no more than this (times its "
                + "--overcommit, default 1).")
        Long capacityBytes,
        @JsonPropertyDescription("Free bytes on the data root's filesystem when the agent last looked.")
        Long freeBytes,
        @JsonPropertyDescription("Bytes of disks on this node: the sum of their image files' sizes.")
        Long allocatedBytes,
        @JsonPropertyDescription("Number of disk images on this node.")
        Integer disks,
        @JsonPropertyDescription("Seed images present on this node, by WorkSeed name.")
        List<String> seeds,
        @JsonPropertyDescription("Version of the workdisk agent on this node.")
        String agentVersion,
        @JsonPropertyDescription("When the agent last reported, in RFC 3339 UTC. Older than the operator's --node-grace (default "
                + "60s): the agent is taken to be gone and no disk is placed on the node.")
        String heartbeatTime,
        @JsonPropertyDescription("Ready: True when the agent can make disks (e2fsprogs found, data root writable, clock in "
                + "step with the API server); False with why not otherwise (ToolsMissing, DataRootUnwritable, ClockSkew...).")
        @SchemaFrom(type = ConditionSchema[].class)
        List<Condition> conditions) {
}
