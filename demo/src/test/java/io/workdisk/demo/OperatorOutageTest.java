package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.workdisk.api.node.WorkNode;
import io.workdisk.api.workdisk.DiskPhase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes of the operator refused while a disk gets no further event: the operator must itself come back
 * to the disk, or it stays where it was until the next resync, hours away. Both cases once left a disk
 * Creating for good in ApiFaultTest.
 */
@ExtendWith(SharedApiServer.class)
class OperatorOutageTest {
    /** Longer than JOSDK's default retry (2 s, growing by 1.5, five times: 26.4 s). */
    static final Duration OUTAGE = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    /**
     * The operator and one agent, with a first disk made and shown in the node's record: from then on no
     * change of the record wakes the disks on the node, so only the operator's own retry brings one back.
     */
    private ProcessCluster settled(RealApiServer api, ApiFaults faults) throws Exception {
        ProcessCluster cluster = new ProcessCluster(
                tmp.resolve("run"), api, faults.kubeconfigYaml(), ProcessCluster.QUICK_JVM, ProcessCluster.QUICK_JVM);
        try {
            cluster.addNode(new ProcessCluster.Node("node-a", tmp.resolve("node-a"), List.of(), 1));
            cluster.startOperator("--no-leader-election");
            KubernetesClient kube = cluster.client();
            kube.resource(Manifests.disk("first", "64Mi")).create();
            Waits.phase(kube, "first", DiskPhase.Ready);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                WorkNode n = kube.resources(WorkNode.class).withName("node-a").get();
                return n.getStatus() != null
                        && Integer.valueOf(1).equals(n.getStatus().disks());
            });
            return cluster;
        } catch (Exception | AssertionError e) {
            cluster.close(); // its processes would go on working against the shared API server
            throw e;
        }
    }

    /** JOSDK's default retry gives up after five retries; the operator's must go on as long as the outage. */
    @Test
    void aDiskAskedForWhileTheOperatorCannotWriteIsMadeOnceItCan(RealApiServer api) throws Exception {
        try (ApiFaults faults = ApiFaults.start(api, 0, Duration.ZERO);
                ProcessCluster cluster = settled(api, faults)) {
            KubernetesClient kube = cluster.client();
            faults.refuseWritesFrom("workdisk-operator");
            kube.resource(Manifests.disk("outage-during", "64Mi")).create();
            try {
                await().atMost(OUTAGE.multipliedBy(2))
                        .until(() ->
                                faults.refusedFor("/workdisks/outage-during").compareTo(OUTAGE) >= 0);
            } catch (ConditionTimeoutException e) {
                throw new AssertionError(
                        "the operator gave up on the disk: its writes to it were refused for only "
                                + faults.refusedFor("/workdisks/outage-during").toSeconds() + "s of an outage of "
                                + OUTAGE.multipliedBy(2).toSeconds() + "s\n" + cluster.logs(),
                        e);
            }
            faults.acceptWrites();

            Waits.phase(kube, "outage-during", DiskPhase.Ready);
        }
    }

    /**
     * A 409 to a create means the task exists only when its reason is AlreadyExists; any other conflict
     * (here one the proxy makes up) leaves no task, and the status already says the disk is being made.
     */
    @Test
    void aTaskCreateRefusedWithAnotherConflictIsWrittenAgain(RealApiServer api) throws Exception {
        try (ApiFaults faults = ApiFaults.start(api, 0, Duration.ZERO);
                ProcessCluster cluster = settled(api, faults)) {
            KubernetesClient kube = cluster.client();
            faults.refuseNextWrite("workdisk-operator", "/worktasks");
            kube.resource(Manifests.disk("refused-task", "64Mi")).create();

            Waits.phase(kube, "refused-task", DiskPhase.Ready);
            assertThat(faults.refused("/worktasks"))
                    .as("the create task's first write was refused")
                    .isEqualTo(1);
        }
    }
}
