package io.workdisk.operator.workseed;

import io.workdisk.api.task.WorkTask;
import io.workdisk.api.workseed.WorkSeedStatus;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** What to do about a WorkSeed: tasks to write and remove, the status to report, when to look again. */
public record SeedPlan(
        WorkSeedStatus status,
        List<WorkTask> create,
        List<WorkTask> removeNow,
        List<WorkTask> removeAfterReport,
        Optional<Duration> lookAgainIn,
        boolean finished) {
}
