package io.workdisk.api.task;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Map;

/** A finished disk operation as users see it in a WorkDisk's or WorkSeed's status. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Operation(
        @JsonPropertyDescription("Format, BuildSeed, Materialize, Resize or Delete.")
        TaskType type,
        @JsonPropertyDescription("Succeeded or Failed.")
        TaskPhase result,
        String startedAt,
        String finishedAt,
        @JsonPropertyDescription("Wall time of the step inside the node's disk engine.")
        Double seconds,
        @JsonPropertyDescription("Wall time of each phase of the step, in seconds.")
        Map<String, Double> phaseSeconds,
        @JsonPropertyDescription("Which try this was (1 for the first).")
        Integer attempt) {
}
