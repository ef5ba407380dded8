package io.workdisk.operator.workdisk;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.workdisk.api.task.TaskPhase;
import io.workdisk.api.task.TaskResult;
import io.workdisk.api.task.TaskType;
import io.workdisk.api.task.WorkTask;
import io.workdisk.api.task.WorkTaskSpec;
import io.workdisk.api.task.WorkTaskStatus;
import io.workdisk.api.workdisk.DiskPhase;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.api.workdisk.WorkDiskSpec;
import io.workdisk.api.workdisk.WorkDiskStatus;
import io.workdisk.operator.task.Plan;
import io.workdisk.operator.task.Tasks;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The decisions alone, with no API: what a disk's status is and which task moves it on. */
class DiskPlannerTest {
    static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
    final DiskPlanner planner = new DiskPlanner(new Placement(1.0), Duration.ofSeconds(60));

    static WorkDisk disk(String size, WorkDiskStatus status) {
        WorkDisk d = new WorkDisk();
        d.setMetadata(new ObjectMetaBuilder()
                .withName("d")
                .withNamespace("ns")
                .withUid("uid-1")
                .withGeneration(1L)
                .build());
        d.setSpec(new WorkDiskSpec(size, null, null, null, null, null, null));
        d.setStatus(status);
        return d;
    }

    static WorkTask task(WorkDisk d, String name, TaskType type, long size, WorkTaskStatus status) {
        WorkTask t = Tasks.build(
                d,
                "ns",
                name,
                new WorkTaskSpec("a", type, "disks/uid-1.ext4", size, false, null, null, null, null, "uid-1", 1));
        t.setStatus(status);
        return t;
    }

    static WorkTaskStatus finished(TaskPhase phase, String reason, Boolean retryable, TaskResult result) {
        return new WorkTaskStatus(
                phase,
                reason,
                reason == null ? null : "it broke",
                retryable,
                NOW.minusSeconds(2).toString(),
                NOW.minusSeconds(1).toString(),
                0.1,
                Map.of(),
                result,
                null,
                1L);
    }

    Plan<WorkDiskStatus> plan(WorkDisk d, List<WorkTask> tasks) {
        return planner.plan(new DiskState(
                d,
                tasks,
                List.of(PlacementTest.node("a", 100L << 30, true, Map.of())),
                Optional.empty(),
                List::of,
                NOW));
    }

    @Test
    void aNewDiskIsPlacedAndGetsOneFormatTask() {
        Plan<WorkDiskStatus> p = plan(disk("1Gi", null), List.of());
        assertThat(p.status().phase()).isEqualTo(DiskPhase.Creating);
        assertThat(p.status().nodeName()).isEqualTo("a");
        assertThat(p.create()).singleElement().satisfies(t -> {
            assertThat(t.getSpec().type()).isEqualTo(TaskType.Format);
            assertThat(t.getMetadata().getName()).isEqualTo("wd-uid-1-create");
            assertThat(t.getSpec().requester()).isEqualTo("uid-1");
        });
    }

    @Test
    void aSucceededCreateIsRecordedAndItsTaskKeptAsTheRecordOfTheWork() {
        WorkDisk d = disk("1Gi", null);
        WorkTask done = task(
                d,
                "wd-uid-1-create",
                TaskType.Format,
                1L << 30,
                finished(
                        TaskPhase.Succeeded,
                        null,
                        null,
                        new TaskResult(
                                "/data/disks/uid-1.ext4",
                                1L << 30,
                                1L << 30,
                                4096L,
                                "fs-uuid",
                                null,
                                null,
                                null,
                                false,
                                null)));
        Plan<WorkDiskStatus> p = plan(d, List.of(done));
        assertThat(p.status().phase()).isEqualTo(DiskPhase.Ready);
        assertThat(p.status().filesystemUUID()).isEqualTo("fs-uuid");
        assertThat(p.removeNow()).isEmpty();
        assertThat(p.removeAfterReport()).isEmpty();
        assertThat(p.create()).isEmpty();
    }

    @Test
    void aDiskWithAUuidNeverGetsACreateTaskAgain() {
        WorkDisk d = disk(
                "1Gi",
                new WorkDiskStatus(
                        DiskPhase.Ready, "a", "/data/disks/uid-1.ext4", 1L << 30, "fs-uuid", List.of(), 1L, null));
        assertThat(plan(d, List.of()).create()).isEmpty();
        WorkDisk lostUpdate = disk(
                "1Gi",
                new WorkDiskStatus(
                        DiskPhase.Creating, "a", "/data/disks/uid-1.ext4", 1L << 30, "fs-uuid", List.of(), 1L, null));
        assertThat(plan(lostUpdate, List.of()).create()).isEmpty();
        assertThat(plan(lostUpdate, List.of()).status().phase()).isEqualTo(DiskPhase.Ready);
    }

    @Test
    void aPermanentFailureIsKeptAsTheRecordAndNotRetried() {
        WorkDisk d = disk("1Gi", null);
        WorkTask failed = task(
                d, "wd-uid-1-create", TaskType.Format, 1L << 30, finished(TaskPhase.Failed, "NOT_OWNED", false, null));
        Plan<WorkDiskStatus> p = plan(d, List.of(failed));
        assertThat(p.status().phase()).isEqualTo(DiskPhase.Failed);
        assertThat(p.status().conditions()).anyMatch(c -> c.getReason().equals("NotOwned"));
        assertThat(p.removeNow()).isEmpty();
        assertThat(p.create()).isEmpty();
        assertThat(p.lookAgainIn()).isEmpty();
    }

    @Test
    void aTransientFailureIsRetriedAfterABackoff() {
        WorkDisk d = disk("1Gi", null);
        WorkTask failed = task(
                d,
                "wd-uid-1-create",
                TaskType.Format,
                1L << 30,
                finished(TaskPhase.Failed, "TOOL_TIMEOUT", true, null));
        Plan<WorkDiskStatus> p = plan(d, List.of(failed));
        assertThat(p.removeNow()).isEmpty();
        assertThat(p.lookAgainIn())
                .hasValueSatisfying(w -> assertThat(w).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(5)));
        failed.setStatus(new WorkTaskStatus(
                TaskPhase.Failed,
                "TOOL_TIMEOUT",
                "slow",
                true,
                null,
                NOW.minusSeconds(30).toString(),
                null,
                Map.of(),
                null,
                null,
                1L));
        assertThat(plan(d, List.of(failed)).removeNow()).containsExactly(failed);
    }

    @Test
    void growingAskForOneResizeAndShrinkingIsRefused() {
        WorkDiskStatus ready = new WorkDiskStatus(DiskPhase.Ready, "a", "/p", 1L << 30, "fs-uuid", List.of(), 1L, null);
        Plan<WorkDiskStatus> grow = plan(disk("2Gi", ready), List.of());
        assertThat(grow.create())
                .singleElement()
                .satisfies(t -> assertThat(t.getSpec().type()).isEqualTo(TaskType.Resize));
        assertThat(grow.status().phase()).isEqualTo(DiskPhase.Resizing);
        Plan<WorkDiskStatus> shrink = plan(disk("512Mi", ready), List.of());
        assertThat(shrink.create()).isEmpty();
        assertThat(shrink.status().conditions())
                .anyMatch(c ->
                        c.getReason().equals("ShrinkRefused") && c.getStatus().equals("True"));
    }
}
