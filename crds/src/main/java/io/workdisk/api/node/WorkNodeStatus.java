package io.workdisk.api.node;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.kubernetes.api.model.Condition;
import io.workdisk.api.ByteQuantity;
import io.workdisk.api.ConditionSchema;
import java.util.List;

/**
 * What a node's agent reports. The byte counts are what the operator computes with; capacity, allocated and
 * free are quantities for people (kubectl get's columns), derived from them here so they can never disagree
 * with them, and ignored when read back.
 */
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

        @JsonPropertyDescription("When the agent last reported, in RFC 3339 UTC "
                + "to the second (e.g. 2026-11-25T16:27:40Z). Older than the operator's "
                + "--node-grace (default 60s): the agent is taken to be gone and no disk is placed on the node.")
        String heartbeatTime,

        @JsonPropertyDescription(
                "Ready: True when the agent can make disks (e2fsprogs found, data root writable, clock in "
                        + "step with the API server); False with why not otherwise (ToolsMissing, DataRootUnwritable, ClockSkew...).")
        @SchemaFrom(type = ConditionSchema[].class)
        List<Condition> conditions,

        @JsonPropertyDescription(
                "What this node's CSI service has published, one entry per kubelet target: "
                        + "the disk, where, how, and for which pod. The operator neither resizes nor deletes a disk listed here.")
        List<VolumePublication> publications) {

    /** A node with nothing published (an agent without its CSI service, or before any pod used a disk). */
    public WorkNodeStatus(
            String dataRoot,
            Long capacityBytes,
            Long freeBytes,
            Long allocatedBytes,
            Integer disks,
            List<String> seeds,
            String agentVersion,
            String heartbeatTime,
            List<Condition> conditions) {
        this(
                dataRoot,
                capacityBytes,
                freeBytes,
                allocatedBytes,
                disks,
                seeds,
                agentVersion,
                heartbeatTime,
                conditions,
                null);
    }

    /** The publications of one disk on this node (none when the record lists none). */
    public List<VolumePublication> publicationsOf(String diskUid) {
        return publications == null
                ? List.of()
                : publications.stream().filter(p -> diskUid.equals(p.diskUid())).toList();
    }

    @JsonProperty(value = "capacity", access = JsonProperty.Access.READ_ONLY)
    @JsonPropertyDescription("capacityBytes for reading, e.g. 252Gi: a quantity in binary units, at most three "
            + "significant digits, rounded down.")
    public String capacity() {
        return ByteQuantity.readable(capacityBytes);
    }

    @JsonProperty(value = "allocated", access = JsonProperty.Access.READ_ONLY)
    @JsonPropertyDescription("allocatedBytes for reading, e.g. 40Gi: a quantity in binary units, at most three "
            + "significant digits, rounded down.")
    public String allocated() {
        return ByteQuantity.readable(allocatedBytes);
    }

    /** What is left for disks: beside Capacity and Allocated, a Free above their difference would read as a contradiction. */
    @JsonProperty(value = "free", access = JsonProperty.Access.READ_ONLY)
    @JsonPropertyDescription("Room left for disks, for reading, e.g. 79.5Gi: capacityBytes minus allocatedBytes, or "
            + "freeBytes if the data root's filesystem has less; a quantity in binary units, at most three significant "
            + "digits, rounded down.")
    public String free() {
        if (capacityBytes == null || allocatedBytes == null || freeBytes == null) {
            return null;
        }
        return ByteQuantity.readable(Math.max(0, Math.min(capacityBytes - allocatedBytes, freeBytes)));
    }
}
