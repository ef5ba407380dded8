package io.workdisk.operator.workseed;

import io.fabric8.kubernetes.api.model.Node;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
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
import io.workdisk.api.workseed.WorkSeed;
import io.workdisk.api.workseed.WorkSeedStatus;
import io.workdisk.operator.node.NodeDirectory;
import io.workdisk.operator.node.NodeRecordChanges;
import io.workdisk.operator.status.EventRecorder;
import io.workdisk.operator.status.StatusWriter;
import io.workdisk.operator.task.Plan;
import io.workdisk.operator.task.Tasks;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Keeps each WorkSeed built on every matching node: observe the nodes and the seed's tasks, decide
 * (SeedPlanner), write or remove tasks, report per-node status.
 *
 * <p>Deletion goes through JOSDK's {@link Cleaner}, which adds and removes the finalizer itself. The
 * WorkDisk reconciler keeps its finalizer by hand instead ({@code DiskFinalizer}) for one reason that
 * does not hold here: disks come in bursts, and adding the finalizer in the reconcile that places the disk
 * saves each disk a second turn in the queue. WorkSeeds are few and made once; the SDK's idiom is enough.
 */
@ControllerConfiguration(
        name = "workseed",
        generationAwareEventProcessing = false,
        informer = @Informer(onUpdateFilter = SeedSpecChanges.class))
public final class WorkSeedReconciler implements Reconciler<WorkSeed>, Cleaner<WorkSeed> {
    private final Tasks tasks;
    private final SeedPlanner planner;
    private final NodeDirectory nodes;
    private final StatusWriter statuses;
    private final Clock clock;
    private final String taskNamespace;
    /** Every node's record and Node object; set once, when the event sources are made. */
    private volatile NodeDirectory.Caches nodeCaches;
    /** The informer of the seeds' tasks; set once, when the event sources are made. */
    private volatile InformerEventSource<WorkTask, WorkSeed> seedTasks;

    public WorkSeedReconciler(
            Tasks tasks,
            SeedPlanner planner,
            NodeDirectory nodes,
            EventRecorder events,
            Clock clock,
            String taskNamespace) {
        this.tasks = tasks;
        this.planner = planner;
        this.nodes = nodes;
        this.statuses = new StatusWriter(events);
        this.clock = clock;
        this.taskNamespace = taskNamespace;
    }

    @Override
    public List<EventSource<?, WorkSeed>> prepareEventSources(EventSourceContext<WorkSeed> context) {
        seedTasks = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(WorkTask.class, WorkSeed.class)
                        .withName("workseed-tasks")
                        .withItemStore(new WithoutManagedFields<>())
                        .withLabelSelector(ApiGroup.OWNER_KIND_LABEL + "=WorkSeed")
                        .withNamespaces(Set.of(taskNamespace))
                        .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(WorkSeed.class, true))
                        .build(),
                context);
        var workNodes = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(WorkNode.class, WorkSeed.class)
                        .withName("workseed-nodes")
                        .withItemStore(new WithoutManagedFields<>())
                        .withOnUpdateFilter(NodeRecordChanges::meaningful)
                        .withSecondaryToPrimaryMapper(n -> everySeed(context))
                        .build(),
                context);
        var kubeNodes = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(Node.class, WorkSeed.class)
                        .withName("workseed-kube-nodes")
                        .withItemStore(new WithoutManagedFields<>())
                        .withOnUpdateFilter((a, b) -> !Objects.equals(
                                a.getMetadata().getLabels(), b.getMetadata().getLabels()))
                        .withSecondaryToPrimaryMapper(n -> everySeed(context))
                        .build(),
                context);
        nodeCaches = new NodeDirectory.Caches(workNodes, kubeNodes);
        return List.of(seedTasks, workNodes, kubeNodes);
    }

    private static Set<ResourceID> everySeed(EventSourceContext<WorkSeed> context) {
        return context.getPrimaryCache().list().map(ResourceID::fromResource).collect(Collectors.toSet());
    }

    @Override
    public UpdateControl<WorkSeed> reconcile(WorkSeed seed, Context<WorkSeed> context) {
        Plan<WorkSeedStatus> plan = plan(seed, context, false);
        act(seed, context, plan);
        return plan.updateControl();
    }

    @Override
    public DeleteControl cleanup(WorkSeed seed, Context<WorkSeed> context) {
        Plan<WorkSeedStatus> plan = plan(seed, context, true);
        act(seed, context, plan);
        return plan.deleteControl();
    }

    private Plan<WorkSeedStatus> plan(WorkSeed seed, Context<WorkSeed> context, boolean deleting) {
        List<WorkTask> own = context.getSecondaryResources(WorkTask.class).stream()
                .filter(t -> seed.getMetadata()
                        .getUid()
                        .equals(t.getMetadata().getLabels().get(ApiGroup.OWNER_UID_LABEL)))
                .toList();
        return planner.plan(seed, own, nodes.all(nodeCaches), Instant.now(clock), deleting);
    }

    private void act(WorkSeed seed, Context<WorkSeed> context, Plan<WorkSeedStatus> plan) {
        tasks.carryOut(
                plan,
                () -> statuses.write(seed, context, plan.status(), WorkSeedStatus::conditions),
                t -> seedTasks.handleRecentResourceCreate(ResourceID.fromResource(t), t));
    }
}
