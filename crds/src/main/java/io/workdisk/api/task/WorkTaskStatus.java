package io.workdisk.api.task;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.workdisk.api.UserMessages;
import java.util.Map;

/**
 * Written by the agent: progress, then the result or the reason it failed. Which fields each phase
 * carries is said by the factories {@link #running}, {@link #succeeded} and {@link #failed}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WorkTaskStatus(
        @JsonPropertyDescription("Pending, Running, Succeeded or Failed; Succeeded and Failed are final.")
        TaskPhase phase,

        @JsonPropertyDescription("Failed: a stable machine-readable reason, e.g. SIZE_BELOW_SEED, INSUFFICIENT_SPACE.")
        String reason,

        @JsonPropertyDescription("Failed: what went wrong, for a person to read.")
        String message,

        @JsonPropertyDescription("Failed: whether trying again may succeed.")
        Boolean retryable,

        @JsonPropertyDescription(
                "When the agent started the step, in RFC 3339 UTC " + "to the second (e.g. 2026-11-25T16:27:40Z).")
        String startedAt,

        @JsonPropertyDescription(
                "When the agent finished the step, in RFC 3339 UTC " + "to the second (e.g. 2026-11-25T16:27:40Z).")
        String finishedAt,

        @JsonPropertyDescription("Wall time of the step inside the node's disk engine, in seconds.")
        Double seconds,

        @JsonPropertyDescription(
                "Wall time of each phase of the step (BuildSeed: extract, mkfs, fixups, check), in seconds.")
        Map<String, Double> phaseSeconds,

        @JsonPropertyDescription("Succeeded: what the step made, as the agent read it back from the image.")
        TaskResult result,

        @JsonPropertyDescription(
                "Running BuildSeed from an image: how far it has come (written at most every few " + "seconds).")
        BuildProgress progress,

        @JsonPropertyDescription("The generation of the spec this status is for.")
        Long observedGeneration) {

    /** The step has begun; {@code generation} is the spec's, so a replay of the same spec is recognised. */
    public static WorkTaskStatus running(String startedAt, Long generation) {
        return new WorkTaskStatus(
                TaskPhase.Running, null, null, null, startedAt, null, null, null, null, null, generation);
    }

    /** This Running status with how far the step has come. */
    public WorkTaskStatus withProgress(BuildProgress progress) {
        return new WorkTaskStatus(
                phase,
                reason,
                message,
                retryable,
                startedAt,
                finishedAt,
                seconds,
                phaseSeconds,
                result,
                progress,
                observedGeneration);
    }

    /** The step made {@code result}, as the agent read it back. */
    public static WorkTaskStatus succeeded(
            String startedAt,
            String finishedAt,
            double seconds,
            Map<String, Double> phaseSeconds,
            TaskResult result,
            Long generation) {
        return new WorkTaskStatus(
                TaskPhase.Succeeded,
                null,
                null,
                null,
                startedAt,
                finishedAt,
                seconds,
                phaseSeconds,
                result,
                null,
                generation);
    }

    /** The step failed for {@code reason}; {@code retryable}: the same spec may succeed later. */
    public static WorkTaskStatus failed(
            String reason, String message, boolean retryable, String startedAt, String finishedAt, Long generation) {
        assert !UserMessages.namesJavaType(message) : "a task's failure names a Java type: " + message;
        return new WorkTaskStatus(
                TaskPhase.Failed,
                reason,
                message,
                retryable,
                startedAt,
                finishedAt,
                null,
                Map.of(),
                null,
                null,
                generation);
    }

    public boolean finished() {
        return phase != null && phase.finished();
    }
}
