package io.workdisk.demo;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * kstatus's rules for a custom resource (sigs.k8s.io/cli-utils pkg/kstatus/status: {@code Compute} with its
 * generic checks and the Ready fallback), which Flux's {@code wait: true} and {@code healthChecks} apply, in
 * their order: deletion, then status.observedGeneration against metadata.generation, then the standard
 * abnormal-true conditions Reconciling and Stalled, then the Ready condition; anything else is Current.
 */
final class Kstatus {
    private Kstatus() {}

    enum Status {
        InProgress,
        Failed,
        Current,
        Terminating
    }

    record Result(Status status, String message) {
        @Override
        public String toString() {
            return status + " (" + message + ")";
        }
    }

    static Result compute(JsonNode object) {
        if (!object.path("metadata").path("deletionTimestamp").asText("").isEmpty()) {
            return new Result(Status.Terminating, "Resource scheduled for deletion");
        }
        JsonNode generation = object.path("metadata").path("generation");
        JsonNode observed = object.path("status").path("observedGeneration");
        if (generation.isNumber() && observed.isNumber() && observed.asLong() != generation.asLong()) {
            return new Result(
                    Status.InProgress,
                    object.path("kind").asText() + " generation is " + generation.asLong()
                            + ", but latest observed generation is " + observed.asLong());
        }
        JsonNode conditions = object.path("status").path("conditions");
        for (JsonNode c : conditions) {
            if (isTrue(c, "Reconciling")) {
                return new Result(Status.InProgress, c.path("message").asText());
            }
            if (isTrue(c, "Stalled")) {
                return new Result(Status.Failed, c.path("message").asText());
            }
        }
        for (JsonNode c : conditions) {
            if (c.path("type").asText().equals("Ready")) {
                if (c.path("status").asText().equals("True")) {
                    return new Result(Status.Current, "Resource is Ready");
                }
                // False and Unknown alike: kstatus cannot tell on its way from doomed
                return new Result(Status.InProgress, c.path("message").asText());
            }
        }
        return new Result(Status.Current, "Resource is current");
    }

    private static boolean isTrue(JsonNode condition, String type) {
        return condition.path("type").asText().equals(type)
                && condition.path("status").asText().equals("True");
    }
}
