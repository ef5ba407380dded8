package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.workdisk.agent.testing.Rootfs;
import io.workdisk.agent.testing.Shell;
import io.workdisk.api.task.WorkTask;
import io.workdisk.api.workdisk.DiskPhase;
import io.workdisk.api.workdisk.WorkDisk;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator, a process of its own, killed with SIGKILL again and again while disks and seeds are being
 * made (each round asks for more and kills it once it has started on them) and started again: everything
 * converges, no task is ever written twice, and no Ready disk is made again.
 */
@ExtendWith(SharedApiServer.class)
class OperatorKillTest {
    static final int ROUNDS = 8;
    static final int DISKS_PER_ROUND = 6;

    @TempDir
    Path tmp;

    @Test
    void killedOverAndOverItConvergesAndNeverRepeatsFinishedWork(RealApiServer api) throws Exception {
        long seed = Long.getLong("workdisk.killSeed", System.nanoTime());
        Random random = new Random(seed);
        Path rootfs = Rootfs.ofFixture(tmp);
        Path images = rootfs.getParent();
        Map<String, Integer> written = new ConcurrentHashMap<>();
        Map<String, String> firstReadyUuid = new ConcurrentHashMap<>();

        try (ProcessCluster cluster = new ProcessCluster(tmp.resolve("run"), api)) {
            KubernetesClient kube = cluster.client();
            for (String node : List.of("node-a", "node-b")) {
                cluster.addNode(new ProcessCluster.Node(node, tmp.resolve(node), List.of(images), 2));
            }
            try (Watch tasks = kube.resources(WorkTask.class)
                            .inAnyNamespace()
                            .watch(Watchers.added(
                                    t -> written.merge(t.getMetadata().getName(), 1, Integer::sum)));
                    Watch disks = kube.resources(WorkDisk.class)
                            .inAnyNamespace()
                            .watch(Watchers.anyChange(d -> {
                                if (d.getStatus() != null && d.getStatus().phase() == DiskPhase.Ready) {
                                    firstReadyUuid.putIfAbsent(
                                            d.getMetadata().getName(),
                                            d.getStatus().filesystemUUID());
                                }
                            }))) {
                List<String> kills = new ArrayList<>();
                for (int round = 0; round < ROUNDS; round++) {
                    int tasksBefore = written.size();
                    if (round % 2 == 0) {
                        kube.resource(Manifests.seed("seed-" + round, rootfs)).create();
                    }
                    for (int i = 0; i < DISKS_PER_ROUND; i++) {
                        String name = "r" + round + "-" + i;
                        kube.resource(
                                        i % 2 == 0
                                                ? Manifests.disk(name, "1Gi")
                                                : Manifests.seeded(name, "1Gi", "seed-" + (round - round % 2)))
                                .create();
                    }
                    cluster.startOperator("--no-leader-election", "--node-grace", "30");
                    int progress = 1 + random.nextInt(DISKS_PER_ROUND);
                    await().atMost(Duration.ofSeconds(60)).until(() -> written.size() >= tasksBefore + progress);
                    cluster.killOperator();
                    kills.add("round " + round + ": killed after " + (written.size() - tasksBefore) + " new tasks");
                }
                cluster.startOperator("--no-leader-election", "--node-grace", "30");
                for (int round = 0; round < ROUNDS; round++) {
                    for (int i = 0; i < DISKS_PER_ROUND; i++) {
                        Waits.phase(kube, "r" + round + "-" + i, DiskPhase.Ready);
                    }
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> Waits.tasksSettled(kube));

                String story = "seed " + seed + "\n" + String.join("\n", kills);
                assertThat(written)
                        .as("every task written once: %s", story)
                        .allSatisfy((name, n) -> assertThat(n).as(name).isOne());
                List<WorkDisk> all = kube.resources(WorkDisk.class)
                        .inNamespace("default")
                        .list()
                        .getItems();
                for (WorkDisk d : all) {
                    assertThat(d.getStatus().filesystemUUID())
                            .as("%s was never made again", d.getMetadata().getName())
                            .isEqualTo(firstReadyUuid.get(d.getMetadata().getName()));
                    Shell.assertFsckClean(Path.of(d.getStatus().path()));
                }
                assertThat(ProcessCluster.leftovers(tmp.resolve("node-a"), tmp.resolve("node-b")))
                        .as("no staging or partial files")
                        .isEmpty();
                assertThat(ProcessCluster.diskImages(tmp.resolve("node-a"), tmp.resolve("node-b")))
                        .as("one image per WorkDisk")
                        .isEqualTo(all.size());
            }
        }
    }
}
