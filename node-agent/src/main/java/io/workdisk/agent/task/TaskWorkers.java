package io.workdisk.agent.task;

import io.fabric8.kubernetes.client.KubernetesClient;
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
 */
public final class TaskWorkers implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TaskWorkers.class);

    /** How long a finished step's outcome is offered to a failing API server before a later event must redo it. */
    private static final Duration STATUS_PATIENCE = Duration.ofMinutes(2);

    private final FairQueue<WorkTask> queue = new FairQueue<>();
    private final List<Thread> threads = new ArrayList<>();

    /** {@code count} workers running this node's tasks through the engine and recording each outcome. */
    public static TaskWorkers start(int count, KubernetesClient client, TaskExecutor executor, Clock clock,
            TaskMetrics metrics) {
        return new TaskWorkers(count, "workdisk-task",
                new TaskRun(executor, new TaskStatusWriter(client, STATUS_PATIENCE), clock, metrics));
    }

    /** What a worker does with a task it takes. */
    @FunctionalInterface
    interface Work {
        /** Carries out one task; true when its outcome is recorded, false when not, so a later event may retry it. */
        boolean carryOut(WorkTask task);
    }

    /** {@code work} carries out one task at a time on each of {@code count} threads. */
    TaskWorkers(int count, String name, Work work) {
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
    }
}
