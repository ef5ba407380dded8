package io.workdisk.operator.workdisk;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Node;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import io.workdisk.api.ApiGroup;
import io.workdisk.api.WithoutManagedFields;
import io.workdisk.api.node.WorkNode;
import io.workdisk.api.task.WorkTask;
import io.workdisk.api.workdisk.DiskReasons;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.api.workdisk.WorkDiskStatus;
import io.workdisk.api.workseed.WorkSeed;
import io.workdisk.operator.claim.ClaimPlan;
import io.workdisk.operator.claim.ClaimPlanner;
import io.workdisk.operator.claim.ClaimSources;
import io.workdisk.operator.claim.Claims;
import io.workdisk.operator.node.NodeDirectory;
import io.workdisk.operator.node.NodeRecordChanges;
import io.workdisk.operator.status.EventRecorder;
import io.workdisk.operator.status.StatusWriter;
import io.workdisk.operator.task.Plan;
import io.workdisk.operator.task.Tasks;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Makes each WorkDisk real on one node, and usable by name as a volume. Every reconcile is the same story:
 * observe the disk's tasks, the nodes, the seed and its volume objects; decide (DiskPlanner) the status and
 * the next step, and (ClaimPlanner) what its PersistentVolume and claim need; act by writing or removing
 * tasks; report the status, and only then drop the tasks whose results it records and change the volume
 * objects.
 *
 * <p>The reconciler sees every event, deletion included, and keeps its finalizer itself
 * ({@link DiskFinalizer}): a new disk gets the finalizer and its place in one reconcile, before any task
 * exists for it. (The WorkSeed reconciler uses JOSDK's Cleaner: seeds do not come in bursts.)
 */
@ControllerConfiguration(name = "workdisk", triggerReconcilerOnAllEvents = true)
public final class WorkDiskReconciler implements Reconciler<WorkDisk> {
    private final Tasks tasks;
    private final DiskPlanner planner;
    private final NodeDirectory nodes;
    private final Reservations reservations;
    private final SizeMemo sizes;
    private final StatusWriter statuses;
    private final ClaimPlanner claimPlanner;
    private final Claims claims;
    private final Clock clock;
    /** Every node's record and Node object, read whole by placement; set once, when the event sources are made. */
    private volatile NodeDirectory.Caches nodeCaches;
    /** The informer of the disks' tasks; set once, when the event sources are made. */
    private volatile InformerEventSource<WorkTask, WorkDisk> diskTasks;
    /** The informers of the disks' volume objects; set once, when the event sources are made. */
    private volatile ClaimSources claimSources;

    public WorkDiskReconciler(
            Tasks tasks,
            DiskPlanner planner,
            NodeDirectory nodes,
            Reservations reservations,
            SizeMemo sizes,
            EventRecorder events,
            Claims claims,
            Clock clock) {
        this.tasks = tasks;
        this.planner = planner;
        this.nodes = nodes;
        this.reservations = reservations;
        this.sizes = sizes;
        this.statuses = new StatusWriter(events);
        this.claimPlanner = new ClaimPlanner();
        this.claims = claims;
        this.clock = clock;
    }

    @Override
    public List<EventSource<?, WorkDisk>> prepareEventSources(EventSourceContext<WorkDisk> context) {
        var disks = context.getPrimaryCache();
        WaitingDiskIndex.addTo(disks);
        PublishedDiskIndex.addTo(disks);
        diskTasks = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(WorkTask.class, WorkDisk.class)
                        .withName("workdisk-tasks")
                        .withItemStore(new WithoutManagedFields<>())
                        .withLabelSelector(ApiGroup.OWNER_KIND_LABEL + "=WorkDisk")
                        .withWatchAllNamespaces()
                        .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(WorkDisk.class))
                        .build(),
                context);
        var workNodes = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(WorkNode.class, WorkDisk.class)
                        .withName("workdisk-nodes")
                        .withItemStore(new WithoutManagedFields<>())
                        .withOnUpdateFilter(NodeRecordChanges::meaningful)
                        // a node's change can move on disks not yet placed (room, readiness) and those being made
                        // there;
                        // waking every unfinished disk on every node's change made placement cost grow with the square
                        // and the disks published or unpublished there, whose resize or deletion may wait on it
                        .withSecondaryToPrimaryMapper(n -> {
                            Set<ResourceID> ids = new HashSet<>(WaitingDiskIndex.onNodeOrUnplaced(
                                    disks, n.getMetadata().getName()));
                            ids.addAll(PublishedDiskIndex.onNode(disks, n));
                            return ids;
                        })
                        .build(),
                context);
        var kubeNodes = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(Node.class, WorkDisk.class)
                        .withName("workdisk-kube-nodes")
                        .withItemStore(new WithoutManagedFields<>())
                        .withOnUpdateFilter((a, b) -> !Objects.equals(
                                a.getMetadata().getLabels(), b.getMetadata().getLabels()))
                        .withSecondaryToPrimaryMapper(n -> WaitingDiskIndex.all(disks))
                        .build(),
                context);
        var seeds = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(WorkSeed.class, WorkDisk.class)
                        .withName("workdisk-seeds")
                        .withItemStore(new WithoutManagedFields<>())
                        .withSecondaryToPrimaryMapper(s ->
                                WaitingDiskIndex.ofSeed(disks, s.getMetadata().getName()))
                        // a disk's one seed, for context.getSecondaryResource whether or not the disk is made yet
                        .withPrimaryToSecondaryMapper(
                                (WorkDisk d) -> d.getSpec().seedRef() == null
                                        ? Set.of()
                                        : Set.of(new ResourceID(d.getSpec().seedRef())))
                        .build(),
                context);
        nodeCaches = new NodeDirectory.Caches(workNodes, kubeNodes);
        List<EventSource<?, WorkDisk>> sources = new ArrayList<>(List.of(diskTasks, workNodes, kubeNodes, seeds));
        claimSources = ClaimSources.of(context);
        sources.addAll(claimSources.eventSources());
        return sources;
    }

    @Override
    public UpdateControl<WorkDisk> reconcile(WorkDisk disk, Context<WorkDisk> context) {
        if (context.isPrimaryResourceDeleted()) {
            reservations.forget(disk.getMetadata().getUid());
            return UpdateControl.noUpdate();
        }
        if (disk.isMarkedForDeletion()) {
            return delete(disk, context);
        }
        WorkDisk held = DiskFinalizer.hold(disk, context);
        if (held == null) {
            return UpdateControl.noUpdate(); // deleted while the finalizer went on: its delete event follows
        }
        Plan<WorkDiskStatus> plan = decide(held, context);
        ClaimPlan claim = claimPlanner.plan(claimSources.observe(held, plan.status(), context, Instant.now(clock)));
        act(held, context, plan, claim);
        return plan.updateControl();
    }

    /**
     * Plans, and reserves the room a plan that places the disk asks for before anything else is done. Placing
     * counts every disk's reservation; if another disk reserved room since this plan counted them, the room it
     * chose may be gone, so it is made again. (Each try that fails means another disk was placed meanwhile.)
     */
    private Plan<WorkDiskStatus> decide(WorkDisk disk, Context<WorkDisk> context) {
        while (true) {
            long seen = reservations.version();
            Plan<WorkDiskStatus> plan = planner.plan(observe(disk, context));
            if (plan.reserve().isEmpty() || reservations.reserve(plan.reserve().get(), seen)) {
                return plan;
            }
        }
    }

    /**
     * Removes the disk's image, then lets the disk go. A disk without the finalizer is past this already, or
     * was deleted before it was ever placed; either way nothing of it is left on a node.
     */
    private UpdateControl<WorkDisk> delete(WorkDisk disk, Context<WorkDisk> context) {
        if (!DiskFinalizer.holds(disk)) {
            return UpdateControl.noUpdate();
        }
        Plan<WorkDiskStatus> plan = planner.planDeletion(observe(disk, context));
        act(
                disk,
                context,
                plan,
                claimPlanner.planRelease(claimSources.observe(disk, plan.status(), context, Instant.now(clock))));
        if (!plan.finished()) {
            return plan.updateControl();
        }
        DiskFinalizer.release(disk, context);
        reservations.forget(disk.getMetadata().getUid());
        return UpdateControl.noUpdate();
    }

    private DiskState observe(WorkDisk disk, Context<WorkDisk> context) {
        List<WorkTask> own = context.getSecondaryResources(WorkTask.class).stream()
                .filter(t -> disk.getMetadata()
                        .getUid()
                        .equals(t.getMetadata().getLabels().get(ApiGroup.OWNER_UID_LABEL)))
                .toList();
        var seed = context.getSecondaryResource(WorkSeed.class)
                .filter(s -> s.getMetadata().getName().equals(disk.getSpec().seedRef()));
        return new DiskState(disk, own, nodes.all(nodeCaches), seed, () -> allocations(context), Instant.now(clock));
    }

    /** Every disk where its status says it is, or where room was reserved for it that the cache does not show yet. */
    private List<Placement.Allocation> allocations(Context<WorkDisk> context) {
        return reservations.applyTo(context.getPrimaryCache()
                .list()
                .map(d -> new Placement.Allocation(
                        d.getMetadata().getUid(),
                        d.getStatus() == null ? null : d.getStatus().nodeName(),
                        sizes.requestedBytes(d.getSpec().size())))
                .toList());
    }

    private void act(WorkDisk disk, Context<WorkDisk> context, Plan<WorkDiskStatus> plan, ClaimPlan claim) {
        tasks.carryOut(
                plan,
                () -> report(disk, context, withClaim(plan.status(), claim)),
                t -> diskTasks.handleRecentResourceCreate(ResourceID.fromResource(t), t));
        claims.carryOut(claim, claimSources::remember);
    }

    /** The disk's status with the claim's condition in place of the one it had (none if the claim has none). */
    private static WorkDiskStatus withClaim(WorkDiskStatus status, ClaimPlan claim) {
        if (status == null) {
            return null;
        }
        List<Condition> conditions = new ArrayList<>();
        if (status.conditions() != null) {
            status.conditions().stream()
                    .filter(c -> !DiskReasons.CLAIMED.equals(c.getType()))
                    .forEach(conditions::add);
        }
        claim.condition().ifPresent(conditions::add);
        return status.withConditions(conditions);
    }

    private void report(WorkDisk disk, Context<WorkDisk> context, WorkDiskStatus status) {
        statuses.write(disk, context, status, WorkDiskStatus::conditions);
    }
}
