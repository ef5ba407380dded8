package io.workdisk.agent.task;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.workdisk.api.task.WorkTask;
import io.workdisk.api.task.WorkTaskStatus;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a task's whole status with optimistic locking, and keeps trying through a conflict or a
 * failing API server: a finished step that nobody hears of would be run again. It gives up only when
 * the task is gone (deleted, or replaced by one with another UID) or after {@code patience}.
 */
final class TaskStatusWriter {
    private static final Logger log = LoggerFactory.getLogger(TaskStatusWriter.class);

    private final KubernetesClient client;
    private final Duration patience;

    TaskStatusWriter(KubernetesClient client, Duration patience) {
        this.client = client;
        this.patience = patience;
    }

    /** The task as written, or empty when it is gone or the API did not take the write in time. */
    Optional<WorkTask> write(WorkTask task, WorkTaskStatus status) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        long backoffMillis = 200;
        WorkTask current = task;
        while (true) {
            try {
                current.setStatus(status);
                return Optional.of(client.resource(current).updateStatus());
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404) {
                    return Optional.empty();
                }
                if (System.nanoTime() > deadline) {
                    log.warn("gave up writing the status of task {}/{}: {}", task.getMetadata().getNamespace(),
                            task.getMetadata().getName(), e.getMessage());
                    return Optional.empty();
                }
                if (e.getCode() != 409) {
                    Thread.sleep(backoffMillis);
                    backoffMillis = Math.min(backoffMillis * 2, 5_000);
                }
                Optional<WorkTask> latest = reread(task);
                if (latest.isEmpty()) {
                    return Optional.empty();
                }
                current = latest.get();
            }
        }
    }

    /** The task as the API has it now, if it is still the same task; keeps trying while the API fails. */
    private Optional<WorkTask> reread(WorkTask task) throws InterruptedException {
        try {
            WorkTask latest = client.resources(WorkTask.class).inNamespace(task.getMetadata().getNamespace())
                    .withName(task.getMetadata().getName()).get();
            if (latest == null || !latest.getMetadata().getUid().equals(task.getMetadata().getUid())) {
                return Optional.empty();
            }
            return Optional.of(latest);
        } catch (KubernetesClientException e) {
            Thread.sleep(500);
            return Optional.of(task); // try the write again with what we had; a conflict brings us back here
        }
    }
}
