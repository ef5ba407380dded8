package io.workdisk.operator.workdisk;

import static io.workdisk.operator.workdisk.DiskPlanner.deleteTaskName;
import static io.workdisk.operator.workdisk.DiskPlanner.diskPath;
import static io.workdisk.operator.workdisk.DiskStatuses.aboutNow;
import static io.workdisk.operator.workdisk.DiskStatuses.placed;
import static io.workdisk.operator.workdisk.DiskStatuses.previous;
import static io.workdisk.operator.workdisk.DiskStatuses.ready;
import static io.workdisk.operator.workdisk.DiskStatuses.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.workdisk.api.Conditions;
import io.workdisk.api.task.TaskType;
import io.workdisk.api.task.WorkTask;
import io.workdisk.api.task.WorkTaskSpec;
import io.workdisk.api.workdisk.DiskPhase;
import io.workdisk.api.workdisk.DiskReasons;
import io.workdisk.api.workdisk.ReclaimPolicy;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.api.workdisk.WorkDiskStatus;
import io.workdisk.operator.task.Plan;
import io.workdisk.operator.task.Retry;
import io.workdisk.operator.task.Tasks;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The plan for a WorkDisk being deleted: wait for a running step and for a pod that has the disk, then
 * remove the image (Delete) or keep it (Retain) before the object goes. Reads only what was made and
 * where: a disk being deleted is never placed, so deleting one reserves no room.
 */
final class DiskDeletionPlanner {
    private final Duration checkReadyEvery;

    DiskDeletionPlanner(Duration checkReadyEvery) {
        this.checkReadyEvery = checkReadyEvery;
    }

    /**
     * Removing the image (Delete) or keeping it (Retain) before the object goes. Reads only what was made and
     * where: a disk being deleted is never placed, so deleting one reserves no room.
     */
    Plan<WorkDiskStatus> plan(DiskState s, CarriedDisk f) {
        WorkDisk disk = s.disk();
        List<WorkTask> others = s.tasks().stream()
                .filter(t -> !t.getMetadata().getName().equals(deleteTaskName(disk)))
                .toList();
        if (others.stream()
                .anyMatch(t -> t.getStatus() == null || !t.getStatus().finished())) {
            return deleting(s, f, "waiting for a running step to finish first")
                    .lookingAgainIn(DiskPlanner.WAIT_FOR_RUNNING_STEP);
        }
        // a pod has the disk: its image is not removed under it, nor its volume ended while it runs (Retain too)
        InUse use = InUse.of(s, f.made() ? f.node() : null);
        if (use.inUse()
                && s.task(deleteTaskName(disk))
                        .filter(t -> !Tasks.failed(t) || !InUse.refusedAsInUse(t))
                        .isEmpty()) {
            String after = disk.getSpec().effectiveReclaimPolicy() == ReclaimPolicy.Retain
                    ? "; it goes, its image retained, once it is unpublished"
                    : "; the image is removed once it is unpublished";
            return Plan.report(deletionStatus(
                            s, f, DiskReasons.IN_USE, "in use by " + use.users() + " on " + f.node() + after))
                    .lookingAgainIn(checkReadyEvery);
        }
        if (!f.made() || disk.getSpec().effectiveReclaimPolicy() == ReclaimPolicy.Retain) {
            return deleted(s, f, f.made() ? "retained at " + f.path() : "nothing was made")
                    .removingNow(s.tasks());
        }
        if (s.node(f.node()).isEmpty()) {
            return deleted(s, f, "node '" + f.node() + "' is gone; its image cannot be removed")
                    .removingNow(s.tasks());
        }
        Optional<WorkTask> delete = s.task(deleteTaskName(disk));
        if (delete.isEmpty()) {
            return deleting(s, f, "removing the image from " + f.node())
                    .creating(deleteTask(disk, f))
                    .removingAfterReport(others);
        }
        return removingImage(s, f, delete.get());
    }

    /** The delete task's progress. */
    private static Plan<WorkDiskStatus> removingImage(DiskState s, CarriedDisk f, WorkTask task) {
        if (Tasks.succeeded(task)) {
            return deleted(s, f, "image removed from " + f.node()).removingNow(s.tasks());
        }
        if (!Tasks.failed(task)) {
            return deleting(s, f, "removing the image from " + f.node());
        }
        // refused only because a pod had the disk, which is gone now: a short pause, not the growing backoff
        Retry retry = InUse.refusedAsInUse(task) ? Retry.afterInUse(task, s.now()) : Retry.of(task, s.now());
        return retry.plan(
                task,
                () -> deleted(
                                s,
                                f,
                                "the image was left on " + f.node() + ": "
                                        + task.getStatus().message())
                        .removingNow(s.tasks()),
                r -> deleting(s, f, task.getStatus().message() + r.says()));
    }

    private static WorkTask deleteTask(WorkDisk disk, CarriedDisk f) {
        return Tasks.build(
                disk,
                disk.getMetadata().getNamespace(),
                deleteTaskName(disk),
                WorkTaskSpec.delete(
                        f.node(), diskPath(disk), disk.getMetadata().getUid(), f.nextAttempt(TaskType.Delete)));
    }

    /** Still being deleted: the finalizer stays. */
    private static Plan<WorkDiskStatus> deleting(DiskState s, CarriedDisk f, String message) {
        return Plan.report(deletionStatus(s, f, "Deleting", message));
    }

    /** Deleted: the finalizer goes once the plan is carried out. */
    private static Plan<WorkDiskStatus> deleted(DiskState s, CarriedDisk f, String message) {
        return Plan.report(deletionStatus(s, f, "Deleted", message)).finishing();
    }

    /** Placed where it is, and Ready=False; a disk never placed keeps what its Placed condition said before. */
    private static WorkDiskStatus deletionStatus(DiskState s, CarriedDisk f, String reason, String message) {
        Condition ready = aboutNow(s, ready(false, reason, message));
        if (f.node() != null) {
            return status(s, f, DiskPhase.Deleting, List.of(aboutNow(s, placed(f)), ready));
        }
        Condition placedBefore = Conditions.find(previous(s), "Placed");
        return status(s, f, DiskPhase.Deleting, placedBefore == null ? List.of(ready) : List.of(placedBefore, ready));
    }
}
