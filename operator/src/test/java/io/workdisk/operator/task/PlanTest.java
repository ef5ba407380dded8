package io.workdisk.operator.task;

import static io.workdisk.operator.Observed.NOW;
import static io.workdisk.operator.Observed.failedJustNow;
import static io.workdisk.operator.Observed.failedLongAgo;
import static io.workdisk.operator.Observed.names;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.workdisk.api.task.TaskType;
import io.workdisk.api.task.WorkTask;
import io.workdisk.api.task.WorkTaskSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PlanTest {
    static WorkTask task(String name) {
        WorkTask t = new WorkTask();
        t.setMetadata(new ObjectMetaBuilder().withName(name).build());
        t.setSpec(
                new WorkTaskSpec("a", TaskType.Format, "disks/x.ext4", 1L << 30, null, null, null, null, null, "x", 1));
        return t;
    }

    @Test
    void eachStepReturnsANewPlanAndLeavesTheOldOneAsItWas() {
        Plan<String> reported = Plan.report("status");
        Plan<String> more = reported.creating(task("new"))
                .removingNow(task("old"))
                .removingAfterReport(task("done"))
                .lookingAgainIn(Duration.ofSeconds(30));
        assertThat(reported)
                .isEqualTo(new Plan<>(
                        "status", List.of(), List.of(), List.of(), Optional.empty(), false, Optional.empty()));
        assertThat(names(more.create())).containsExactly("new");
        assertThat(names(more.removeNow())).containsExactly("old");
        assertThat(names(more.removeAfterReport())).containsExactly("done");
        assertThat(more.lookAgainIn()).contains(Duration.ofSeconds(30));
        assertThat(more.finished()).isFalse();
        assertThat(more.finishing().finished()).isTrue();
    }

    @Test
    void itsListsCannotBeChangedFromOutside() {
        List<WorkTask> tasks = new ArrayList<>(List.of(task("a")));
        Plan<String> plan = new Plan<>("s", tasks, List.of(), List.of(), Optional.empty(), false, Optional.empty());
        tasks.add(task("b"));
        assertThat(names(plan.create())).containsExactly("a");
        assertThatThrownBy(() -> plan.create().add(task("c"))).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void askedToLookAgainTwiceItLooksAgainAtTheSooner() {
        Plan<String> plan = Plan.report("s")
                .lookingAgainIn(Duration.ofSeconds(30))
                .lookingAgainIn(Duration.ofSeconds(5))
                .lookingAgainIn(Duration.ofSeconds(60))
                .lookingAgainIn(Optional.empty());
        assertThat(plan.lookAgainIn()).contains(Duration.ofSeconds(5));
    }

    @Test
    void partsAddTheirTasksAndTheSoonerLookAgainButNotTheirStatus() {
        Plan<String> whole = Plan.report("whole")
                .lookingAgainIn(Duration.ofSeconds(30))
                .and(Plan.report("part a").creating(task("build-a")).lookingAgainIn(Duration.ofSeconds(15)))
                .and(Plan.report("part b").removingNow(task("old-b")).removingAfterReport(task("done-b")));
        assertThat(whole.status()).isEqualTo("whole");
        assertThat(names(whole.create())).containsExactly("build-a");
        assertThat(names(whole.removeNow())).containsExactly("old-b");
        assertThat(names(whole.removeAfterReport())).containsExactly("done-b");
        assertThat(whole.lookAgainIn()).contains(Duration.ofSeconds(15));
    }

    @Test
    void aRetryDueNowRemovesTheFailedTaskAndOneBackingOffKeepsIt() {
        WorkTask due = task("due");
        due.setStatus(failedLongAgo("TOOL_TIMEOUT"));
        Plan<String> now = Plan.report("s").retrying(due, Retry.of(due, NOW));
        assertThat(names(now.removeNow())).containsExactly("due");
        assertThat(now.lookAgainIn()).contains(Retry.SOON);

        WorkTask waiting = task("waiting");
        waiting.setStatus(failedJustNow("TOOL_TIMEOUT"));
        Plan<String> later = Plan.report("s").retrying(waiting, Retry.of(waiting, NOW));
        assertThat(later.removeNow()).isEmpty();
        assertThat(later.lookAgainIn()).contains(Duration.ofSeconds(4));
    }

    @Test
    void aReservationIsPartOfThePlan() {
        Plan<String> plan = Plan.report("s").reserving(new Plan.Reservation("uid-1", "a", 1L << 30));
        assertThat(plan.reserve()).contains(new Plan.Reservation("uid-1", "a", 1L << 30));
        assertThat(plan.creating(task("t"))
                        .lookingAgainIn(Duration.ofSeconds(1))
                        .reserve())
                .isEqualTo(plan.reserve());
        assertThat(Plan.report("whole").and(plan).reserve()).isEqualTo(plan.reserve());
    }
}
