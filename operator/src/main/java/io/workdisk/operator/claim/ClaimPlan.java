package io.workdisk.operator.claim;

import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;
import java.util.Optional;

/**
 * What to do with a disk's volume objects and what to report about them: the Claimed condition, or none where
 * the disk has no claim of the operator's (policy None, or a disk the CSI driver made for a user's PVC).
 */
public record ClaimPlan(List<ClaimAction> actions, Optional<Condition> condition) {
    public ClaimPlan {
        actions = List.copyOf(actions);
    }

    static ClaimPlan nothing() {
        return new ClaimPlan(List.of(), Optional.empty());
    }

    static ClaimPlan of(List<ClaimAction> actions, Condition condition) {
        return new ClaimPlan(actions, Optional.of(condition));
    }

    static ClaimPlan withoutCondition(List<ClaimAction> actions) {
        return new ClaimPlan(actions, Optional.empty());
    }
}
