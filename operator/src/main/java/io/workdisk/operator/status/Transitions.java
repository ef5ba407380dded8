package io.workdisk.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.workdisk.api.Conditions;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Turns condition changes into Events: one per change of the object's reason, never per reconcile and
 * never per condition. Conditions often change together with one reason (a disk that cannot be placed is
 * Placed=False and Ready=False, both NoMatchingNode): that is one thing that happened, so one Event.
 */
public final class Transitions {
    /** Reasons that describe progress, not trouble. */
    private static final Set<String> PROGRESS = Set.of(
            "Placed", "Creating", "Ready", "Resizing", "Retrying", "ResizeRetrying", "Deleting", "Deleted", "Building");

    private Transitions() {}

    public static void announce(
            EventRecorder events, HasMetadata about, List<Condition> before, List<Condition> after) {
        Set<String> shown = new HashSet<>();
        before.forEach(c -> shown.add(c.getReason())); // already told: a reason the object showed before is no news
        for (Condition c : after) {
            Condition old = Conditions.find(before, c.getType());
            if (old != null
                    && Objects.equals(old.getStatus(), c.getStatus())
                    && Objects.equals(old.getReason(), c.getReason())) {
                continue;
            }
            if (!shown.add(c.getReason())) {
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
