package io.workdisk.agent.task;

import io.javaoperatorsdk.operator.api.reconciler.ResourceCache;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.workdisk.api.task.WorkTask;
import io.workdisk.api.task.WorkTaskStatus;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Task statuses the workers ask {@link TaskReconciler} to write: the reconciler is the one place the agent
 * writes a task's status.
 *
 * <p>Why through the reconciler: a worker's step ends outside any reconcile, while the SDK's idioms for
 * writing a primary's status work inside one: {@code PrimaryUpdateAndCacheUtils} (PUT with the seen
 * resourceVersion; on a conflict, wait for the newer object in the cache and write again; then cache what
 * was written, so the next reconcile sees the outcome and does nothing) and the controller's retry with
 * backoff for any other failure (a failing API server). So a worker leaves the status here, wakes the
 * task's reconcile through an inbound event source, and waits until the reconcile reports it written or
 * the task gone, or until its patience runs out. Its worker slot is held meanwhile, so the node's
 * concurrency bound still counts a step until its outcome is recorded.
 */
final class StatusRequests {
    private static final Logger log = LoggerFactory.getLogger(StatusRequests.class);
    /** How often a waiting worker looks whether its task was deleted: a deleted task is never reconciled. */
    private static final long LOOK_FOR_DELETION_MILLIS = 1000;

    /** One status to write on the task of {@code uid}; completed with the task as written, or empty when it is gone. */
    record Request(String uid, WorkTaskStatus status, CompletableFuture<Optional<WorkTask>> written) {}

    private final Map<ResourceID, Request> pending = new ConcurrentHashMap<>();
    private final SimpleInboundEventSource<WorkTask> wake = new SimpleInboundEventSource<>("worktask-status-requests");
    private final Duration patience;
    private volatile ResourceCache<WorkTask> tasks;

    /** {@code patience}: how long a finished step's outcome is offered to a failing API server. */
    StatusRequests(Duration patience) {
        this.patience = patience;
    }

    /** The event source that wakes a task's reconcile, registered by the reconciler with its cache of tasks. */
    EventSource<Void, WorkTask> eventSource(ResourceCache<WorkTask> taskCache) {
        this.tasks = taskCache;
        return wake;
    }

    /** Worker side: the task as written, or empty when it is gone or the API did not take the write in time. */
    Optional<WorkTask> write(WorkTask task, WorkTaskStatus status) throws InterruptedException {
        ResourceID id = ResourceID.fromResource(task);
        Request request = new Request(task.getMetadata().getUid(), status, new CompletableFuture<>());
        pending.put(id, request);
        try {
            wake.propagateEvent(id);
            long deadline = System.nanoTime() + patience.toNanos();
            while (stillThere(id, request.uid())) {
                try {
                    return request.written().get(LOOK_FOR_DELETION_MILLIS, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    if (System.nanoTime() > deadline) {
                        log.warn(
                                "gave up writing the status of task {}/{} after {}s",
                                id.getNamespace().orElse(""),
                                id.getName(),
                                patience.toSeconds());
                        return Optional.empty();
                    }
                }
            }
            return Optional.empty();
        } catch (ExecutionException e) {
            throw new IllegalStateException("a status request is only ever completed normally", e);
        } finally {
            pending.remove(id, request);
        }
    }

    /**
     * Worker side, without waiting: a Running status with progress, written when the reconciler gets to it.
     * A newer one, or the step's outcome, replaces it if it is still waiting; it is never written after the
     * outcome, which the worker leaves only once it stopped offering progress.
     */
    void offer(WorkTask task, WorkTaskStatus status) {
        ResourceID id = ResourceID.fromResource(task);
        Request request = new Request(task.getMetadata().getUid(), status, new CompletableFuture<>());
        pending.put(id, request);
        request.written().whenComplete((written, e) -> pending.remove(id, request));
        wake.propagateEvent(id);
    }

    /** Whether this very task (same UID) is still in the informer's cache: not deleted since it was queued. */
    boolean stillThere(WorkTask task) {
        return stillThere(ResourceID.fromResource(task), task.getMetadata().getUid());
    }

    private boolean stillThere(ResourceID id, String uid) {
        return tasks.get(id).map(t -> uid.equals(t.getMetadata().getUid())).orElse(false);
    }

    /** Reconciler side: the status waiting to be written on this very task (same UID), if any. */
    Optional<Request> pendingFor(WorkTask task) {
        Request r = pending.get(ResourceID.fromResource(task));
        return r != null && r.uid().equals(task.getMetadata().getUid()) ? Optional.of(r) : Optional.empty();
    }
}
