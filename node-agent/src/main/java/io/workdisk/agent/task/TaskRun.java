package io.workdisk.agent.task;

import static java.util.concurrent.TimeUnit.MILLISECONDS;

import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.ErrorText;
import io.workdisk.api.Timestamps;
import io.workdisk.api.task.WorkTask;
import io.workdisk.api.task.WorkTaskStatus;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One task carried out: the engine step run, and the outcome written as its status, the record that makes a
 * replay do nothing. {@code Running} is written only for a step still running after {@code reportRunningAfter}
 * (with zero: before the step starts, as every step once did): most steps take a fraction of a second, and a
 * status write per step that nobody sees before the next one replaces it is a tenth of the API writes a disk
 * costs. Skipping it changes nothing about crash safety: a step killed before its outcome is written, whether
 * or not Running was, is replayed and, the engine being idempotent, reports what it already made. That the
 * task still exists is read from the informer's cache before the step starts. Every status is written by the
 * reconciler ({@link StatusRequests}); this waits for each.
 */
final class TaskRun implements TaskWorkers.Work {
    private static final Logger log = LoggerFactory.getLogger(TaskRun.class);

    private final TaskExecutor executor;
    private final StatusRequests status;
    private final Clock clock;
    private final TaskMetrics metrics;
    private final Duration progressEvery;
    private final Duration reportRunningAfter;
    /** Where a long step's Running status is written from while its worker runs the step: one thread per worker. */
    private final ScheduledExecutorService runningReports;

    /** {@code progressEvery}: the least time between two progress writes of one task. */
    TaskRun(
            TaskExecutor executor,
            StatusRequests status,
            Clock clock,
            TaskMetrics metrics,
            Duration progressEvery,
            Duration reportRunningAfter,
            int workers) {
        this.executor = executor;
        this.status = status;
        this.clock = clock;
        this.metrics = metrics;
        this.progressEvery = progressEvery;
        this.reportRunningAfter = reportRunningAfter;
        ScheduledThreadPoolExecutor reports = new ScheduledThreadPoolExecutor(workers, r -> {
            Thread t = new Thread(r, "workdisk-running-report");
            t.setDaemon(true);
            return t;
        });
        reports.setRemoveOnCancelPolicy(true);
        this.runningReports = reports;
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
        WorkTaskStatus running = WorkTaskStatus.running(started, generation);
        Future<Optional<WorkTask>> runningReport;
        if (reportRunningAfter.isZero()) {
            if (status.write(task, running).isEmpty()) {
                return false; // gone (no event will bring it back) or the API is down (the next resync will)
            }
            runningReport = CompletableFuture.completedFuture(Optional.empty());
        } else {
            if (!status.stillThere(task)) {
                return false; // deleted since it was queued: no event will bring it back
            }
            runningReport = runningReports.schedule(
                    () -> status.write(task, running), reportRunningAfter.toMillis(), MILLISECONDS);
        }
        WorkTaskStatus finished;
        String name =
                task.getMetadata().getNamespace() + "/" + task.getMetadata().getName();
        // a long step's progress is a Running status of its own, offered without waiting
        ProgressReports progress =
                new ProgressReports(clock, progressEvery, p -> status.offer(task, running.withProgress(p)));
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
            finished =
                    failed(task, started, "INTERNAL_ERROR", "unexpected error in the agent: " + ErrorText.of(e), true);
            log.error("task {} {} failed unexpectedly", name, task.getSpec().type(), e);
        }
        awaitRunningReport(runningReport);
        return status.write(task, finished).isPresent();
    }

    /** The outcome is written after Running, never before: a Running report not begun yet is cancelled, one begun waited for. */
    private static void awaitRunningReport(Future<Optional<WorkTask>> report) throws InterruptedException {
        if (report.cancel(false)) {
            return;
        }
        try {
            report.get();
        } catch (CancellationException | ExecutionException e) {
            log.warn("could not report a long step as Running: {}", e.toString());
        }
    }

    /** No more Running reports: the workers are stopping. */
    void close() {
        runningReports.shutdownNow();
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
