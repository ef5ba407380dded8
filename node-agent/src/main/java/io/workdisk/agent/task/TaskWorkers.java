package io.workdisk.agent.task;

import io.workdisk.api.task.WorkTask;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fixed number of workers carrying out this node's tasks: the bound on how many disks the node
 * formats, materializes, grows or builds at once. They take tasks fairly between namespaces.
 *
 * <p>Why not the SDK's own executor: JOSDK runs reconciles on a pool that takes resources in the order
 * their events came (FIFO), so a namespace that asks for a thousand disks would make every other
 * namespace wait behind all of them; the engine steps take seconds to minutes, far longer than a
 * reconcile should hold one of the SDK's threads. So the reconciler only queues a task here
 * ({@link FairQueue}, turns between namespaces), and what the SDK does well stays with the SDK: the
 * statuses the workers produce are written by the reconciler with the SDK's status utility and retry
 * ({@link StatusRequests}), and a task whose outcome could not be recorded comes back through the SDK's
 * periodic reconcile. The queue's memory of keys taken or finished lately is what keeps a task queued
 * once while the SDK, which sees a reconcile return at once, delivers its later events.
 */
public final class TaskWorkers implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TaskWorkers.class);

    /** How long a finished step's outcome is offered to a failing API server before a later event must redo it. */
    private static final Duration STATUS_PATIENCE = Duration.ofMinutes(2);

    /** The least time between two progress writes of one task: a modest load on the API server per build. */
    public static final Duration PROGRESS_EVERY = Duration.ofSeconds(2);

    private final FairQueue<WorkTask> queue = new FairQueue<>();
    private final List<Thread> threads = new ArrayList<>();
    private final StatusRequests statusRequests;
    private Runnable onClose = () -> {};

    /**
     * {@code count} workers running this node's tasks through the engine and recording each outcome,
     * through the {@link TaskReconciler} that must be registered with them; a step still running after
     * {@code reportRunningAfter} is reported Running (zero: every step, before it starts).
     */
    public static TaskWorkers start(
            int count, TaskExecutor executor, Clock clock, TaskMetrics metrics, Duration reportRunningAfter) {
        StatusRequests statuses = new StatusRequests(STATUS_PATIENCE);
        TaskRun run = new TaskRun(executor, statuses, clock, metrics, PROGRESS_EVERY, reportRunningAfter, count);
        TaskWorkers workers = new TaskWorkers(count, "workdisk-task", run, statuses);
        workers.onClose = run::close;
        return workers;
    }

    /** What a worker does with a task it takes. */
    @FunctionalInterface
    interface Work {
        /** Carries out one task; true when its outcome is recorded, false when not, so a later event may retry it. */
        boolean carryOut(WorkTask task);
    }

    /** {@code work} carries out one task at a time on each of {@code count} threads. */
    TaskWorkers(int count, String name, Work work, StatusRequests statusRequests) {
        this.statusRequests = statusRequests;
        if (count < 1) {
            throw new IllegalArgumentException("at least one worker is needed, not " + count);
        }
        for (int i = 0; i < count; i++) {
            Thread t = new Thread(() -> takeAndCarryOut(work), name + "-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    /** Queues a task unless it is already waiting, running, or finished lately. */
    public boolean submit(WorkTask task) {
        return queue.offer(task.getMetadata().getNamespace(), key(task), task);
    }

    private static String key(WorkTask task) {
        return task.getMetadata().getUid() + "@" + task.getMetadata().getGeneration();
    }

    private void takeAndCarryOut(Work work) {
        try {
            for (FairQueue.Taken<WorkTask> next; (next = queue.take()) != null; ) {
                boolean finished = false;
                try {
                    finished = work.carryOut(next.item());
                } catch (RuntimeException e) {
                    log.error("task {} failed unexpectedly", next.key(), e);
                } finally {
                    queue.done(next.key(), finished);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Where the workers leave the statuses the reconciler writes. */
    StatusRequests statusRequests() {
        return statusRequests;
    }

    /** Tasks waiting for a worker. */
    public int waiting() {
        return queue.size();
    }

    /** Tasks being carried out right now. */
    public int active() {
        return queue.active();
    }

    @Override
    public void close() {
        queue.close();
        threads.forEach(Thread::interrupt);
        onClose.run();
    }
}
