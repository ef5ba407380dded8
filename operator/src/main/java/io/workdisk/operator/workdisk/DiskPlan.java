package io.workdisk.operator.workdisk;

import io.workdisk.api.task.WorkTask;
import io.workdisk.api.workdisk.WorkDiskStatus;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What to do about a WorkDisk: tasks to create, finished tasks to remove (only once the status that
 * records them is written), the status to report, and when to look again.
 */
public record DiskPlan(
        WorkDiskStatus status,
        List<WorkTask> create,
        List<WorkTask> removeNow,
        List<WorkTask> removeAfterReport,
        Optional<Duration> lookAgainIn,
        boolean finished) {
}
