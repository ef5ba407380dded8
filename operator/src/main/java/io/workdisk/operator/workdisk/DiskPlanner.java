package io.workdisk.operator.workdisk;

import io.workdisk.operator.workseed.SeedPlanner;
import io.workdisk.operator.task.Plan;
import io.fabric8.kubernetes.api.model.Condition;
import io.workdisk.api.task.Operation;
import io.workdisk.api.task.TaskPhase;
import io.workdisk.api.task.TaskResult;
import io.workdisk.api.task.TaskType;
import io.workdisk.api.task.WorkTask;
import io.workdisk.api.task.WorkTaskSpec;
import io.workdisk.api.workdisk.DiskPhase;
import io.workdisk.api.workdisk.ReclaimPolicy;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.api.workdisk.WorkDiskSpec;
import io.workdisk.api.workdisk.WorkDiskStatus;
import io.workdisk.api.workseed.NodeSeedStatus;
import io.workdisk.api.workseed.WorkSeed;
import io.workdisk.operator.node.NodeView;
import io.workdisk.api.Conditions;
import io.workdisk.operator.task.Tasks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides, from what was observed, what a WorkDisk's status is and which task (if any) moves it on. It
 * never does anything itself. A disk whose status records a filesystem UUID exists: from then on no
 * create task is ever written for it again, whatever else happens.
 */
public final class DiskPlanner {
    static final Duration WAIT_FOR_NODE = Duration.ofSeconds(15);
    static final Duration WAIT_FOR_PLACEMENT = Duration.ofSeconds(30);

    private final Placement placement;
    private final Duration checkReadyEvery;

    public DiskPlanner(Placement placement, Duration checkReadyEvery) {
        this.placement = placement;
        this.checkReadyEvery = checkReadyEvery;
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
        return io.workdisk.api.DataRootLayout.diskPath(d.getMetadata().getUid());
    }

    /** The facts carried from one status to the next, changed as tasks finish. */
    private static final class Facts {
        String node;
        String path;
        Long capacity;
        String uuid;
        Operation lastOperation;
        final List<WorkTask> removeAfterReport = new ArrayList<>();
        final List<WorkTask> removeNow = new ArrayList<>();
        final List<WorkTask> create = new ArrayList<>();

        boolean created() {
            return uuid != null;
        }
    }

    public Plan<WorkDiskStatus> plan(DiskState s) {
        WorkDisk disk = s.disk();
        WorkDiskStatus prev = disk.getStatus();
        Facts f = new Facts();
        if (prev != null) {
            f.node = prev.nodeName();
            f.path = prev.path();
            f.capacity = prev.capacityBytes();
            f.uuid = prev.filesystemUUID();
            f.lastOperation = prev.lastOperation();
        }
        if (f.node == null && disk.getSpec().nodeName() != null) {
            f.node = disk.getSpec().nodeName();
        }
        Optional<WorkTask> create = s.task(createTaskName(disk));
        if (!f.created() && create.isPresent() && Tasks.succeeded(create.get())) {
            TaskResult r = create.get().getStatus().result();
            f.uuid = r.filesystemUUID();
            f.path = r.path();
            f.capacity = r.filesystemBytes();
            f.lastOperation = operation(create.get());
            f.node = create.get().getSpec().nodeName(); // the disk is where it was made, whatever the status said
        }
        if (f.created()) {
            create.ifPresent(f.removeAfterReport::add);
            return created(s, f);
        }
        return notCreated(s, f, create);
    }

    // ---- a disk that does not exist yet ----

    private Plan<WorkDiskStatus> notCreated(DiskState s, Facts f, Optional<WorkTask> create) {
        WorkDisk disk = s.disk();
        if (create.isPresent()) {
            WorkTask task = create.get();
            if (Tasks.failed(task)) {
                return createFailed(s, f, task);
            }
            return report(s, f, DiskPhase.Creating, placed(f), ready(false, "Creating",
                    verb(task.getSpec().type()) + " the disk on " + f.node), Optional.empty());
        }
        DiskSize.Parsed size = DiskSize.parse(disk.getSpec().size());
        if (!size.ok()) {
            return invalid(s, f, size.problem());
        }
        String seedRef = disk.getSpec().seedRef();
        if (seedRef != null && s.seed().isEmpty()) {
            return waiting(s, f, "SeedNotFound", "WorkSeed '" + seedRef + "' does not exist", WAIT_FOR_PLACEMENT);
        }
        if (f.node == null) {
            Placement.Result result = placement.place(disk.getMetadata().getUid(), size.bytes(),
                    disk.getSpec().nodeSelector(), s.nodes(), n -> seedReadyOn(s.seed(), n.name()), s.allocations().get());
            if (result instanceof Placement.NotPlaced np) {
                return waiting(s, f, np.reason(), np.message(), WAIT_FOR_PLACEMENT);
            }
            f.node = ((Placement.Placed) result).node();
        }
        Optional<NodeView> node = s.node(f.node);
        if (node.isEmpty()) {
            return waiting(s, f, "NodeNotFound", "node '" + f.node + "' has no workdisk agent", WAIT_FOR_NODE);
        }
        if (!node.get().alive()) {
            return waiting(s, f, "NodeNotReady", node.get().why(), WAIT_FOR_NODE);
        }
        if (seedRef != null && !seedReadyOn(s.seed(), f.node)) {
            return waiting(s, f, "SeedNotReady", "WorkSeed '" + seedRef + "' is not ready on " + f.node + " yet",
                    WAIT_FOR_PLACEMENT);
        }
        TaskType type = seedRef == null ? TaskType.Format : TaskType.Materialize;
        int attempt = nextAttempt(f.lastOperation, type);
        f.create.add(Tasks.build(disk, disk.getMetadata().getNamespace(), createTaskName(disk),
                seedRef == null ? WorkTaskSpec.format(f.node, diskPath(disk), size.bytes(), disk.getSpec().wantsPreallocation(), disk.getMetadata().getUid(), attempt)
                        : WorkTaskSpec.materialize(f.node, diskPath(disk), size.bytes(), disk.getSpec().wantsPreallocation(), SeedPlanner.seedPath(seedRef), disk.getMetadata().getUid(), attempt)));
        return report(s, f, DiskPhase.Creating, placed(f),
                ready(false, "Creating", verb(type) + " the disk on " + f.node), Optional.empty());
    }

    private Plan<WorkDiskStatus> createFailed(DiskState s, Facts f, WorkTask task) {
        WorkDisk disk = s.disk();
        f.lastOperation = operation(task);
        String reason = reason(task.getStatus().reason());
        String message = task.getStatus().message();
        DiskSize.Parsed size = DiskSize.parse(disk.getSpec().size());
        boolean specChanged = size.ok() && !Objects.equals(size.bytes(), task.getSpec().sizeBytes());
        if (specChanged) {
            f.removeNow.add(task); // the spec moved on since this try: try again with the new one
            return report(s, f, DiskPhase.Pending, placed(f), ready(false, "Retrying", "spec changed after: " + message),
                    Optional.empty());
        }
        if (Boolean.TRUE.equals(task.getStatus().retryable())) {
            Optional<Duration> wait = Tasks.retryIn(task, s.now());
            if (wait.isEmpty()) {
                f.removeNow.add(task);
                return report(s, f, DiskPhase.Creating, placed(f), ready(false, reason, message + "; retrying now"),
                        Optional.empty());
            }
            return report(s, f, DiskPhase.Creating, placed(f), ready(false, reason, message + "; retrying in "
                    + wait.get().toSeconds() + "s"), wait);
        }
        // Permanent: kept as the record of the failure until the spec changes; no hot loop.
        return report(s, f, DiskPhase.Failed, placed(f), ready(false, reason, message), Optional.empty());
    }

    // ---- a disk that exists ----

    private Plan<WorkDiskStatus> created(DiskState s, Facts f) {
        WorkDisk disk = s.disk();
        Optional<NodeView> node = s.node(f.node);
        if (node.isEmpty() || !node.get().alive()) {
            String why = node.isEmpty() ? "node '" + f.node + "' and its agent are gone" : node.get().why();
            return report(s, f, DiskPhase.Failed, placed(f), ready(false, "NodeLost",
                    why + "; the disk is not recreated elsewhere"), Optional.of(checkReadyEvery));
        }
        DiskSize.Parsed size = DiskSize.parse(disk.getSpec().size());
        List<WorkTask> resizes = s.tasks().stream().filter(t -> t.getSpec().type() == TaskType.Resize).toList();
        Long wanted = size.ok() ? DiskSize.filesystemBytes(size.bytes()) : null;
        WorkTask current = null;
        for (WorkTask t : resizes) {
            if (wanted != null && Objects.equals(t.getSpec().sizeBytes(), size.bytes())) {
                current = t;
            } else if (t.getStatus() != null && t.getStatus().finished()) {
                f.removeNow.add(t); // a resize the spec has since moved past
            }
        }
        if (current != null && Tasks.succeeded(current)) {
            f.capacity = current.getStatus().result().filesystemBytes();
            f.lastOperation = operation(current);
            f.removeAfterReport.add(current);
            current = null;
        }
        if (!size.ok()) {
            return report(s, f, DiskPhase.Ready, placed(f), ready(true, "InvalidSpec", size.problem()
                    + "; the disk is unchanged"), Optional.of(checkReadyEvery));
        }
        if (current != null && Tasks.failed(current)) {
            f.lastOperation = operation(current);
            String message = "resize to " + disk.getSpec().size() + " failed: " + current.getStatus().message();
            if (Boolean.TRUE.equals(current.getStatus().retryable())) {
                Optional<Duration> wait = Tasks.retryIn(current, s.now());
                if (wait.isEmpty()) {
                    f.removeNow.add(current);
                    return report(s, f, DiskPhase.Resizing, placed(f), ready(true, "ResizeRetrying", message),
                            Optional.empty());
                }
                return report(s, f, DiskPhase.Ready, placed(f), ready(true, "ResizeFailed", message + "; retrying in "
                        + wait.get().toSeconds() + "s"), wait);
            }
            return report(s, f, DiskPhase.Ready, placed(f), ready(true, "ResizeFailed", message),
                    Optional.of(checkReadyEvery));
        }
        if (current != null) {
            return report(s, f, DiskPhase.Resizing, placed(f), ready(true, "Resizing",
                    "growing to " + disk.getSpec().size() + " on " + f.node), Optional.empty());
        }
        long capacity = f.capacity == null ? 0 : f.capacity;
        if (wanted > capacity) {
            f.create.add(Tasks.build(disk, disk.getMetadata().getNamespace(), resizeTaskName(disk, size.bytes()),
                    WorkTaskSpec.resize(f.node, diskPath(disk), size.bytes(),
                            disk.getMetadata().getUid(), nextAttempt(f.lastOperation, TaskType.Resize))));
            return report(s, f, DiskPhase.Resizing, placed(f), ready(true, "Resizing",
                    "growing to " + disk.getSpec().size() + " on " + f.node), Optional.empty());
        }
        if (wanted < capacity) {
            return report(s, f, DiskPhase.Ready, placed(f), ready(true, "ShrinkRefused", "spec.size "
                    + disk.getSpec().size() + " is below the disk's " + capacity
                    + " bytes; disks only grow, the disk is unchanged"), Optional.of(checkReadyEvery));
        }
        return report(s, f, DiskPhase.Ready, placed(f), ready(true, "Ready", "the disk is at " + f.path + " on " + f.node
                + took(f.lastOperation)), Optional.of(checkReadyEvery));
    }

    /** How long the step that made the disk what it is took, for the Ready message (and so its Event). */
    private static String took(Operation op) {
        return op == null || op.seconds() == null ? ""
                : String.format(java.util.Locale.ROOT, "; %s took %.3fs", op.type(), op.seconds());
    }

    // ---- deletion ----

    /** Removing the image (Delete) or keeping it (Retain) before the object goes. */
    public Plan<WorkDiskStatus> planDeletion(DiskState s) {
        WorkDisk disk = s.disk();
        Plan<WorkDiskStatus> base = plan(s);
        WorkDiskStatus status = base.status();
        List<WorkTask> others = s.tasks().stream()
                .filter(t -> !t.getMetadata().getName().equals(deleteTaskName(disk))).toList();
        boolean inFlight = others.stream().anyMatch(t -> t.getStatus() == null || !t.getStatus().finished());
        if (inFlight) {
            return deleting(status, List.of(), List.of(), "waiting for a running step to finish first", false,
                    Optional.of(Duration.ofSeconds(5)));
        }
        boolean created = status.filesystemUUID() != null;
        if (!created || disk.getSpec().effectiveReclaimPolicy() == ReclaimPolicy.Retain) {
            return deleting(status, List.of(), s.tasks(), created ? "retained at " + status.path() : "nothing was made",
                    true, Optional.empty());
        }
        Optional<NodeView> node = s.node(status.nodeName());
        if (node.isEmpty()) {
            return deleting(status, List.of(), s.tasks(), "node '" + status.nodeName()
                    + "' is gone; its image cannot be removed", true, Optional.empty());
        }
        Optional<WorkTask> delete = s.task(deleteTaskName(disk));
        if (delete.isEmpty()) {
            WorkTask task = Tasks.build(disk, disk.getMetadata().getNamespace(), deleteTaskName(disk),
                    WorkTaskSpec.delete(status.nodeName(), diskPath(disk),
                            disk.getMetadata().getUid(), nextAttempt(status.lastOperation(), TaskType.Delete)));
            return deleting(status, List.of(task), others, "removing the image from " + status.nodeName(), false,
                    Optional.empty());
        }
        WorkTask task = delete.get();
        if (Tasks.succeeded(task)) {
            return deleting(status, List.of(), s.tasks(), "image removed from " + status.nodeName(), true, Optional.empty());
        }
        if (Tasks.failed(task)) {
            if (!Boolean.TRUE.equals(task.getStatus().retryable())) {
                return deleting(status, List.of(), s.tasks(), "the image was left on " + status.nodeName() + ": "
                        + task.getStatus().message(), true, Optional.empty());
            }
            Optional<Duration> wait = Tasks.retryIn(task, s.now());
            if (wait.isEmpty()) {
                return deleting(status, List.of(), List.of(task), "retrying: " + task.getStatus().message(), false,
                        Optional.of(Duration.ofSeconds(1)));
            }
            return deleting(status, List.of(), List.of(), task.getStatus().message() + "; retrying in "
                    + wait.get().toSeconds() + "s", false, wait);
        }
        return deleting(status, List.of(), List.of(), "removing the image from " + status.nodeName(), false,
                Optional.empty());
    }

    private static Plan<WorkDiskStatus> deleting(WorkDiskStatus status, List<WorkTask> create, List<WorkTask> remove,
            String message, boolean finished, Optional<Duration> again) {
        List<Condition> conditions = new ArrayList<>();
        for (Condition c : status.conditions()) {
            conditions.add("Ready".equals(c.getType())
                    ? Conditions.of("Ready", false, finished ? "Deleted" : "Deleting", message, c.getObservedGeneration())
                    : c);
        }
        WorkDiskStatus next = new WorkDiskStatus(DiskPhase.Deleting, status.nodeName(), status.path(),
                status.capacityBytes(), status.filesystemUUID(), conditions, status.observedGeneration(),
                status.lastOperation());
        return new Plan<>(next, create, finished ? remove : List.of(), finished ? List.of() : remove, again, finished);
    }

    // ---- helpers ----

    private Plan<WorkDiskStatus> invalid(DiskState s, Facts f, String problem) {
        return report(s, f, DiskPhase.Failed, Conditions.of("Placed", false, "InvalidSpec", problem, gen(s)),
                ready(false, "InvalidSpec", problem), Optional.empty());
    }

    private Plan<WorkDiskStatus> waiting(DiskState s, Facts f, String reason, String message, Duration again) {
        Condition placed = f.node != null ? placed(f) : Conditions.of("Placed", false, reason, message, null);
        return report(s, f, f.node == null ? DiskPhase.Pending : DiskPhase.Placing, placed,
                ready(false, reason, message), Optional.of(again));
    }

    private Plan<WorkDiskStatus> report(DiskState s, Facts f, DiskPhase phase, Condition placed, Condition ready,
            Optional<Duration> again) {
        Long generation = gen(s);
        placed.setObservedGeneration(generation);
        ready.setObservedGeneration(generation);
        List<Condition> previous = s.disk().getStatus() == null ? List.of() : s.disk().getStatus().conditions();
        WorkDiskStatus status = new WorkDiskStatus(phase, f.node, f.path, f.capacity, f.uuid,
                Conditions.merge(previous, List.of(placed, ready), s.now()), generation, f.lastOperation);
        return new Plan<>(status, f.create, f.removeNow, f.removeAfterReport, again, false);
    }

    private static Condition placed(Facts f) {
        return Conditions.of("Placed", true, "Placed", "on node " + f.node, null);
    }

    private static Condition ready(boolean ready, String reason, String message) {
        return Conditions.of("Ready", ready, reason, message, null);
    }

    private static Long gen(DiskState s) {
        return s.disk().getMetadata().getGeneration();
    }

    static boolean seedReadyOn(Optional<WorkSeed> seed, String node) {
        if (seed.isEmpty()) {
            return true;
        }
        WorkSeed ws = seed.get();
        if (ws.getStatus() == null || ws.getStatus().nodes() == null) {
            return false;
        }
        String digest = io.workdisk.operator.workseed.SeedDigest.of(ws.getSpec());
        for (NodeSeedStatus n : ws.getStatus().nodes()) {
            if (node.equals(n.node()) && "Ready".equals(n.phase()) && digest.equals(n.sourceDigest())) {
                return true;
            }
        }
        return false;
    }

    static Operation operation(WorkTask t) {
        return Operation.of(t.getSpec(), t.getStatus());
    }

    static int nextAttempt(Operation last, TaskType type) {
        if (last != null && last.type() == type && last.result() == TaskPhase.Failed && last.attempt() != null) {
            return last.attempt() + 1;
        }
        return 1;
    }

    /** INSUFFICIENT_SPACE -> InsufficientSpace: engine reasons as condition reasons. */
    static String reason(String engineReason) {
        if (engineReason == null || engineReason.isBlank()) {
            return "Failed";
        }
        StringBuilder sb = new StringBuilder();
        for (String part : engineReason.toLowerCase().split("_")) {
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
