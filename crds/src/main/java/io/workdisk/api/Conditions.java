package io.workdisk.api;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Conditions as Kubernetes API conventions want them: one per type, a CamelCase reason, a human message,
 * the generation they describe, and a transition time that moves only when the status changes.
 */
public final class Conditions {
    private Conditions() {}

    /** A condition whose observed generation the caller sets later, or never. */
    public static Condition of(String type, boolean status, String reason, String message) {
        return of(type, status, reason, message, null);
    }

    public static Condition of(String type, boolean status, String reason, String message, Long generation) {
        assert !UserMessages.namesJavaType(message) : "a condition's message names a Java type: " + message;
        return new ConditionBuilder()
                .withType(type)
                .withStatus(status ? "True" : "False")
                .withReason(reason)
                .withMessage(message)
                .withObservedGeneration(generation)
                .build();
    }

    /** The new conditions, keeping each one's last transition time where its status did not change. */
    public static List<Condition> merge(List<Condition> previous, List<Condition> next, Instant now) {
        List<Condition> out = new ArrayList<>();
        for (Condition c : next) {
            Condition before = find(previous, c.getType());
            String since = before != null
                            && Objects.equals(before.getStatus(), c.getStatus())
                            && before.getLastTransitionTime() != null
                    ? before.getLastTransitionTime()
                    : Timestamps.of(now);
            out.add(new ConditionBuilder(c).withLastTransitionTime(since).build());
        }
        return out;
    }

    public static Condition find(List<Condition> conditions, String type) {
        if (conditions == null) {
            return null;
        }
        return conditions.stream()
                .filter(c -> type.equals(c.getType()))
                .findFirst()
                .orElse(null);
    }

    public static boolean isTrue(List<Condition> conditions, String type) {
        Condition c = find(conditions, type);
        return c != null && "True".equals(c.getStatus());
    }
}
