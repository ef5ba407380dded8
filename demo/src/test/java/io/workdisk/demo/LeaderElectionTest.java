package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.workdisk.api.task.WorkTask;
import io.workdisk.api.workdisk.DiskPhase;
import io.workdisk.operator.WorkdiskOperator;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Two operator replicas: one holds the Lease and works, the other takes over when it goes. */
@ExtendWith(SharedApiServer.class)
class LeaderElectionTest {
    @TempDir
    Path tmp;

    static WorkdiskOperator.Settings replica(String identity) {
        return new WorkdiskOperator.Settings("workdisk-system", 1.0, Duration.ofSeconds(30), Duration.ofSeconds(30), 4)
                .withLeadership(new WorkdiskOperator.Leadership(
                        "workdisk-operator",
                        identity,
                        Duration.ofSeconds(3),
                        Duration.ofSeconds(2),
                        Duration.ofMillis(250),
                        false));
    }

    @Test
    void onlyTheLeaseHolderWorksAndTheOtherTakesOver(RealApiServer api) throws Exception {
        try (LocalCluster cluster = new LocalCluster(api, replica("unused"), Clock.systemUTC())) {
            cluster.addNode("node-a", Map.of(), tmp.resolve("node-a"), List.of(), null);
            KubernetesClient kube = cluster.client();
            Map<String, Integer> written = new ConcurrentHashMap<>();
            var watch = kube.resources(WorkTask.class).inAnyNamespace().watch(new Watcher<>() {
                @Override
                public void eventReceived(Action action, WorkTask task) {
                    if (action == Action.ADDED) {
                        written.merge(task.getMetadata().getName(), 1, Integer::sum);
                    }
                }

                @Override
                public void onClose(WatcherException cause) {}
            });
            AutoCloseable first = cluster.startOperatorReplica(replica("replica-1"));
            AutoCloseable second = cluster.startOperatorReplica(replica("replica-2"));
            String leader = awaitHolder(kube);

            kube.resource(Manifests.disk("one", "1Gi")).create();
            Waits.phase(kube, "one", DiskPhase.Ready);

            (leader.equals("replica-1") ? first : second).close();
            kube.resource(Manifests.disk("two", "1Gi")).create();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> !awaitHolder(kube).equals(leader));
            Waits.phase(kube, "two", DiskPhase.Ready);

            assertThat(written)
                    .as("each task written once, by one replica at a time")
                    .allSatisfy((name, count) -> assertThat(count).as(name).isEqualTo(1));
            watch.close();
            (leader.equals("replica-1") ? second : first).close();
        }
    }

    static String awaitHolder(KubernetesClient kube) {
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            Lease lease = kube.leases()
                    .inNamespace("workdisk-system")
                    .withName("workdisk-operator")
                    .get();
            return lease != null && lease.getSpec().getHolderIdentity() != null;
        });
        return kube.leases()
                .inNamespace("workdisk-system")
                .withName("workdisk-operator")
                .get()
                .getSpec()
                .getHolderIdentity();
    }
}
