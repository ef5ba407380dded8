package io.workdisk.operator.task;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.workdisk.api.task.WorkTask;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A planner's decision for one WorkDisk or WorkSeed: the status to report, tasks to write, finished tasks
 * to remove now and those to remove only once the status that records them is written, when to look again,
 * and (when deleting) whether the object may go.
 */
public record Plan<S>(
        S status,
        List<WorkTask> create,
        List<WorkTask> removeNow,
        List<WorkTask> removeAfterReport,
        Optional<Duration> lookAgainIn,
        boolean finished) {

    /** Reconcile again when the plan asks to, or on the next event. */
    public <P extends HasMetadata> UpdateControl<P> updateControl() {
        UpdateControl<P> control = UpdateControl.noUpdate();
        return lookAgainIn.map(d -> control.rescheduleAfter(d.toMillis())).orElse(control);
    }

    /** When deleting: let the object go once the plan is finished, else keep the finalizer and look again. */
    public DeleteControl deleteControl() {
        if (finished) {
            return DeleteControl.defaultDelete();
        }
        DeleteControl control = DeleteControl.noFinalizerRemoval();
        return lookAgainIn.map(d -> control.rescheduleAfter(d.toMillis())).orElse(control);
    }
}
