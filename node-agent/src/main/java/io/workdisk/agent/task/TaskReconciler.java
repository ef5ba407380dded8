package io.workdisk.agent.task;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.retry.GenericRetry;
import io.workdisk.api.task.WorkTask;
import io.workdisk.api.task.WorkTaskStatus;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Hands this node's unfinished tasks to its workers, and writes the statuses they report. The agent is
 * registered with a label selector for its own node, so it never sees another node's tasks; a task whose
 * status already records a finished run of its current spec is left alone, so a replay (restart, resync)
 * does nothing. The engine steps run on the workers, which bound how much runs at once and take turns
 * between namespaces; their statuses are written here, the SDK's way (see {@link StatusRequests}).
 */
@ControllerConfiguration(name = "worktask-agent")
public final class TaskReconciler implements Reconciler<WorkTask> {
    /**
     * A status write that failed (API server down, timed out) is retried by the SDK with exponential
     * backoff, from 200 ms up to 5 s apart, for as long as it fails: an outcome is never dropped because the
     * API was down longer than some count of attempts. A worker that stops waiting (its patience) frees its
     * slot; the retry that then finds no status to write queues the task again, and the replayed step finds
     * its work done.
     */
    public static GenericRetry statusRetry() {
        return new GenericRetry()
                .setInitialInterval(200)
                .setIntervalMultiplier(2)
                .setMaxInterval(5_000)
                .withoutMaxAttempts();
    }

    private final String nodeName;
    private final TaskWorkers workers;
    private final StatusRequests statuses;

    public TaskReconciler(String nodeName, TaskWorkers workers) {
        this.nodeName = nodeName;
        this.workers = workers;
        this.statuses = workers.statusRequests();
    }

    @Override
    public List<EventSource<?, WorkTask>> prepareEventSources(EventSourceContext<WorkTask> context) {
        return List.of(statuses.eventSource(context.getPrimaryCache()));
    }

    @Override
    public UpdateControl<WorkTask> reconcile(WorkTask task, Context<WorkTask> context) {
        Optional<StatusRequests.Request> request = statuses.pendingFor(task);
        if (request.isPresent()) {
            write(task, context, request.get());
        } else if (!alreadyDone(task) && nodeName.equals(task.getSpec().nodeName())) {
            workers.submit(task);
        }
        return UpdateControl.noUpdate();
    }

    /**
     * The agent is the only writer of a task's status and its outcome is true whatever the object became,
     * so a conflict is written again on the newer object (the util's conflict retry); other failures are
     * thrown for the SDK's retry.
     */
    private static void write(WorkTask task, Context<WorkTask> context, StatusRequests.Request request) {
        WorkTaskStatus status = request.status();
        try {
            WorkTask written = PrimaryUpdateAndCacheUtils.updateStatusAndCacheResource(task, context, t -> {
                t.setStatus(status);
                return t;
            });
            request.written().complete(Optional.of(written));
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
            request.written().complete(Optional.empty()); // deleted meanwhile: nobody waits for its outcome
        }
    }

    private static boolean alreadyDone(WorkTask task) {
        WorkTaskStatus s = task.getStatus();
        return s != null
                && s.finished()
                && Objects.equals(s.observedGeneration(), task.getMetadata().getGeneration());
    }
}
