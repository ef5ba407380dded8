package io.workdisk.api.task;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Map;

/** A finished disk operation as users see it in a WorkDisk's or WorkSeed's status. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Operation(
        @JsonPropertyDescription(
                "The step: Format (a blank disk), Materialize (a disk from a seed), Resize, BuildSeed or Delete.")
        TaskType type,

        @JsonPropertyDescription("Succeeded or Failed.") TaskPhase result,

        @JsonPropertyDescription("When the node's agent started the step, in RFC 3339 UTC "
                + "to the second (e.g. 2026-11-25T16:27:40Z).")
        String startedAt,

        @JsonPropertyDescription("When the node's agent finished the step, in RFC 3339 UTC "
                + "to the second (e.g. 2026-11-25T16:27:40Z).")
        String finishedAt,

        @JsonPropertyDescription("Wall time of the step inside the node's disk engine, in seconds.")
        Double seconds,

        @JsonPropertyDescription(
                "Wall time of each phase of the step (BuildSeed: extract, mkfs, fixups, check), in seconds.")
        Map<String, Double> phaseSeconds,

        @JsonPropertyDescription(
                "Which try this was (1 for the first); failed steps that may succeed are retried with backoff.")
        Integer attempt) {

    /** A finished task as users see it: its step and its status, attempt 1 when the spec says none. */
    public static Operation of(WorkTaskSpec spec, WorkTaskStatus status) {
        return new Operation(
                spec.type(),
                status.phase(),
                status.startedAt(),
                status.finishedAt(),
                status.seconds(),
                status.phaseSeconds(),
                spec.attempt() == null ? 1 : spec.attempt());
    }
}
