package io.workdisk.operator.task;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.workdisk.api.task.WorkTask;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A planner's decision for one WorkDisk or WorkSeed (or one part of it, such as one node's): the status to
 * report, tasks to write, finished tasks to remove now and those to remove only once the status that records
 * them is written, when to look again, (when deleting) whether the object may go, and room on a node to
 * reserve for it. A value: planners build it with the methods below, each of which returns a new plan, and
 * the reconciler carries it out (the reservation first, then {@link Tasks#carryOut}).
 */
public record Plan<S>(
        S status,
        List<WorkTask> create,
        List<WorkTask> removeNow,
        List<WorkTask> removeAfterReport,
        Optional<Duration> lookAgainIn,
        boolean finished,
        Optional<Reservation> reserve) {

    /** Room on a node promised to an object (by UID) before its status says it is there. */
    public record Reservation(String uid, String node, long bytes) {}

    public Plan {
        create = List.copyOf(create);
        removeNow = List.copyOf(removeNow);
        removeAfterReport = List.copyOf(removeAfterReport);
    }

    /** Report the status; nothing else yet. */
    public static <S> Plan<S> report(S status) {
        return new Plan<>(status, List.of(), List.of(), List.of(), Optional.empty(), false, Optional.empty());
    }

    public Plan<S> creating(WorkTask task) {
        return new Plan<>(
                status, plus(create, List.of(task)), removeNow, removeAfterReport, lookAgainIn, finished, reserve);
    }

    /** Removes tasks that no longer stand for anything: superseded, or failed and due for a retry. */
    public Plan<S> removingNow(List<WorkTask> tasks) {
        return new Plan<>(status, create, plus(removeNow, tasks), removeAfterReport, lookAgainIn, finished, reserve);
    }

    public Plan<S> removingNow(WorkTask task) {
        return removingNow(List.of(task));
    }

    /** Removes tasks whose results the reported status records, once it is written. */
    public Plan<S> removingAfterReport(List<WorkTask> tasks) {
        return new Plan<>(status, create, removeNow, plus(removeAfterReport, tasks), lookAgainIn, finished, reserve);
    }

    public Plan<S> removingAfterReport(WorkTask task) {
        return removingAfterReport(List.of(task));
    }

    /** Look again at the latest in {@code in}: the sooner of this and any time asked for already. */
    public Plan<S> lookingAgainIn(Duration in) {
        Duration sooner = lookAgainIn.filter(d -> d.compareTo(in) < 0).orElse(in);
        return new Plan<>(status, create, removeNow, removeAfterReport, Optional.of(sooner), finished, reserve);
    }

    public Plan<S> lookingAgainIn(Optional<Duration> in) {
        return in.map(this::lookingAgainIn).orElse(this);
    }

    /** Carries out a retry decision about a failed task: remove it if it is due, and look again when it will be. */
    public Plan<S> retrying(WorkTask failed, Retry retry) {
        Plan<S> plan = lookingAgainIn(retry.lookAgainIn());
        return retry.dueNow() ? plan.removingNow(failed) : plan;
    }

    /** When deleting: the object may go once this plan is carried out. */
    public Plan<S> finishing() {
        return new Plan<>(status, create, removeNow, removeAfterReport, lookAgainIn, true, reserve);
    }

    /** Reserve room on a node for the object before anything else is done, so no other plan counts it free. */
    public Plan<S> reserving(Reservation r) {
        return new Plan<>(status, create, removeNow, removeAfterReport, lookAgainIn, finished, Optional.of(r));
    }

    /** This plan with the tasks and look-again time of a part of it (one node's, say); the status stays this one's. */
    public Plan<S> and(Plan<?> part) {
        Plan<S> plan = new Plan<>(
                status,
                plus(create, part.create()),
                plus(removeNow, part.removeNow()),
                plus(removeAfterReport, part.removeAfterReport()),
                lookAgainIn,
                finished,
                reserve.or(part::reserve));
        return plan.lookingAgainIn(part.lookAgainIn());
    }

    private static List<WorkTask> plus(List<WorkTask> a, List<WorkTask> b) {
        return Stream.concat(a.stream(), b.stream()).toList();
    }

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
