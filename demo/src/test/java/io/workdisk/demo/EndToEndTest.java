package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.workdisk.api.task.WorkTask;
import io.workdisk.api.workdisk.DiskPhase;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.api.workseed.WorkSeed;
import io.workdisk.agent.testing.DebugfsTree;
import io.workdisk.agent.testing.Rootfs;
import io.workdisk.agent.testing.Shell;
import io.workdisk.agent.testing.TreeAssert;
import io.workdisk.agent.testing.TreeFixture;
import io.workdisk.operator.WorkdiskOperator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EndToEndTest {
    @TempDir
    Path tmp;
    LocalCluster cluster;
    KubernetesClient kube;
    Path images;
    Path sourceRoot;

    @BeforeEach
    void setUp() throws Exception {
        cluster = new LocalCluster(new WorkdiskOperator.Settings("workdisk-system", 1.0, Duration.ofSeconds(8),
                Duration.ofSeconds(3), 4), Clock.systemUTC());
        kube = cluster.client();
        images = Files.createDirectories(tmp.resolve("images"));
        Path tree = Files.createDirectories(tmp.resolve("rootfs-tree"));
        sourceRoot = tree.resolve("root");
        TreeFixture.create(sourceRoot);
        Rootfs.make(tree, images.resolve("rootfs.ext4"));
        for (String node : List.of("node-a", "node-b")) {
            cluster.addNode(node, Map.of("zone", node.equals("node-a") ? "a" : "b"), tmp.resolve(node), List.of(images), null);
        }
        cluster.startOperator();
    }

    @AfterEach
    void tearDown() {
        cluster.close();
    }

    WorkDisk get(String name) {
        return kube.resources(WorkDisk.class).inNamespace("default").withName(name).get();
    }

    WorkDisk awaitPhase(String name, DiskPhase phase) {
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            WorkDisk d = get(name);
            return d != null && d.getStatus() != null && d.getStatus().phase() == phase;
        });
        return get(name);
    }

    @Test
    void blankDiskBecomesReady() throws Exception {
        kube.resource(Objects.disk("blank", "1Gi")).create();

        WorkDisk disk = awaitPhase("blank", DiskPhase.Ready);

        assertThat(disk.getStatus().nodeName()).isIn("node-a", "node-b");
        assertThat(disk.getStatus().capacityBytes()).isEqualTo(1L << 30);
        Path image = Path.of(disk.getStatus().path());
        assertThat(image).startsWith(tmp.resolve(disk.getStatus().nodeName()));
        Shell.assertFsckClean(image);
        assertThat(DebugfsTree.read(image, tmp)).containsOnlyKeys("");
        await().atMost(Duration.ofSeconds(20)).until(() -> kube.resources(WorkTask.class).inAnyNamespace().list().getItems().isEmpty());
    }

    @Test
    void seededDiskHoldsTheSeedTree() throws Exception {
        kube.resource(Objects.seed("ubuntu", images.resolve("rootfs.ext4"))).create();
        kube.resource(Objects.seeded("vm1", "2Gi", "ubuntu")).create();

        WorkDisk disk = awaitPhase("vm1", DiskPhase.Ready);

        Path image = Path.of(disk.getStatus().path());
        Shell.assertFsckClean(image);
        TreeAssert.assertSameTree(sourceRoot, DebugfsTree.read(image, tmp));
        WorkSeed seed = kube.resources(WorkSeed.class).withName("ubuntu").get();
        assertThat(seed.getStatus().ready()).isEqualTo("2/2");
    }
}
