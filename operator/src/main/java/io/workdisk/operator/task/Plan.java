package io.workdisk.operator.task;

import io.workdisk.api.task.WorkTask;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A planner's decision for one WorkDisk or WorkSeed: the status to report, tasks to write, finished tasks
 * to remove now and those to remove only once the status that records them is written, when to look again,
 * and (when deleting) whether the object may go.
 */
public record Plan<S>(
        S status,
        List<WorkTask> create,
        List<WorkTask> removeNow,
        List<WorkTask> removeAfterReport,
        Optional<Duration> lookAgainIn,
        boolean finished) {
}
