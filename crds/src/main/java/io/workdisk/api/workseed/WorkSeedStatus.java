package io.workdisk.api.workseed;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.kubernetes.api.model.Condition;
import io.workdisk.api.ConditionSchema;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public record WorkSeedStatus(
        @JsonPropertyDescription("One entry per node that has, or should have, the seed.")
        List<NodeSeedStatus> nodes,

        @JsonPropertyDescription("Nodes that have the seed, built from the current spec.")
        Integer readyNodes,

        @JsonPropertyDescription(
                "Nodes that should have the seed: those with a workdisk agent that match spec.nodeSelector.")
        Integer desiredNodes,

        @JsonPropertyDescription("readyNodes/desiredNodes (e.g. 2/3), for kubectl get.")
        String ready,

        @JsonPropertyDescription("spec.source in one line (hostPath:PATH or http:URL), for kubectl get.")
        String source,

        @JsonPropertyDescription(
                "Ready: True when every node that should have the seed has it, built from the current spec; "
                        + "False with why not otherwise (Building, BuildFailed, NoNodes, Deleting).")
        @SchemaFrom(type = ConditionSchema[].class)
        List<Condition> conditions,

        @JsonPropertyDescription("The generation of the spec this status describes.")
        Long observedGeneration) {}
