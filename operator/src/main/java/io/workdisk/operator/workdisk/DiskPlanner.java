package io.workdisk.operator.workdisk;

import static io.workdisk.operator.workdisk.DiskStatuses.placed;
import static io.workdisk.operator.workdisk.DiskStatuses.ready;
import static io.workdisk.operator.workdisk.DiskStatuses.report;

import io.fabric8.kubernetes.api.model.Condition;
import io.workdisk.api.Conditions;
import io.workdisk.api.DataRootLayout;
import io.workdisk.api.task.TaskType;
import io.workdisk.api.task.WorkTask;
import io.workdisk.api.task.WorkTaskSpec;
import io.workdisk.api.workdisk.DiskPhase;
import io.workdisk.api.workdisk.DiskReasons;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.api.workdisk.WorkDiskStatus;
import io.workdisk.api.workseed.NodeSeedStatus;
import io.workdisk.api.workseed.SeedPhase;
import io.workdisk.api.workseed.WorkSeed;
import io.workdisk.operator.node.NodeView;
import io.workdisk.operator.task.Plan;
import io.workdisk.operator.task.Retry;
import io.workdisk.operator.task.Tasks;
import io.workdisk.operator.workseed.SeedDigest;
import io.workdisk.operator.workseed.SeedPlanner;
import java.time.Duration;
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
        CarriedDisk facts = facts(s, create);
        if (facts.made()) {
            // The create task stays, as the record of the work that made the disk (how long it took, what it made)
            // for `kubectl get wt`; it goes when the disk is deleted (and its owner reference is the backstop).
            // Deleting it here would be one more API write on every disk's way to Ready.
            return new MadeDiskPlanner(checkReadyEvery, sizes).plan(s, facts);
        }
        return create.isPresent() ? creating(s, facts, create.get()) : toCreate(s, facts);
    }

    /** The facts the status carries, and what a create task that succeeded since made. */
    private static CarriedDisk facts(DiskState s, Optional<WorkTask> create) {
        CarriedDisk carried = CarriedDisk.carried(s.disk());
        return !carried.made() && create.filter(Tasks::succeeded).isPresent() ? carried.madeBy(create.get()) : carried;
    }

    // ---- a disk that does not exist yet ----

    /** Nothing made and no create task: check the spec, find a node, and write the task once it can run there. */
    private Plan<WorkDiskStatus> toCreate(DiskState s, CarriedDisk f) {
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
        return result.fold(
                placed -> createOnNode(s, f.onNode(placed.node()), size.bytes())
                        .reserving(new Plan.Reservation(disk.getMetadata().getUid(), placed.node(), size.bytes())),
                notPlaced -> waiting(s, f, notPlaced.reason(), notPlaced.message(), WAIT_FOR_PLACEMENT));
    }

    /** Placed: the create task is written once the node's agent, and the seed there, are ready. */
    private Plan<WorkDiskStatus> createOnNode(DiskState s, CarriedDisk f, long bytes) {
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

    private static WorkTask createTask(WorkDisk disk, CarriedDisk f, long bytes) {
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
    private Plan<WorkDiskStatus> creating(DiskState s, CarriedDisk f, WorkTask task) {
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

    private Plan<WorkDiskStatus> createFailed(DiskState s, CarriedDisk f, WorkTask task) {
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
        return Retry.of(task, s.now())
                .plan(
                        task,
                        // kept as the record of the failure until the spec changes; no hot loop
                        () -> report(s, f, DiskPhase.Failed, placed(f), ready(false, reason, message)),
                        retry -> report(
                                s, f, DiskPhase.Creating, placed(f), ready(false, reason, message + retry.says())));
    }

    // ---- deletion ----

    /**
     * Removing the image (Delete) or keeping it (Retain) before the object goes; see {@link DiskDeletionPlanner}.
     */
    public Plan<WorkDiskStatus> planDeletion(DiskState s) {
        return new DiskDeletionPlanner(checkReadyEvery).plan(s, facts(s, s.task(createTaskName(s.disk()))));
    }

    // ---- status ----

    private Plan<WorkDiskStatus> invalid(DiskState s, CarriedDisk f, String problem) {
        return report(
                s,
                f,
                DiskPhase.Failed,
                Conditions.of("Placed", false, DiskReasons.INVALID_SPEC, problem),
                ready(false, DiskReasons.INVALID_SPEC, problem));
    }

    private Plan<WorkDiskStatus> waiting(DiskState s, CarriedDisk f, String reason, String message, Duration again) {
        Condition placed = f.node() != null ? placed(f) : Conditions.of("Placed", false, reason, message);
        return report(
                        s,
                        f,
                        f.node() == null ? DiskPhase.Pending : DiskPhase.Placing,
                        placed,
                        ready(false, reason, message))
                .lookingAgainIn(again);
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
