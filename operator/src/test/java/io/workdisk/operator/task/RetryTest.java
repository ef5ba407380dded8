package io.workdisk.operator.task;

import static io.workdisk.operator.Observed.NOW;
import static io.workdisk.operator.Observed.failedForGood;
import static io.workdisk.operator.Observed.failedJustNow;
import static io.workdisk.operator.Observed.failedLongAgo;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.workdisk.api.task.TaskPhase;
import io.workdisk.api.task.TaskType;
import io.workdisk.api.task.WorkTask;
import io.workdisk.api.task.WorkTaskSpec;
import io.workdisk.api.task.WorkTaskStatus;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetryTest {
    static WorkTask task(int attempt, WorkTaskStatus status) {
        WorkTask t = new WorkTask();
        t.setMetadata(new ObjectMetaBuilder().withName("t").build());
        t.setSpec(new WorkTaskSpec(
                "a", TaskType.Format, "disks/x.ext4", 1L << 30, null, null, null, null, null, "x", attempt));
        t.setStatus(status);
        return t;
    }

    @Test
    void aFailureRetryingCannotHelpIsNeverRetried() {
        Retry retry = Retry.of(task(1, failedForGood("NOT_OWNED")), NOW);
        assertThat(retry).isEqualTo(new Retry.Never());
        assertThat(retry.lookAgainIn()).isEmpty();
        assertThat(retry.says()).isEmpty();
    }

    @Test
    void aTransientFailureWaitsOutItsBackoffFromWhenItFinished() {
        Retry retry = Retry.of(task(1, failedJustNow("TOOL_TIMEOUT")), NOW);
        assertThat(retry).isEqualTo(new Retry.After(Duration.ofSeconds(4)));
        assertThat(retry.lookAgainIn()).contains(Duration.ofSeconds(4));
        assertThat(retry.says()).isEqualTo("; retrying in 4s");
    }

    @Test
    void aTransientFailureWhoseBackoffIsOverIsRetriedNowAndLookedAtAgainSoon() {
        Retry retry = Retry.of(task(1, failedLongAgo("TOOL_TIMEOUT")), NOW);
        assertThat(retry).isEqualTo(new Retry.Now());
        assertThat(retry.lookAgainIn()).isEqualTo(Optional.of(Retry.SOON));
        assertThat(retry.says()).isEqualTo("; retrying now");
    }

    @Test
    void laterAttemptsWaitLongerThatIs5sDoublingTo5Minutes() {
        assertThat(Retry.backoff(1)).hasSeconds(5);
        assertThat(Retry.backoff(2)).hasSeconds(10);
        assertThat(Retry.backoff(3)).hasSeconds(20);
        assertThat(Retry.backoff(7)).hasSeconds(300);
        assertThat(Retry.backoff(50)).hasSeconds(300);
        assertThat(Retry.of(task(3, failedLongAgo("TOOL_TIMEOUT")), NOW))
                .as("20 s after it finished 30 s ago")
                .isEqualTo(new Retry.Now());
        assertThat(Retry.of(task(4, failedLongAgo("TOOL_TIMEOUT")), NOW))
                .as("40 s after it finished 30 s ago")
                .isEqualTo(new Retry.After(Duration.ofSeconds(10)));
    }

    @Test
    void aFailureWithoutAFinishTimeCountsFromNow() {
        WorkTaskStatus unstamped = new WorkTaskStatus(
                TaskPhase.Failed, "TOOL_TIMEOUT", "slow", true, null, null, null, Map.of(), null, null, 1L);
        assertThat(Retry.of(task(1, unstamped), NOW)).isEqualTo(new Retry.After(Duration.ofSeconds(5)));
    }
}
