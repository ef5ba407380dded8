package io.workdisk.operator;

import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.workdisk.api.node.WorkNodeStatus;
import io.workdisk.api.task.TaskPhase;
import io.workdisk.api.task.TaskResult;
import io.workdisk.api.task.WorkTask;
import io.workdisk.api.task.WorkTaskStatus;
import io.workdisk.operator.node.NodeView;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a planner is given, built by hand for its unit tests: nodes and the statuses agents write on tasks.
 * Failed tasks are on their first attempt, whose backoff is 5 s: one that failed a second ago is retried in
 * 4 s, one that failed half a minute ago is due now.
 */
public final class Observed {
    public static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
    public static final long GIB = 1L << 30;
    /** The wait left for a task that {@link #failedJustNow} on its first attempt. */
    public static final Duration BACKING_OFF = Duration.ofSeconds(4);

    private Observed() {}

    public static NodeView alive(String name, long capacity, Map<String, String> labels) {
        WorkNodeStatus s = new WorkNodeStatus(
                "/data",
                capacity,
                capacity,
                0L,
                0,
                List.of(),
                "test",
                NOW.toString(),
                List.of(new ConditionBuilder()
                        .withType("Ready")
                        .withStatus("True")
                        .build()));
        return new NodeView(name, labels, s, true, null);
    }

    public static NodeView down(String name) {
        return down(name, Map.of());
    }

    public static NodeView down(String name, Map<String, String> labels) {
        return new NodeView(name, labels, null, false, "the agent on " + name + " has not reported yet");
    }

    public static WorkTaskStatus running() {
        return new WorkTaskStatus(
                TaskPhase.Running,
                null,
                null,
                null,
                NOW.minusSeconds(1).toString(),
                null,
                null,
                Map.of(),
                null,
                null,
                1L);
    }

    public static WorkTaskStatus succeeded(TaskResult result) {
        return new WorkTaskStatus(
                TaskPhase.Succeeded,
                null,
                null,
                null,
                NOW.minusSeconds(3).toString(),
                NOW.minusSeconds(1).toString(),
                2.0,
                Map.of(),
                result,
                null,
                1L);
    }

    /** A transient failure a second ago: retried once its backoff is over, in {@link #BACKING_OFF}. */
    public static WorkTaskStatus failedJustNow(String reason) {
        return failed(reason, true, 1);
    }

    /** A transient failure whose backoff is over: retried now. */
    public static WorkTaskStatus failedLongAgo(String reason) {
        return failed(reason, true, 30);
    }

    /** A failure retrying cannot help. */
    public static WorkTaskStatus failedForGood(String reason) {
        return failed(reason, false, 1);
    }

    private static WorkTaskStatus failed(String reason, boolean retryable, int secondsAgo) {
        return new WorkTaskStatus(
                TaskPhase.Failed,
                reason,
                "it broke",
                retryable,
                NOW.minusSeconds(secondsAgo + 1).toString(),
                NOW.minusSeconds(secondsAgo).toString(),
                1.0,
                Map.of(),
                null,
                null,
                1L);
    }

    public static WorkTask withStatus(WorkTask task, WorkTaskStatus status) {
        task.setStatus(status);
        return task;
    }

    public static List<String> names(List<WorkTask> tasks) {
        return tasks.stream().map(t -> t.getMetadata().getName()).toList();
    }
}
