package io.workdisk.api.workseed;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public record WorkSeedStatus(
        @JsonPropertyDescription("One entry per node that has, or should have, the seed.")
        List<NodeSeedStatus> nodes,
        Integer readyNodes,
        Integer desiredNodes,
        @JsonPropertyDescription("readyNodes/desiredNodes, for kubectl.")
        String ready,
        @JsonPropertyDescription("The source in one line, for kubectl.")
        String source,
        List<Condition> conditions,
        Long observedGeneration) {
}
