package io.workdisk.api.task;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each step's factory sets its type and exactly the fields that step reads, and nothing else. */
class TaskFactoriesTest {
    private static Map<String, Object> json(Object o) {
        return Serialization.unmarshal(Serialization.asJson(o), Map.class);
    }

    @Test
    void eachStepCarriesOnlyItsOwnFields() {
        SeedSource source = SeedSource.hostPath("/images/rootfs.ext4");
        assertThat(json(WorkTaskSpec.format("n", "disks/u.ext4", 1L << 30, true, "u", 2)))
                .isEqualTo(Map.of(
                        "nodeName",
                        "n",
                        "type",
                        "Format",
                        "path",
                        "disks/u.ext4",
                        "sizeBytes",
                        1 << 30,
                        "preallocate",
                        true,
                        "requester",
                        "u",
                        "attempt",
                        2));
        assertThat(json(WorkTaskSpec.materialize("n", "disks/u.ext4", 1L << 30, false, "seeds/s.ext4", "u", 1)))
                .containsEntry("type", "Materialize")
                .containsEntry("seedPath", "seeds/s.ext4")
                .doesNotContainKeys("source", "subtree");
        assertThat(json(WorkTaskSpec.resize("n", "disks/u.ext4", 2L << 30, "u", 1)))
                .containsEntry("type", "Resize")
                .containsKey("sizeBytes")
                .doesNotContainKeys("preallocate", "seedPath", "source", "subtree");
        assertThat(json(WorkTaskSpec.buildSeed("n", "seeds/s.ext4", source, "/root", "s", 1)))
                .containsEntry("type", "BuildSeed")
                .containsEntry("subtree", "/root")
                .containsKey("source")
                .doesNotContainKeys("sizeBytes", "preallocate", "seedPath");
        assertThat(json(WorkTaskSpec.buildSeed("n", "seeds/s.ext4", source, "/", SeedOwnership.Preserve, "s", 1)))
                .containsEntry("ownership", "Preserve")
                .containsEntry("subtree", "/");
        assertThat(json(WorkTaskSpec.buildSeed("n", "seeds/s.ext4", source, "/", SeedOwnership.Root, "s", 1)))
                .as("Root is written as absent, as every task before the choice existed")
                .doesNotContainKey("ownership");
        assertThat(json(WorkTaskSpec.resolveImage("n", "seeds/s.ext4", ImageSource.of("debian:12"), "s", 1)))
                .isEqualTo(Map.of(
                        "nodeName",
                        "n",
                        "type",
                        "ResolveImage",
                        "path",
                        "seeds/s.ext4",
                        "source",
                        Map.of("image", Map.of("reference", "debian:12")),
                        "requester",
                        "s",
                        "attempt",
                        1));
        assertThat(json(WorkTaskSpec.delete("n", "disks/u.ext4", "u", 3)))
                .isEqualTo(Map.of(
                        "nodeName", "n", "type", "Delete", "path", "disks/u.ext4", "requester", "u", "attempt", 3));
    }

    @Test
    void statusesSayTheirPhaseAndOnlyAFailureHasAReason() {
        WorkTaskStatus running = WorkTaskStatus.running("2026-11-25T16:27:40Z", 4L);
        assertThat(running.phase()).isEqualTo(TaskPhase.Running);
        assertThat(running.finished()).isFalse();
        assertThat(running.observedGeneration()).isEqualTo(4L);

        TaskResult made = TaskResult.disk("/data/disks/u.ext4", 1L << 30, 1L << 30, 4096, "uuid", false);
        WorkTaskStatus succeeded = WorkTaskStatus.succeeded("a", "b", 1.5, Map.of("mkfs", 1.0), made, 4L);
        assertThat(succeeded.finished()).isTrue();
        assertThat(succeeded.reason()).isNull();
        assertThat(succeeded.result()).isEqualTo(made);

        WorkTaskStatus failed = WorkTaskStatus.failed("INSUFFICIENT_SPACE", "full", true, "a", "b", 4L);
        assertThat(failed.phase()).isEqualTo(TaskPhase.Failed);
        assertThat(failed.retryable()).isTrue();
        assertThat(failed.result()).isNull();
    }

    @Test
    void anOperationIsTheTasksStepAndStatusWithAttemptOneWhenUnsaid() {
        WorkTaskSpec spec = new WorkTaskSpec("n", TaskType.Format, "p", 1L, null, null, null, null, null, "u", null);
        WorkTaskStatus status = WorkTaskStatus.failed("IO_ERROR", "m", true, "a", "b", 1L);
        assertThat(Operation.of(spec, status))
                .isEqualTo(new Operation(TaskType.Format, TaskPhase.Failed, "a", "b", null, Map.of(), 1));
        assertThat(Operation.of(WorkTaskSpec.delete("n", "p", "u", 3), status).attempt())
                .isEqualTo(3);
    }
}
