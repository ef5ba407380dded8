package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.workdisk.agent.testing.DebugfsTree;
import io.workdisk.agent.testing.Rootfs;
import io.workdisk.agent.testing.Shell;
import io.workdisk.agent.testing.TreeAssert;
import io.workdisk.api.task.ImageSource;
import io.workdisk.api.task.SeedSource;
import io.workdisk.api.task.TaskType;
import io.workdisk.api.task.WorkTask;
import io.workdisk.api.workdisk.DiskPhase;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.api.workseed.NodeSeedStatus;
import io.workdisk.api.workseed.WorkSeed;
import io.workdisk.api.workseed.WorkSeedSpec;
import io.workdisk.operator.WorkdiskOperator;
import io.workdisk.operator.workseed.ImageResolution;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A WorkSeed from a registry image, end to end on the real API server with the real operator and two real
 * agents, whose image source is {@link Ext4ImageSeedsDouble} (a test double: no registry, no layers). What
 * is tested is the plumbing: the tag resolved once by one agent, every node building from that digest,
 * progress and digests in the status and in kubectl get, a disk from the seed, and the tag resolved again
 * only when asked. {@link RegistryImageSeedTest} does the same with a real registry and real layers.
 */
@ExtendWith(SharedApiServer.class)
class ImageSeedFlowTest {
    static final String TAG = "registry.example:5000/base/debian:12";
    static final String NAME = "registry.example:5000/base/debian";
    static final String FIRST = "sha256:" + "1".repeat(64);
    static final String MOVED = "sha256:" + "2".repeat(64);

    @TempDir
    Path tmp;

    LocalCluster cluster;
    KubernetesClient kube;

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            cluster.close();
        }
    }

    void start(RealApiServer api, Ext4ImageSeedsDouble images) throws Exception {
        cluster = new LocalCluster(
                api,
                new WorkdiskOperator.Settings("workdisk-system", 1.0, Duration.ofSeconds(8), Duration.ofSeconds(3), 4),
                Clock.systemUTC());
        kube = cluster.client();
        for (String node : List.of("node-a", "node-b")) {
            cluster.addNode(node, Map.of(), tmp.resolve(node), images.on(node));
        }
        cluster.startOperator();
    }

    static WorkSeed imageSeed(String name, String reference) {
        WorkSeed s = new WorkSeed();
        s.setMetadata(new ObjectMetaBuilder().withName(name).build());
        s.setSpec(WorkSeedSpec.of(SeedSource.image(ImageSource.of(reference)), "/root", null));
        return s;
    }

    WorkSeed seed(String name) {
        return kube.resources(WorkSeed.class).withName(name).get();
    }

    @Test
    void aTagIsResolvedOnceAndEveryNodeBuildsTheSameDigest(RealApiServer api) throws Exception {
        Path rootfs = Rootfs.ofFixture(tmp);
        Ext4ImageSeedsDouble images = new Ext4ImageSeedsDouble();
        images.tag(TAG, FIRST, rootfs);
        start(api, images);
        Kubectl kubectl = Kubectl.of(api, tmp);

        kube.resource(imageSeed("debian", TAG)).create();

        // both builds held by the double after reporting progress: what a person sees meanwhile
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            WorkSeed s = seed("debian");
            assertThat(s.getStatus()).isNotNull();
            assertThat(s.getStatus().nodes())
                    .as("%s", s.getStatus())
                    .hasSize(2)
                    .allSatisfy(n -> assertThat(n.progress()).isNotNull());
        });
        WorkSeed building = seed("debian");
        assertThat(building.getStatus().resolvedImage().digest()).isEqualTo(FIRST);
        assertThat(building.getStatus().resolvedImage().resolvedAt()).isNotNull();
        long size = Files.size(rootfs);
        assertThat(building.getStatus().nodes()).allSatisfy(n -> {
            assertThat(n.progress().bytesFetched()).isEqualTo(size / 2);
            assertThat(n.progress().bytesTotal()).isEqualTo(size);
            assertThat(n.progress().entriesWritten()).isEqualTo(3);
        });
        assertThat(kube.resources(WorkTask.class)
                        .inNamespace("workdisk-system")
                        .list()
                        .getItems())
                .filteredOn(t -> t.getSpec().type() == TaskType.BuildSeed)
                .extracting(t -> t.getSpec().nodeName() + " "
                        + t.getSpec().source().image().reference())
                .containsExactlyInAnyOrder("node-a " + NAME + "@" + FIRST, "node-b " + NAME + "@" + FIRST);
        Map<String, String> row = KubectlViewTest.table(kubectl.ok("get", "ws")).get("debian");
        assertThat(row).containsEntry("SOURCE", "image:" + NAME + "@sha256:111111111111");
        assertThat(row.get("PROGRESS")).contains("node-a ", "node-b ", " entries");

        images.release();
        WorkSeed ready = Waits.seedReady(kube, "debian");

        assertThat(images.resolved).as("resolved once, by one agent").hasSize(1);
        assertThat(images.built)
                .extracting(Ext4ImageSeedsDouble.Asked::reference)
                .containsOnly(NAME + "@" + FIRST)
                .hasSize(2);
        assertThat(ready.getStatus().ready()).isEqualTo("2/2");
        assertThat(ready.getStatus().nodes())
                .extracting(NodeSeedStatus::imageDigest)
                .containsExactly(FIRST, FIRST);
        assertThat(ready.getStatus().nodes())
                .allSatisfy(n -> assertThat(n.progress()).isNull());
        assertThat(ready.getStatus().progress()).isNull();

        kube.resource(Manifests.seeded("vm1", "1Gi", "debian")).create();
        WorkDisk disk = Waits.phase(kube, "vm1", DiskPhase.Ready);
        Path image = Path.of(disk.getStatus().path());
        Shell.assertFsckClean(image);
        TreeAssert.assertSameTree(tmp.resolve("rootfs-tree/root"), DebugfsTree.read(image, tmp));

        // the tag moves: nothing happens until the annotation asks for it to be resolved again
        images.tag(TAG, MOVED, rootfs);
        Edits.edit(kube.resources(WorkSeed.class).withName("debian"), s -> {
            s.getMetadata().setAnnotations(Map.of(ImageResolution.ANNOTATION, "2026-11-25T20:00:00Z"));
            return s;
        });
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            WorkSeed s = seed("debian");
            assertThat(s.getStatus().resolvedImage().digest())
                    .as("%s", s.getStatus())
                    .isEqualTo(MOVED);
            assertThat(s.getStatus().resolvedImage().request()).isEqualTo("2026-11-25T20:00:00Z");
            assertThat(s.getStatus().ready()).isEqualTo("2/2");
            assertThat(s.getStatus().nodes())
                    .extracting(NodeSeedStatus::imageDigest)
                    .containsOnly(MOVED);
        });
        assertThat(images.resolved).hasSize(2);
        assertThat(images.built)
                .extracting(Ext4ImageSeedsDouble.Asked::reference)
                .containsOnly(NAME + "@" + FIRST, NAME + "@" + MOVED)
                .hasSize(4);
    }
}
