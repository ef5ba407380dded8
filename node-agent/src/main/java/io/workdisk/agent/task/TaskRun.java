package io.workdisk.agent.task;

import io.workdisk.agent.engine.EngineException;
import io.workdisk.api.Timestamps;
import io.workdisk.api.task.WorkTask;
import io.workdisk.api.task.WorkTaskStatus;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One task carried out: marked Running (which also proves it still exists), the engine step run, and
 * the outcome written as its status, the record that makes a replay do nothing. Both statuses are
 * written by the reconciler ({@link StatusRequests}); this waits for each.
 */
final class TaskRun implements TaskWorkers.Work {
    private static final Logger log = LoggerFactory.getLogger(TaskRun.class);

    private final TaskExecutor executor;
    private final StatusRequests status;
    private final Clock clock;
    private final TaskMetrics metrics;
    private final Duration progressEvery;

    /** {@code progressEvery}: the least time between two progress writes of one task. */
    TaskRun(TaskExecutor executor, StatusRequests status, Clock clock, TaskMetrics metrics, Duration progressEvery) {
        this.executor = executor;
        this.status = status;
        this.clock = clock;
        this.metrics = metrics;
        this.progressEvery = progressEvery;
    }

    @Override
    public boolean carryOut(WorkTask task) {
        try {
            return run(task);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private boolean run(WorkTask task) throws InterruptedException {
        String started = Timestamps.now(clock);
        Long generation = task.getMetadata().getGeneration();
        Optional<WorkTask> running = status.write(task, WorkTaskStatus.running(started, generation));
        if (running.isEmpty()) {
            return false; // gone (no event will bring it back) or the API is down (the next resync will)
        }
        WorkTaskStatus finished;
        String name =
                task.getMetadata().getNamespace() + "/" + task.getMetadata().getName();
        WorkTaskStatus runningStatus = running.get().getStatus();
        ProgressReports progress = new ProgressReports(
                clock, progressEvery, p -> status.offer(running.get(), runningStatus.withProgress(p)));
        try {
            TaskExecutor.Outcome outcome;
            try (progress) {
                outcome = executor.run(task.getSpec(), progress);
            }
            finished = WorkTaskStatus.succeeded(
                    started,
                    Timestamps.now(clock),
                    outcome.seconds(),
                    outcome.phaseSeconds(),
                    outcome.result(),
                    generation);
            metrics.succeeded(
                    task.getSpec().type(),
                    outcome.seconds(),
                    outcome.result() == null ? null : outcome.result().allocatedBytes());
            log.info(
                    "task {} {} {} succeeded in {}s",
                    name,
                    task.getSpec().type(),
                    task.getSpec().path(),
                    outcome.seconds());
        } catch (EngineException e) {
            finished = failed(
                    task,
                    started,
                    e.problem().name(),
                    e.getMessage(),
                    e.problem().retryable());
            log.warn("task {} {} failed: {}", name, task.getSpec().type(), e.getMessage());
        } catch (RuntimeException e) {
            // a bug, not a verdict on the request: recorded as such so the operator retries with backoff
            finished = failed(task, started, "INTERNAL_ERROR", "unexpected error in the agent: " + e, true);
            log.error("task {} {} failed unexpectedly", name, task.getSpec().type(), e);
        }
        return status.write(running.get(), finished).isPresent();
    }

    private WorkTaskStatus failed(WorkTask task, String started, String reason, String message, boolean retryable) {
        metrics.failed(task.getSpec().type(), reason);
        return WorkTaskStatus.failed(
                reason,
                message,
                retryable,
                started,
                Timestamps.now(clock),
                task.getMetadata().getGeneration());
    }
}
