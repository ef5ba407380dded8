package io.workdisk.operator.workdisk;

import io.fabric8.kubernetes.api.model.Condition;
import io.workdisk.api.node.VolumePublication;
import io.workdisk.api.task.Operation;
import io.workdisk.api.task.TaskPhase;
import io.workdisk.api.task.TaskResult;
import io.workdisk.api.task.TaskType;
import io.workdisk.api.task.WorkTask;
import io.workdisk.api.workdisk.DiskPhase;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.api.workdisk.WorkDiskStatus;
import io.workdisk.operator.task.Retry;
import java.util.List;

/**
 * What a disk's status carries from one reconcile to the next: where the disk is, what was made there and
 * the last step taken. Changed only by finished tasks (and by placing the disk), never recomputed.
 */
record CarriedDisk(String node, String path, Long capacity, String uuid, Operation lastOperation) {

    /** The facts the disk's status holds, on the node its spec names if the status names none. */
    static CarriedDisk carried(WorkDisk disk) {
        WorkDiskStatus s = disk.getStatus();
        CarriedDisk facts = s == null
                ? new CarriedDisk(null, null, null, null, null)
                : new CarriedDisk(s.nodeName(), s.path(), s.capacityBytes(), s.filesystemUUID(), s.lastOperation());
        return facts.node == null ? facts.onNode(disk.getSpec().nodeName()) : facts;
    }

    /** A disk whose status records a filesystem UUID exists: it is never made again. */
    boolean made() {
        return uuid != null;
    }

    CarriedDisk onNode(String name) {
        return new CarriedDisk(name, path, capacity, uuid, lastOperation);
    }

    /** What its succeeded create task made: the disk is where it was made, whatever the status said. */
    CarriedDisk madeBy(WorkTask create) {
        TaskResult r = create.getStatus().result();
        return new CarriedDisk(
                create.getSpec().nodeName(), r.path(), r.filesystemBytes(), r.filesystemUUID(), operation(create));
    }

    CarriedDisk resizedBy(WorkTask resize) {
        return new CarriedDisk(node, path, resize.getStatus().result().filesystemBytes(), uuid, operation(resize));
    }

    CarriedDisk failedAt(WorkTask task) {
        return new CarriedDisk(node, path, capacity, uuid, operation(task));
    }

    /** The attempt number of the next try at a step: one more than the last if that step is what last failed. */
    int nextAttempt(TaskType type) {
        Operation last = lastOperation;
        boolean lastFailed = last != null && last.type() == type && last.result() == TaskPhase.Failed;
        return Retry.nextAttempt(lastFailed ? last.attempt() : null);
    }

    WorkDiskStatus status(
            DiskPhase phase, List<Condition> conditions, Long generation, List<VolumePublication> publishedTo) {
        return new WorkDiskStatus(
                phase, node, path, capacity, uuid, conditions, generation, lastOperation, publishedTo);
    }

    /** A finished task as users see it in the status. */
    static Operation operation(WorkTask t) {
        return Operation.of(t.getSpec(), t.getStatus());
    }
}
