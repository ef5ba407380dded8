package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.workdisk.api.task.WorkTask;
import io.workdisk.api.workdisk.DiskPhase;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.api.workseed.WorkSeed;
import java.time.Duration;

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
}
