package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.workdisk.api.ApiGroup;
import io.workdisk.api.workdisk.DiskPhase;
import io.workdisk.operator.WorkdiskOperator;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
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
            long start = api.audit().mark();
            // Each replica's requests carry its identity in their User-Agent, so the audit log says who wrote what,
            // including writes the server refused (a second replica's create of the same task gets a 409 and no
            // watch event, so counting events could not tell one reconciling replica from two).
            Map<String, AutoCloseable> replicas = new LinkedHashMap<>();
            for (String identity : List.of("replica-1", "replica-2")) {
                replicas.put(
                        identity,
                        cluster.startOperatorReplica(replica(identity), api.newClient("operator-" + identity)));
            }
            String leader = awaitHolder(kube);
            String standby = leader.equals("replica-1") ? "replica-2" : "replica-1";

            kube.resource(Manifests.disk("one", "1Gi")).create();
            Waits.phase(kube, "one", DiskPhase.Ready);
            List<AuditLog.Entry> firstTerm = api.audit().since(start);
            assertThat(workdiskWrites(firstTerm, leader))
                    .as("the leader made disk one")
                    .isNotEmpty();
            assertThat(workdiskWrites(firstTerm, standby))
                    .as("writes of the standby %s while %s held the Lease", standby, leader)
                    .isEmpty();

            long handover = api.audit().mark();
            replicas.get(leader).close();
            kube.resource(Manifests.disk("two", "1Gi")).create();
            await().atMost(Duration.ofSeconds(30)).until(() -> awaitHolder(kube).equals(standby));
            Waits.phase(kube, "two", DiskPhase.Ready);
            List<AuditLog.Entry> secondTerm = api.audit().since(handover);
            assertThat(workdiskWrites(secondTerm, standby))
                    .as("the replica that took over made disk two")
                    .isNotEmpty();
            assertThat(workdiskWrites(secondTerm, leader))
                    .as("writes of the stopped replica %s", leader)
                    .isEmpty();
            assertThat(taskCreates(api.audit().since(start)))
                    .as("each task created once, by one replica at a time (refused creates included)")
                    .allSatisfy((name, count) -> assertThat(count).as(name).isEqualTo(1L))
                    .isNotEmpty();
            replicas.get(standby).close();
        }
    }

    /** Writes on workdisk.io resources (WorkDisks, their status, WorkTasks) by the replica {@code identity}. */
    static List<String> workdiskWrites(List<AuditLog.Entry> entries, String identity) {
        return entries.stream()
                .filter(e -> e.write()
                        && e.group().equals(ApiGroup.GROUP)
                        && e.client().equals("workdisk-operator-" + identity))
                .map(e -> e.verb() + " " + e.resource() + " " + e.name() + " -> " + e.code())
                .toList();
    }

    /** How often any operator replica asked to create each WorkTask, answered or refused. */
    static Map<String, Long> taskCreates(List<AuditLog.Entry> entries) {
        return entries.stream()
                .filter(e -> e.verb().equals("create")
                        && e.resource().equals("worktasks")
                        && e.userAgent().startsWith("workdisk-operator-"))
                .collect(Collectors.groupingBy(AuditLog.Entry::name, Collectors.counting()));
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
