package io.workdisk.operator.workdisk;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.workdisk.api.Conditions;
import io.workdisk.api.workdisk.DiskPhase;
import io.workdisk.api.workdisk.DiskReasons;
import io.workdisk.api.workdisk.WorkDiskStatus;
import io.workdisk.operator.status.KstatusConditions;
import io.workdisk.operator.task.Plan;
import java.util.List;

/** How the disk planners write a WorkDisk's status: its two conditions, with kstatus's, about the generation seen. */
final class DiskStatuses {
    private DiskStatuses() {}

    static Plan<WorkDiskStatus> report(DiskState s, CarriedDisk f, DiskPhase phase, Condition placed, Condition ready) {
        return Plan.report(status(s, f, phase, List.of(aboutNow(s, placed), aboutNow(s, ready))));
    }

    /**
     * The status: the carried facts, the phase and these conditions with kstatus's (Stalled for a failed disk or
     * one that waits for someone, Reconciling on the way), each keeping the time it last changed.
     */
    static WorkDiskStatus status(DiskState s, CarriedDisk f, DiskPhase phase, List<Condition> conditions) {
        List<Condition> withKstatus = KstatusConditions.adding(
                conditions, ready -> phase == DiskPhase.Failed || DiskReasons.TERMINAL.contains(ready.getReason()));
        return f.status(
                phase,
                Conditions.merge(previous(s), withKstatus, s.now()),
                s.disk().getMetadata().getGeneration(),
                InUse.of(s, f.node()).forStatus());
    }

    static List<Condition> previous(DiskState s) {
        return s.disk().getStatus() == null ? List.of() : s.disk().getStatus().conditions();
    }

    /** The condition as describing the generation observed now. */
    static Condition aboutNow(DiskState s, Condition c) {
        return new ConditionBuilder(c)
                .withObservedGeneration(s.disk().getMetadata().getGeneration())
                .build();
    }

    static Condition placed(CarriedDisk f) {
        return Conditions.of("Placed", true, "Placed", "on node " + f.node());
    }

    static Condition ready(boolean ready, String reason, String message) {
        return Conditions.of("Ready", ready, reason, message);
    }
}
