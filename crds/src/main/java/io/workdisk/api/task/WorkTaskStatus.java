package io.workdisk.api.task;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Map;

/** Written by the agent: progress, then the result or the reason it failed. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WorkTaskStatus(
        TaskPhase phase,
        @JsonPropertyDescription("Failed: a stable machine-readable reason, e.g. SIZE_BELOW_SEED, INSUFFICIENT_SPACE.")
        String reason,
        String message,
        @JsonPropertyDescription("Failed: whether trying again may succeed.")
        Boolean retryable,
        String startedAt,
        String finishedAt,
        Double seconds,
        Map<String, Double> phaseSeconds,
        TaskResult result,
        Long observedGeneration) {

    public boolean finished() {
        return phase != null && phase.finished();
    }
}
