package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.workdisk.agent.testing.Rootfs;
import io.workdisk.agent.testing.Shell;
import io.workdisk.api.workdisk.DiskPhase;
import io.workdisk.api.workdisk.WorkDisk;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API server fails for a while (500s, 409 conflicts, responses held back past the client timeout
 * after the write took effect) while disks and a seed are asked for: the operator and agents, processes
 * of their own, back off instead of hammering it, and everything converges once it recovers, each disk
 * made exactly once.
 */
@ExtendWith(SharedApiServer.class)
class ApiFaultTest {
    static final int DISKS = 20;

    @TempDir
    Path tmp;

    @Test
    void everythingConvergesAfterAnOutageAndNothingHotLoopsDuringIt(RealApiServer api) throws Exception {
        long seed = Long.getLong("workdisk.faultSeed", System.nanoTime());
        Path rootfs = Rootfs.ofFixture(tmp);
        Path images = rootfs.getParent();
        try (ApiFaults faults = ApiFaults.start(api, seed, Duration.ofSeconds(4));
                ProcessCluster cluster = new ProcessCluster(
                        tmp.resolve("run"),
                        api,
                        faults.kubeconfigYaml(),
                        ProcessCluster.QUICK_JVM,
                        ProcessCluster.QUICK_JVM)) {
            cluster.withEnv("KUBERNETES_REQUEST_TIMEOUT", "2000");
            KubernetesClient kube = cluster.client();
            for (String node : List.of("node-a", "node-b")) {
                cluster.addNode(new ProcessCluster.Node(node, tmp.resolve(node), List.of(images), 2));
            }
            cluster.startOperator("--no-leader-election", "--node-grace", "60");
            kube.resource(Manifests.disk("before", "1Gi")).create();
            Waits.phase(kube, "before", DiskPhase.Ready);

            faults.on();
            long start = System.nanoTime();
            long requestsBefore = faults.requests();
            kube.resource(Manifests.seed("base", rootfs)).create();
            for (int i = 0; i < DISKS; i++) {
                kube.resource(i % 2 == 0 ? Manifests.disk("d" + i, "1Gi") : Manifests.seeded("d" + i, "1Gi", "base"))
                        .create();
            }
            await().atMost(Duration.ofSeconds(120)).until(() -> faults.failed() >= 300);
            double outageSeconds = (System.nanoTime() - start) / 1e9;
            double outageRate = (faults.requests() - requestsBefore) / outageSeconds;
            faults.off();

            try {
                for (int i = 0; i < DISKS; i++) {
                    Waits.phase(kube, "d" + i, DiskPhase.Ready);
                }
                Waits.seedReady(kube, "base");
            } catch (ConditionTimeoutException e) {
                throw new AssertionError(
                        "not converged after the outage (fault seed " + seed + ")\n" + cluster.logs(), e);
            }
            long quietStart = System.nanoTime();
            long quietBefore = faults.requests();
            // settled: for five seconds every disk stays Ready and no task appears but their create records; meanwhile,
            // count requests
            await().during(Duration.ofSeconds(5))
                    .atMost(Duration.ofSeconds(8))
                    .until(() -> Waits.tasksSettled(kube)
                            && kube.resources(WorkDisk.class).inNamespace("default").list().getItems().stream()
                                    .allMatch(d -> d.getStatus().phase() == DiskPhase.Ready));
            double quietRate = (faults.requests() - quietBefore) / ((System.nanoTime() - quietStart) / 1e9);

            System.out.printf(
                    "api faults (seed %d): %.1f s outage, %d faults, %.1f requests/s during it, %.1f/s when settled%n",
                    seed, outageSeconds, faults.failed(), outageRate, quietRate);
            assertThat(outageRate)
                    .as("requests per second while the API fails (a hot loop makes hundreds)\n%s", cluster.logs())
                    .isLessThan(60);
            assertThat(quietRate)
                    .as("requests per second once everything is Ready: heartbeats only")
                    .isLessThan(10);

            List<WorkDisk> disks =
                    kube.resources(WorkDisk.class).inNamespace("default").list().getItems();
            for (WorkDisk d : disks) {
                Shell.assertFsckClean(Path.of(d.getStatus().path()));
            }
            assertThat(ProcessCluster.leftovers(tmp.resolve("node-a"), tmp.resolve("node-b")))
                    .as("no staging or partial files")
                    .isEmpty();
            assertThat(ProcessCluster.diskImages(tmp.resolve("node-a"), tmp.resolve("node-b")))
                    .as("one image per WorkDisk, none made twice")
                    .isEqualTo(disks.size());
        }
    }
}
