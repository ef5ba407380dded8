package io.workdisk.agent.task;

import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.workdisk.agent.engine.EngineException;
import io.workdisk.api.task.TaskPhase;
import io.workdisk.api.task.WorkTask;
import io.workdisk.api.task.WorkTaskStatus;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out this node's tasks. The agent is registered with a label selector for its own node, so it
 * never sees another node's tasks; a task whose status already records a finished run of its current
 * spec is left alone, so a replay (restart, resync) does nothing.
 */
@ControllerConfiguration(name = "worktask-agent")
public final class TaskReconciler implements Reconciler<WorkTask> {
    private static final Logger log = LoggerFactory.getLogger(TaskReconciler.class);

    private final String nodeName;
    private final TaskExecutor executor;
    private final Clock clock;
    private final TaskMetrics metrics;

    public TaskReconciler(String nodeName, TaskExecutor executor, Clock clock, TaskMetrics metrics) {
        this.nodeName = nodeName;
        this.executor = executor;
        this.clock = clock;
        this.metrics = metrics;
    }

    @Override
    public UpdateControl<WorkTask> reconcile(WorkTask task, Context<WorkTask> context) {
        if (alreadyDone(task) || !nodeName.equals(task.getSpec().nodeName())) {
            return UpdateControl.noUpdate();
        }
        String started = Instant.now(clock).toString();
        WorkTask running = writeStatus(task, context, new WorkTaskStatus(TaskPhase.Running, null, null, null, started,
                null, null, null, null, task.getMetadata().getGeneration()));
        WorkTaskStatus finished;
        try {
            TaskExecutor.Outcome outcome = executor.run(task.getSpec());
            finished = new WorkTaskStatus(TaskPhase.Succeeded, null, null, null, started, Instant.now(clock).toString(),
                    outcome.seconds(), outcome.phaseSeconds(), outcome.result(), task.getMetadata().getGeneration());
            metrics.succeeded(task.getSpec().type(), outcome.seconds(),
                    outcome.result() == null ? null : outcome.result().allocatedBytes());
            log.info("task {}/{} {} {} succeeded in {}s", task.getMetadata().getNamespace(), task.getMetadata().getName(),
                    task.getSpec().type(), task.getSpec().path(), outcome.seconds());
        } catch (EngineException e) {
            finished = new WorkTaskStatus(TaskPhase.Failed, e.problem().name(), e.getMessage(), e.problem().retryable(),
                    started, Instant.now(clock).toString(), null, Map.of(), null, task.getMetadata().getGeneration());
            metrics.failed(task.getSpec().type(), e.problem().name());
            log.warn("task {}/{} {} failed: {}", task.getMetadata().getNamespace(), task.getMetadata().getName(),
                    task.getSpec().type(), e.getMessage());
        }
        writeStatus(running, context, finished);
        return UpdateControl.noUpdate();
    }

    private static boolean alreadyDone(WorkTask task) {
        WorkTaskStatus s = task.getStatus();
        return s != null && s.finished() && Objects.equals(s.observedGeneration(), task.getMetadata().getGeneration());
    }

    /** The whole status, with optimistic locking, cached for the next event. */
    private static WorkTask writeStatus(WorkTask task, Context<WorkTask> context, WorkTaskStatus status) {
        return PrimaryUpdateAndCacheUtils.updateStatusAndCacheResource(task, context, t -> {
            t.setStatus(status);
            return t;
        });
    }
}
