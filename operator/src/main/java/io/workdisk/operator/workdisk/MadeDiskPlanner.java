package io.workdisk.operator.workdisk;

import static io.workdisk.operator.workdisk.DiskPlanner.diskPath;
import static io.workdisk.operator.workdisk.DiskPlanner.resizeTaskName;
import static io.workdisk.operator.workdisk.DiskStatuses.placed;
import static io.workdisk.operator.workdisk.DiskStatuses.ready;
import static io.workdisk.operator.workdisk.DiskStatuses.report;

import io.workdisk.api.task.Operation;
import io.workdisk.api.task.TaskType;
import io.workdisk.api.task.WorkTask;
import io.workdisk.api.task.WorkTaskSpec;
import io.workdisk.api.workdisk.DiskPhase;
import io.workdisk.api.workdisk.DiskReasons;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.api.workdisk.WorkDiskStatus;
import io.workdisk.operator.node.NodeView;
import io.workdisk.operator.task.Plan;
import io.workdisk.operator.task.Retry;
import io.workdisk.operator.task.Tasks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The plan for a WorkDisk that exists (its status records a filesystem UUID): Ready where it is, grown
 * offline when the spec asks for more (not while a pod has it published), Failed when its node is gone.
 * It is never made again, whatever else happens.
 */
final class MadeDiskPlanner {
    private final Duration checkReadyEvery;
    private final SizeMemo sizes;

    MadeDiskPlanner(Duration checkReadyEvery, SizeMemo sizes) {
        this.checkReadyEvery = checkReadyEvery;
        this.sizes = sizes;
    }

    Plan<WorkDiskStatus> plan(DiskState s, CarriedDisk f) {
        Optional<NodeView> node = s.node(f.node());
        if (node.isEmpty() || !node.get().alive()) {
            String why = node.isEmpty()
                    ? "node '" + f.node() + "' and its agent are gone"
                    : node.get().why();
            return report(
                            s,
                            f,
                            DiskPhase.Failed,
                            placed(f),
                            ready(false, DiskReasons.NODE_LOST, why + "; the disk is not recreated elsewhere"))
                    .lookingAgainIn(checkReadyEvery);
        }
        DiskSize.Parsed size = sizes.parse(s.disk().getSpec().size());
        Resizes resizes = Resizes.of(s.tasks(), size);
        return sized(s, f, size, resizes.current()).removingNow(resizes.stale());
    }

    /** The resize task for the size the spec asks for, if any, and finished ones for sizes it moved past. */
    private record Resizes(Optional<WorkTask> current, List<WorkTask> stale) {
        static Resizes of(List<WorkTask> tasks, DiskSize.Parsed size) {
            WorkTask current = null;
            List<WorkTask> stale = new ArrayList<>();
            for (WorkTask t : tasks) {
                if (t.getSpec().type() != TaskType.Resize) {
                    continue;
                }
                if (size.ok() && Objects.equals(t.getSpec().sizeBytes(), size.bytes())) {
                    current = t;
                } else if (t.getStatus() != null && t.getStatus().finished()) {
                    stale.add(t);
                }
            }
            return new Resizes(Optional.ofNullable(current), stale);
        }
    }

    /** The made disk against the size its spec asks for, given the resize task for that size. */
    private Plan<WorkDiskStatus> sized(DiskState s, CarriedDisk f, DiskSize.Parsed size, Optional<WorkTask> resize) {
        if (resize.isPresent() && Tasks.succeeded(resize.get())) {
            return sized(s, f.resizedBy(resize.get()), size, Optional.empty()).removingAfterReport(resize.get());
        }
        if (!size.ok()) {
            return report(
                            s,
                            f,
                            DiskPhase.Ready,
                            placed(f),
                            ready(true, DiskReasons.INVALID_SPEC, size.problem() + "; the disk is unchanged"))
                    .lookingAgainIn(checkReadyEvery);
        }
        long capacity = f.capacity() == null ? 0 : f.capacity();
        long wanted = DiskSize.filesystemBytes(size.bytes());
        InUse use = InUse.of(s, f.node());
        if (use.inUse()
                && wanted > capacity
                && resize.filter(MadeDiskPlanner::underwayOrFinal).isEmpty()) {
            // no resize step while a pod has the disk; one that failed and may be tried again waits here too
            return resizeWaits(s, resize.map(f::failedAt).orElse(f), use);
        }
        if (resize.isPresent() && Tasks.failed(resize.get())) {
            return resizeFailed(s, f.failedAt(resize.get()), resize.get());
        }
        if (resize.isPresent()) {
            return growing(s, f);
        }
        if (wanted > capacity) {
            return growing(s, f).creating(resizeTask(s.disk(), f, size.bytes()));
        }
        if (wanted < capacity) {
            return report(
                            s,
                            f,
                            DiskPhase.Ready,
                            placed(f),
                            ready(
                                    true,
                                    DiskReasons.SHRINK_REFUSED,
                                    "spec.size "
                                            + s.disk().getSpec().size() + " is below the disk's " + capacity
                                            + " bytes; disks only grow, the disk is unchanged"))
                    .lookingAgainIn(checkReadyEvery);
        }
        return report(
                        s,
                        f,
                        DiskPhase.Ready,
                        placed(f),
                        ready(
                                true,
                                DiskReasons.READY,
                                "the disk is at " + f.path() + " on " + f.node() + took(f.lastOperation())))
                .lookingAgainIn(checkReadyEvery);
    }

    /**
     * A resize step the agent has yet to finish (it refuses it itself if the disk is in use), or one that failed
     * for good (ResizeFailed stands whatever uses the disk).
     */
    private static boolean underwayOrFinal(WorkTask task) {
        return !Tasks.failed(task) || !Boolean.TRUE.equals(task.getStatus().retryable());
    }

    /** Ready at its old size: the grow waits until nothing has the disk published. */
    private Plan<WorkDiskStatus> resizeWaits(DiskState s, CarriedDisk f, InUse use) {
        return report(
                        s,
                        f,
                        DiskPhase.Ready,
                        placed(f),
                        ready(
                                true,
                                DiskReasons.IN_USE,
                                "in use by " + use.users() + " on " + f.node() + "; the resize to "
                                        + s.disk().getSpec().size() + " waits for it to stop"))
                .lookingAgainIn(checkReadyEvery);
    }

    private Plan<WorkDiskStatus> growing(DiskState s, CarriedDisk f) {
        return report(
                s,
                f,
                DiskPhase.Resizing,
                placed(f),
                ready(true, "Resizing", "growing to " + s.disk().getSpec().size() + " on " + f.node()));
    }

    private static WorkTask resizeTask(WorkDisk disk, CarriedDisk f, long bytes) {
        return Tasks.build(
                disk,
                disk.getMetadata().getNamespace(),
                resizeTaskName(disk, bytes),
                WorkTaskSpec.resize(
                        f.node(), diskPath(disk), bytes, disk.getMetadata().getUid(), f.nextAttempt(TaskType.Resize)));
    }

    /**
     * A failed resize leaves the disk as it was: Ready, at its old size. ResizeFailed only when retrying cannot
     * help (GitOps health reports it Degraded); a resize that is tried again, now or after its backoff, is
     * ResizeRetrying, still on its way.
     */
    private Plan<WorkDiskStatus> resizeFailed(DiskState s, CarriedDisk f, WorkTask task) {
        String message = "resize to " + s.disk().getSpec().size() + " failed: "
                + task.getStatus().message();
        // refused only because a pod had the disk, which is gone now: a short pause, not the growing backoff
        Retry retry = InUse.refusedAsInUse(task) ? Retry.afterInUse(task, s.now()) : Retry.of(task, s.now());
        return retry.plan(
                task,
                () -> report(s, f, DiskPhase.Ready, placed(f), ready(true, DiskReasons.RESIZE_FAILED, message))
                        .lookingAgainIn(checkReadyEvery),
                r -> report(
                        s,
                        f,
                        r.dueNow() ? DiskPhase.Resizing : DiskPhase.Ready,
                        placed(f),
                        ready(true, DiskReasons.RESIZE_RETRYING, message + r.says())));
    }

    /** How long the step that made the disk what it is took, for the Ready message (and so its Event). */
    private static String took(Operation op) {
        return op == null || op.seconds() == null
                ? ""
                : String.format(Locale.ROOT, "; %s took %.3fs", op.type(), op.seconds());
    }
}
