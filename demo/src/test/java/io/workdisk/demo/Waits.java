package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.workdisk.api.workdisk.DiskPhase;
import io.workdisk.api.workdisk.WorkDisk;
import java.time.Duration;

/** Waiting for WorkDisks in the default namespace, with the status in the failure message. */
final class Waits {
    private Waits() {
    }

    static WorkDisk get(KubernetesClient kube, String name) {
        return kube.resources(WorkDisk.class).inNamespace("default").withName(name).get();
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
}
