package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.workdisk.api.Conditions;
import io.workdisk.api.workdisk.DiskPhase;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.api.workdisk.WorkDiskStatus;
import io.workdisk.operator.status.EventRecorder;
import io.workdisk.operator.status.StatusWriter;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The operator's status write is refused when the object changed since the view the status was
 * computed from, on the real API server: the newer status stays, and the stale one is not applied to it.
 */
@ExtendWith(SharedApiServer.class)
class StatusWriterTest {
    static WorkDiskStatus status(DiskPhase phase, String node) {
        return new WorkDiskStatus(
                phase,
                node,
                null,
                null,
                null,
                List.of(Conditions.of("Ready", false, phase.name(), "test", 1L)),
                1L,
                null);
    }

    /** Only what a refused write touches: the client. Anything else the writer asks for fails the test. */
    @SuppressWarnings("unchecked")
    static Context<WorkDisk> contextWith(KubernetesClient client) {
        return (Context<WorkDisk>) Proxy.newProxyInstance(
                Context.class.getClassLoader(), new Class<?>[] {Context.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getClient")) {
                        return client;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void aStatusComputedFromAStaleViewIsRefusedNotAppliedToTheNewerObject(RealApiServer api) {
        KubernetesClient kube = api.newClient("operator");
        kube.resource(Manifests.disk("stale", "1Gi")).create();
        WorkDisk seen = kube.resources(WorkDisk.class)
                .inNamespace("default")
                .withName("stale")
                .get();

        // meanwhile another writer (a newly elected leader) records a newer status
        WorkDisk other = kube.resources(WorkDisk.class)
                .inNamespace("default")
                .withName("stale")
                .get();
        other.setStatus(status(DiskPhase.Creating, "node-b"));
        kube.resource(other).updateStatus();

        StatusWriter writer = new StatusWriter(new EventRecorder(kube, Clock.systemUTC()));
        Throwable refused = catchThrowable(() ->
                writer.write(seen, contextWith(kube), status(DiskPhase.Placing, "node-a"), WorkDiskStatus::conditions));

        assertThat(refused).as("the write from the stale view").isNotNull();
        assertThat(causes(refused))
                .anySatisfy(c -> assertThat(c)
                        .isInstanceOfSatisfying(
                                KubernetesClientException.class,
                                e -> assertThat(e.getCode()).isEqualTo(409)));
        WorkDisk now = kube.resources(WorkDisk.class)
                .inNamespace("default")
                .withName("stale")
                .get();
        assertThat(now.getStatus().nodeName()).as("the newer status stays").isEqualTo("node-b");
        assertThat(now.getStatus().phase()).isEqualTo(DiskPhase.Creating);
    }

    static List<Throwable> causes(Throwable t) {
        List<Throwable> all = new ArrayList<>();
        for (Throwable c = t; c != null && !all.contains(c); c = c.getCause()) {
            all.add(c);
        }
        return all;
    }
}
