package io.workdisk.demo;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.workdisk.api.workdisk.DiskPhase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator cannot write for longer than any fixed retry budget, and the disk asked for meanwhile gets
 * no further event: once writes go through again, the operator's own retry must still be coming, or the
 * disk stays unplaced until the next resync, hours away. JOSDK's default retry gives up after five retries,
 * 26 s; that once left a disk in ApiFaultTest Creating for good.
 */
@ExtendWith(SharedApiServer.class)
class OperatorOutageTest {
    /** Longer than JOSDK's default retry (2 s, growing by 1.5, five times: 26.4 s). */
    static final Duration OUTAGE = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    @Test
    void aDiskAskedForWhileTheOperatorCannotWriteIsMadeOnceItCan(RealApiServer api) throws Exception {
        try (ApiFaults faults = ApiFaults.start(api, 0, Duration.ZERO);
                ProcessCluster cluster = new ProcessCluster(
                        tmp.resolve("run"),
                        api,
                        faults.kubeconfigYaml(),
                        ProcessCluster.QUICK_JVM,
                        ProcessCluster.QUICK_JVM)) {
            KubernetesClient kube = cluster.client();
            cluster.addNode(new ProcessCluster.Node("node-a", tmp.resolve("node-a"), List.of(), 1));
            cluster.startOperator("--no-leader-election");
            kube.resource(Manifests.disk("outage-before", "64Mi")).create();
            Waits.phase(kube, "outage-before", DiskPhase.Ready);

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
}
