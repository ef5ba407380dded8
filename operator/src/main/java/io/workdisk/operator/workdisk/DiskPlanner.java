package io.workdisk.operator.workdisk;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.workdisk.api.Conditions;
import io.workdisk.api.DataRootLayout;
import io.workdisk.api.task.Operation;
import io.workdisk.api.task.TaskType;
import io.workdisk.api.task.WorkTask;
import io.workdisk.api.task.WorkTaskSpec;
import io.workdisk.api.workdisk.DiskPhase;
import io.workdisk.api.workdisk.DiskReasons;
import io.workdisk.api.workdisk.ReclaimPolicy;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.api.workdisk.WorkDiskStatus;
import io.workdisk.api.workseed.NodeSeedStatus;
import io.workdisk.api.workseed.SeedPhase;
import io.workdisk.api.workseed.WorkSeed;
import io.workdisk.operator.node.NodeView;
import io.workdisk.operator.status.KstatusConditions;
import io.workdisk.operator.task.Plan;
import io.workdisk.operator.task.Retry;
import io.workdisk.operator.task.Tasks;
import io.workdisk.operator.workseed.SeedDigest;
import io.workdisk.operator.workseed.SeedPlanner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides, from what was observed, what a WorkDisk's status is and which task (if any) moves it on. It
 * never does anything itself: a plan is a value, placing a disk included (the plan says where, and how much
 * room to reserve there; the reconciler reserves it). A disk whose status records a filesystem UUID exists:
 * from then on no create task is ever written for it again, whatever else happens.
 */
public final class DiskPlanner {
    static final Duration WAIT_FOR_NODE = Duration.ofSeconds(15);
    static final Duration WAIT_FOR_PLACEMENT = Duration.ofSeconds(30);
    static final Duration WAIT_FOR_RUNNING_STEP = Duration.ofSeconds(5);

    private final Placement placement;
    private final Duration checkReadyEvery;
    private final SizeMemo sizes;

    public DiskPlanner(Placement placement, Duration checkReadyEvery, SizeMemo sizes) {
        this.placement = placement;
        this.checkReadyEvery = checkReadyEvery;
        this.sizes = sizes;
    }

    public DiskPlanner(Placement placement, Duration checkReadyEvery) {
        this(placement, checkReadyEvery, new SizeMemo());
    }

    public static String createTaskName(WorkDisk d) {
        return "wd-" + d.getMetadata().getUid() + "-create";
    }

    public static String resizeTaskName(WorkDisk d, long bytes) {
        return "wd-" + d.getMetadata().getUid() + "-resize-" + bytes;
    }

    public static String deleteTaskName(WorkDisk d) {
        return "wd-" + d.getMetadata().getUid() + "-delete";
    }

    public static String diskPath(WorkDisk d) {
        return DataRootLayout.diskPath(d.getMetadata().getUid());
    }

    public Plan<WorkDiskStatus> plan(DiskState s) {
        Optional<WorkTask> create = s.task(createTaskName(s.disk()));
        DiskFacts facts = facts(s, create);
        if (facts.made()) {
            // The create task stays, as the record of the work that made the disk (how long it took, what it made)
            // for `kubectl get wt`; it goes when the disk is deleted (and its owner reference is the backstop).
            // Deleting it here would be one more API write on every disk's way to Ready.
            return made(s, facts);
        }
        return create.isPresent() ? creating(s, facts, create.get()) : toCreate(s, facts);
    }

    /** The facts the status carries, and what a create task that succeeded since made. */
    private static DiskFacts facts(DiskState s, Optional<WorkTask> create) {
        DiskFacts carried = DiskFacts.carried(s.disk());
        return !carried.made() && create.filter(Tasks::succeeded).isPresent() ? carried.madeBy(create.get()) : carried;
    }

    // ---- a disk that does not exist yet ----

    /** Nothing made and no create task: check the spec, find a node, and write the task once it can run there. */
    private Plan<WorkDiskStatus> toCreate(DiskState s, DiskFacts f) {
        WorkDisk disk = s.disk();
        DiskSize.Parsed size = sizes.parse(disk.getSpec().size());
        if (!size.ok()) {
            return invalid(s, f, size.problem());
        }
        String seedRef = disk.getSpec().seedRef();
        if (seedRef != null && s.seed().isEmpty()) {
            return waiting(s, f, "SeedNotFound", "WorkSeed '" + seedRef + "' does not exist", WAIT_FOR_PLACEMENT);
        }
        if (f.node() != null) {
            return createOnNode(s, f, size.bytes());
        }
        Placement.Result result = placement.place(
                disk.getMetadata().getUid(),
                size.bytes(),
                disk.getSpec().nodeSelector(),
                s.nodes(),
                n -> seedReadyOn(s.seed(), n.name()),
                s.allocations().get());
        if (result instanceof Placement.NotPlaced np) {
            return waiting(s, f, np.reason(), np.message(), WAIT_FOR_PLACEMENT);
        }
        String node = ((Placement.Placed) result).node();
        return createOnNode(s, f.onNode(node), size.bytes())
                .reserving(new Plan.Reservation(disk.getMetadata().getUid(), node, size.bytes()));
    }

    /** Placed: the create task is written once the node's agent, and the seed there, are ready. */
    private Plan<WorkDiskStatus> createOnNode(DiskState s, DiskFacts f, long bytes) {
        Optional<NodeView> node = s.node(f.node());
        if (node.isEmpty()) {
            return waiting(s, f, "NodeNotFound", "node '" + f.node() + "' has no workdisk agent", WAIT_FOR_NODE);
        }
        if (!node.get().alive()) {
            return waiting(s, f, "NodeNotReady", node.get().why(), WAIT_FOR_NODE);
        }
        String seedRef = s.disk().getSpec().seedRef();
        if (seedRef != null && !seedReadyOn(s.seed(), f.node())) {
            return waiting(
                    s,
                    f,
                    "SeedNotReady",
                    "WorkSeed '" + seedRef + "' is not ready on " + f.node() + " yet",
                    WAIT_FOR_PLACEMENT);
        }
        WorkTask task = createTask(s.disk(), f, bytes);
        return report(
                        s,
                        f,
                        DiskPhase.Creating,
                        placed(f),
                        ready(false, "Creating", verb(task.getSpec().type()) + " the disk on " + f.node()))
                .creating(task);
    }

    private static WorkTask createTask(WorkDisk disk, DiskFacts f, long bytes) {
        String seedRef = disk.getSpec().seedRef();
        String uid = disk.getMetadata().getUid();
        boolean preallocate = disk.getSpec().wantsPreallocation();
        WorkTaskSpec spec = seedRef == null
                ? WorkTaskSpec.format(f.node(), diskPath(disk), bytes, preallocate, uid, f.nextAttempt(TaskType.Format))
                : WorkTaskSpec.materialize(
                        f.node(),
                        diskPath(disk),
                        bytes,
                        preallocate,
                        SeedPlanner.seedPath(seedRef),
                        uid,
                        f.nextAttempt(TaskType.Materialize));
        return Tasks.build(disk, disk.getMetadata().getNamespace(), createTaskName(disk), spec);
    }

    /** A create task exists and nothing is made yet: it runs, or it failed. */
    private Plan<WorkDiskStatus> creating(DiskState s, DiskFacts f, WorkTask task) {
        if (Tasks.failed(task)) {
            return createFailed(s, f.failedAt(task), task);
        }
        return report(
                s,
                f,
                DiskPhase.Creating,
                placed(f),
                ready(false, "Creating", verb(task.getSpec().type()) + " the disk on " + f.node()));
    }

    private Plan<WorkDiskStatus> createFailed(DiskState s, DiskFacts f, WorkTask task) {
        String reason = reason(task.getStatus().reason());
        String message = task.getStatus().message();
        DiskSize.Parsed size = sizes.parse(s.disk().getSpec().size());
        if (size.ok() && !Objects.equals(size.bytes(), task.getSpec().sizeBytes())) {
            // the spec moved on since this try: try again with the new one
            return report(
                            s,
                            f,
                            DiskPhase.Pending,
                            placed(f),
                            ready(false, "Retrying", "spec changed after: " + message))
                    .removingNow(task);
        }
        Retry retry = Retry.of(task, s.now());
        if (retry instanceof Retry.Never) {
            // kept as the record of the failure until the spec changes; no hot loop
            return report(s, f, DiskPhase.Failed, placed(f), ready(false, reason, message));
        }
        return report(s, f, DiskPhase.Creating, placed(f), ready(false, reason, message + retry.says()))
                .retrying(task, retry);
    }

    // ---- a disk that exists ----

    private Plan<WorkDiskStatus> made(DiskState s, DiskFacts f) {
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
    private Plan<WorkDiskStatus> sized(DiskState s, DiskFacts f, DiskSize.Parsed size, Optional<WorkTask> resize) {
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
                && resize.filter(DiskPlanner::underwayOrFinal).isEmpty()) {
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
    private Plan<WorkDiskStatus> resizeWaits(DiskState s, DiskFacts f, InUse use) {
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

    private Plan<WorkDiskStatus> growing(DiskState s, DiskFacts f) {
        return report(
                s,
                f,
                DiskPhase.Resizing,
                placed(f),
                ready(true, "Resizing", "growing to " + s.disk().getSpec().size() + " on " + f.node()));
    }

    private static WorkTask resizeTask(WorkDisk disk, DiskFacts f, long bytes) {
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
    private Plan<WorkDiskStatus> resizeFailed(DiskState s, DiskFacts f, WorkTask task) {
        String message = "resize to " + s.disk().getSpec().size() + " failed: "
                + task.getStatus().message();
        // refused only because a pod had the disk, which is gone now: a short pause, not the growing backoff
        Retry retry = InUse.refusedAsInUse(task) ? Retry.afterInUse(task, s.now()) : Retry.of(task, s.now());
        if (retry instanceof Retry.Never) {
            return report(s, f, DiskPhase.Ready, placed(f), ready(true, DiskReasons.RESIZE_FAILED, message))
                    .lookingAgainIn(checkReadyEvery);
        }
        DiskPhase phase = retry instanceof Retry.Now ? DiskPhase.Resizing : DiskPhase.Ready;
        return report(s, f, phase, placed(f), ready(true, DiskReasons.RESIZE_RETRYING, message + retry.says()))
                .retrying(task, retry);
    }

    /** How long the step that made the disk what it is took, for the Ready message (and so its Event). */
    private static String took(Operation op) {
        return op == null || op.seconds() == null
                ? ""
                : String.format(Locale.ROOT, "; %s took %.3fs", op.type(), op.seconds());
    }

    // ---- deletion ----

    /**
     * Removing the image (Delete) or keeping it (Retain) before the object goes. Reads only what was made and
     * where: a disk being deleted is never placed, so deleting one reserves no room.
     */
    public Plan<WorkDiskStatus> planDeletion(DiskState s) {
        WorkDisk disk = s.disk();
        DiskFacts f = facts(s, s.task(createTaskName(disk)));
        List<WorkTask> others = s.tasks().stream()
                .filter(t -> !t.getMetadata().getName().equals(deleteTaskName(disk)))
                .toList();
        if (others.stream()
                .anyMatch(t -> t.getStatus() == null || !t.getStatus().finished())) {
            return deleting(s, f, "waiting for a running step to finish first").lookingAgainIn(WAIT_FOR_RUNNING_STEP);
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
    private static Plan<WorkDiskStatus> removingImage(DiskState s, DiskFacts f, WorkTask task) {
        if (Tasks.succeeded(task)) {
            return deleted(s, f, "image removed from " + f.node()).removingNow(s.tasks());
        }
        if (!Tasks.failed(task)) {
            return deleting(s, f, "removing the image from " + f.node());
        }
        // refused only because a pod had the disk, which is gone now: a short pause, not the growing backoff
        Retry retry = InUse.refusedAsInUse(task) ? Retry.afterInUse(task, s.now()) : Retry.of(task, s.now());
        if (retry instanceof Retry.Never) {
            return deleted(
                            s,
                            f,
                            "the image was left on " + f.node() + ": "
                                    + task.getStatus().message())
                    .removingNow(s.tasks());
        }
        return deleting(s, f, task.getStatus().message() + retry.says()).retrying(task, retry);
    }

    private static WorkTask deleteTask(WorkDisk disk, DiskFacts f) {
        return Tasks.build(
                disk,
                disk.getMetadata().getNamespace(),
                deleteTaskName(disk),
                WorkTaskSpec.delete(
                        f.node(), diskPath(disk), disk.getMetadata().getUid(), f.nextAttempt(TaskType.Delete)));
    }

    /** Still being deleted: the finalizer stays. */
    private static Plan<WorkDiskStatus> deleting(DiskState s, DiskFacts f, String message) {
        return Plan.report(deletionStatus(s, f, "Deleting", message));
    }

    /** Deleted: the finalizer goes once the plan is carried out. */
    private static Plan<WorkDiskStatus> deleted(DiskState s, DiskFacts f, String message) {
        return Plan.report(deletionStatus(s, f, "Deleted", message)).finishing();
    }

    /** Placed where it is, and Ready=False; a disk never placed keeps what its Placed condition said before. */
    private static WorkDiskStatus deletionStatus(DiskState s, DiskFacts f, String reason, String message) {
        Condition ready = aboutNow(s, ready(false, reason, message));
        if (f.node() != null) {
            return status(s, f, DiskPhase.Deleting, List.of(aboutNow(s, placed(f)), ready));
        }
        Condition placedBefore = Conditions.find(previous(s), "Placed");
        return status(s, f, DiskPhase.Deleting, placedBefore == null ? List.of(ready) : List.of(placedBefore, ready));
    }

    // ---- status ----

    private Plan<WorkDiskStatus> invalid(DiskState s, DiskFacts f, String problem) {
        return report(
                s,
                f,
                DiskPhase.Failed,
                Conditions.of("Placed", false, DiskReasons.INVALID_SPEC, problem, null),
                ready(false, DiskReasons.INVALID_SPEC, problem));
    }

    private Plan<WorkDiskStatus> waiting(DiskState s, DiskFacts f, String reason, String message, Duration again) {
        Condition placed = f.node() != null ? placed(f) : Conditions.of("Placed", false, reason, message, null);
        return report(
                        s,
                        f,
                        f.node() == null ? DiskPhase.Pending : DiskPhase.Placing,
                        placed,
                        ready(false, reason, message))
                .lookingAgainIn(again);
    }

    private static Plan<WorkDiskStatus> report(
            DiskState s, DiskFacts f, DiskPhase phase, Condition placed, Condition ready) {
        return Plan.report(status(s, f, phase, List.of(aboutNow(s, placed), aboutNow(s, ready))));
    }

    /**
     * The status: the carried facts, the phase and these conditions with kstatus's (Stalled for a failed disk or
     * one that waits for someone, Reconciling on the way), each keeping the time it last changed.
     */
    private static WorkDiskStatus status(DiskState s, DiskFacts f, DiskPhase phase, List<Condition> conditions) {
        List<Condition> withKstatus = KstatusConditions.adding(
                conditions, ready -> phase == DiskPhase.Failed || DiskReasons.TERMINAL.contains(ready.getReason()));
        return f.status(
                phase,
                Conditions.merge(previous(s), withKstatus, s.now()),
                s.disk().getMetadata().getGeneration(),
                InUse.of(s, f.node()).forStatus());
    }

    private static List<Condition> previous(DiskState s) {
        return s.disk().getStatus() == null ? List.of() : s.disk().getStatus().conditions();
    }

    /** The condition as describing the generation observed now. */
    private static Condition aboutNow(DiskState s, Condition c) {
        return new ConditionBuilder(c)
                .withObservedGeneration(s.disk().getMetadata().getGeneration())
                .build();
    }

    private static Condition placed(DiskFacts f) {
        return Conditions.of("Placed", true, "Placed", "on node " + f.node(), null);
    }

    private static Condition ready(boolean ready, String reason, String message) {
        return Conditions.of("Ready", ready, reason, message, null);
    }

    static boolean seedReadyOn(Optional<WorkSeed> seed, String node) {
        if (seed.isEmpty()) {
            return true;
        }
        WorkSeed ws = seed.get();
        if (ws.getStatus() == null || ws.getStatus().nodes() == null) {
            return false;
        }
        Optional<String> digest = SeedDigest.of(ws);
        if (digest.isEmpty()) {
            return false; // its image tag is being resolved: no node's copy is known to be current
        }
        for (NodeSeedStatus n : ws.getStatus().nodes()) {
            if (node.equals(n.node())
                    && n.phase() == SeedPhase.Ready
                    && digest.get().equals(n.sourceDigest())) {
                return true;
            }
        }
        return false;
    }

    /** INSUFFICIENT_SPACE -> InsufficientSpace: engine reasons as condition reasons (GitOps checks list some). */
    public static String reason(String engineReason) {
        if (engineReason == null || engineReason.isBlank()) {
            return "Failed";
        }
        StringBuilder sb = new StringBuilder();
        for (String part : engineReason.toLowerCase(Locale.ROOT).split("_")) {
            if (!part.isEmpty()) {
                sb.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
            }
        }
        return sb.toString();
    }

    private static String verb(TaskType type) {
        return type == TaskType.Materialize ? "materializing" : "formatting";
    }
}
