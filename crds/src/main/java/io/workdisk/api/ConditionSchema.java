package io.workdisk.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * The schema of a status condition, described field by field, for the CRD generator only: the conditions
 * themselves are Fabric8's {@link io.fabric8.kubernetes.api.model.Condition}, which carries no
 * descriptions. Used as {@code @SchemaFrom(type = ConditionSchema[].class)} on each {@code conditions} list.
 */
public record ConditionSchema(
        @JsonPropertyDescription("What the condition is about, e.g. Ready; one condition per type.")
        String type,

        @JsonPropertyDescription("True, False or Unknown.") String status,

        @JsonPropertyDescription("Why the condition has its status, as one CamelCase word (e.g. NoMatchingNode); "
                + "the Event recorded when it changed has the same reason.")
        String reason,

        @JsonPropertyDescription("What the reason means for this object, for a person to read.")
        String message,

        @JsonPropertyDescription("The metadata.generation the condition was computed for; lower than the object's "
                + "generation means the latest spec has not been looked at yet.")
        Long observedGeneration,

        @JsonPropertyDescription("When status last changed, in RFC 3339 UTC to the second (e.g. 2026-11-25T16:27:40Z).")
        String lastTransitionTime) {}
