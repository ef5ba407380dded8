package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.workdisk.api.ApiGroup;
import io.workdisk.api.task.TaskPhase;
import io.workdisk.api.task.WorkTask;
import io.workdisk.api.workdisk.DiskPhase;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.api.workseed.WorkSeed;
import io.workdisk.operator.workdisk.DiskPlanner;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

/** Waiting for WorkDisks in the default namespace and for WorkSeeds, with the status in the failure message. */
final class Waits {
    private Waits() {}

    static WorkDisk get(KubernetesClient kube, String name) {
        return kube.resources(WorkDisk.class)
                .inNamespace("default")
                .withName(name)
                .get();
    }

    static WorkDisk phase(KubernetesClient kube, String name, DiskPhase phase) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            WorkDisk d = get(kube, name);
            assertThat(d).isNotNull();
            assertThat(d.getStatus()).isNotNull();
            assertThat(d.getStatus().phase()).as("%s", d.getStatus()).isEqualTo(phase);
        });
        return get(kube, name);
    }

    /** The seed once it is Ready on every node it should be on. */
    static WorkSeed seedReady(KubernetesClient kube, String name) {
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            WorkSeed s = kube.resources(WorkSeed.class).withName(name).get();
            assertThat(s).isNotNull();
            assertThat(s.getStatus()).isNotNull();
            assertThat(s.getStatus().conditions())
                    .as("%s", s.getStatus())
                    .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
        });
        return kube.resources(WorkSeed.class).withName(name).get();
    }

    /** No WorkDisk, WorkSeed or WorkTask is left anywhere. */
    static boolean noneLeft(KubernetesClient kube) {
        return kube.resources(WorkDisk.class).inAnyNamespace().list().getItems().isEmpty()
                && kube.resources(WorkSeed.class).list().getItems().isEmpty()
                && kube.resources(WorkTask.class)
                        .inAnyNamespace()
                        .list()
                        .getItems()
                        .isEmpty();
    }

    /**
     * Every task is done with: none is left but the create tasks of Ready WorkDisks, each Succeeded and kept as the
     * record of the work that made its disk (every other task is removed once its result is recorded).
     */
    static boolean tasksSettled(KubernetesClient kube) {
        Map<String, WorkDisk> readyDisks = kube.resources(WorkDisk.class).inAnyNamespace().list().getItems().stream()
                .filter(d -> d.getStatus() != null && d.getStatus().phase() == DiskPhase.Ready)
                .collect(Collectors.toMap(d -> d.getMetadata().getUid(), d -> d));
        return kube.resources(WorkTask.class).inAnyNamespace().list().getItems().stream()
                .allMatch(t -> {
                    WorkDisk owner = readyDisks.get(t.getMetadata().getLabels().get(ApiGroup.OWNER_UID_LABEL));
                    return owner != null
                            && t.getMetadata().getName().equals(DiskPlanner.createTaskName(owner))
                            && t.getStatus() != null
                            && t.getStatus().phase() == TaskPhase.Succeeded;
                });
    }
}
