package io.workdisk.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.workdisk.api.Conditions;
import io.workdisk.api.workdisk.DiskReasons;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Turns condition changes into Events, for what a person looking at {@code kubectl describe} wants told: every
 * trouble (a Warning per change of the object's reason), the object becoming Ready (with where and how long
 * it took) and, when deleted, what became of its image. Steps on the way there (Placed, Creating, Resizing, Deleting...) are in the status and make no
 * Event: each would be one more API write per disk, about a step that is over a moment later. One Event per
 * change of reason, never per reconcile and never per condition: conditions often change together with one
 * reason (a disk that cannot be placed is Placed=False and Ready=False, both NoMatchingNode), one thing that
 * happened.
 */
public final class Transitions {
    /**
     * Reasons that describe progress, not trouble. Not ResizeRetrying: it says a resize failed (and when it is
     * tried again), trouble a person is told of once, like a create step's engine reason.
     */
    private static final Set<String> PROGRESS = Set.of(
            "Placed",
            "Creating",
            "Ready",
            "Resizing",
            "Retrying",
            "Deleting",
            "Deleted",
            "Building",
            DiskReasons.BINDING,
            DiskReasons.CLAIM_BOUND);
    /**
     * The progress a person is told of: the object is there to use; it is gone (and what became of its image).
     * Not a disk's claim becoming bound: the Ready Event said it is there, and the claim's own Events say more.
     */
    private static final Set<String> ANNOUNCED = Set.of("Ready", "Deleted");

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
            if (ANNOUNCED.contains(c.getReason())) {
                events.normal(about, c.getReason(), c.getMessage());
            } else if (!PROGRESS.contains(c.getReason())) {
                events.warning(about, c.getReason(), c.getMessage());
            }
        }
    }
}
