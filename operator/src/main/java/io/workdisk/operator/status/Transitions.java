package io.workdisk.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.workdisk.api.Conditions;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/** Turns condition changes into Events: one per change of a condition's status or reason, never per reconcile. */
public final class Transitions {
    /** Reasons that describe progress, not trouble. */
    private static final Set<String> PROGRESS = Set.of("Placed", "Creating", "Ready", "Resizing", "Retrying",
            "ResizeRetrying", "Deleting", "Deleted", "Building");

    private Transitions() {
    }

    public static void announce(EventRecorder events, HasMetadata about, List<Condition> before, List<Condition> after) {
        for (Condition c : after) {
            Condition old = Conditions.find(before, c.getType());
            if (old != null && Objects.equals(old.getStatus(), c.getStatus()) && Objects.equals(old.getReason(), c.getReason())) {
                continue;
            }
            if (PROGRESS.contains(c.getReason())) {
                events.normal(about, c.getReason(), c.getMessage());
            } else {
                events.warning(about, c.getReason(), c.getMessage());
            }
        }
    }
}
