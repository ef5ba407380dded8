package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.workdisk.agent.engine.ext4.Ext4Image;
import io.workdisk.agent.testing.Rootfs;
import io.workdisk.agent.testing.Shell;
import io.workdisk.api.ApiGroup;
import io.workdisk.api.task.HostPathSource;
import io.workdisk.api.task.HttpSource;
import io.workdisk.api.task.SeedSource;
import io.workdisk.api.task.TaskPhase;
import io.workdisk.api.task.WorkTask;
import io.workdisk.api.task.WorkTaskSpec;
import io.workdisk.api.task.WorkTaskStatus;
import io.workdisk.api.workdisk.DiskPhase;
import io.workdisk.api.workdisk.ReclaimPolicy;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.api.workdisk.WorkDiskSpec;
import io.workdisk.api.workseed.NodeSeedStatus;
import io.workdisk.api.workseed.SeedPhase;
import io.workdisk.api.workseed.WorkSeed;
import io.workdisk.api.workseed.WorkSeedSpec;
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
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad and hostile input through the API, as a user (or someone with more rights than they should have)
 * could send it: each gets an error that names the problem, and nothing outside the data root, nor any
 * disk already made, is touched. The catalogue in docs/reliability.md points at each test.
 */
@ExtendWith(SharedApiServer.class)
class HostileInputTest {
    @TempDir
    Path tmp;

    LocalCluster cluster;
    KubernetesClient kube;
    Path images;
    Path rootfs;
    Path outside;

    @BeforeEach
    void setUp(RealApiServer api) throws Exception {
        cluster = new LocalCluster(
                api,
                new WorkdiskOperator.Settings("workdisk-system", 1.0, Duration.ofSeconds(30), Duration.ofSeconds(3), 4),
                Clock.systemUTC());
        kube = cluster.client();
        rootfs = Rootfs.ofFixture(tmp);
        images = rootfs.getParent();
        outside = Files.writeString(tmp.resolve("outside-secret"), "not for seeds\n");
        cluster.addNode("node-a", Map.of(), tmp.resolve("node-a"), List.of(images), null);
        cluster.startOperator();
    }

    @AfterEach
    void tearDown() {
        cluster.close();
    }

    NodeSeedStatus awaitSeedFailed(String name, String message) {
        return await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> {
                            WorkSeed s = kube.resources(WorkSeed.class)
                                    .withName(name)
                                    .get();
                            return s.getStatus() == null
                                            || s.getStatus().nodes() == null
                                            || s.getStatus().nodes().isEmpty()
                                    ? null
                                    : s.getStatus().nodes().get(0);
                        },
                        n -> n != null
                                && n.phase() == SeedPhase.Failed
                                && n.message() != null
                                && n.message().contains(message));
    }

    WorkSeed seed(String name, SeedSource source, String subtree) {
        WorkSeed s = new WorkSeed();
        s.setMetadata(new ObjectMetaBuilder().withName(name).build());
        s.setSpec(new WorkSeedSpec(source, subtree, null, null));
        return s;
    }

    SeedSource hostPath(String path) {
        return new SeedSource(new HostPathSource(path), null, null, null);
    }

    @Test
    void sizesThatAreNotADiskSayWhyAndMakeNothing() throws Exception {
        // refused by the API server's CRD rules, so no object exists for the operator to act on
        Map<String, String> cases = Map.of(
                "0",
                "at least 64Mi",
                "-1Gi",
                "spec.size",
                "1Ki",
                "at least 64Mi",
                "1Ei",
                "below 16Ti",
                "16Ti",
                "below 16Ti",
                "0.5",
                "at least 64Mi",
                "lots",
                "spec.size");
        cases.forEach((size, message) -> assertThatThrownBy(
                        () -> kube.resource(Manifests.disk("bad", size)).create())
                .as("size %s", size)
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(422);
                    assertThat(e.getMessage()).contains(message);
                }));
        assertThat(kube.resources(WorkDisk.class).inAnyNamespace().list().getItems())
                .isEmpty();
        assertThat(kube.resources(WorkTask.class).inAnyNamespace().list().getItems())
                .as("no task for a bad spec")
                .isEmpty();
        assertThat(tmp.resolve("node-a/disks")).isEmptyDirectory();
    }

    @Test
    void seedSourcesOutsideTheImageDirectoriesAreRefusedAndNothingIsRead() throws Exception {
        Files.createSymbolicLink(images.resolve("link-to-secret.ext4"), outside);
        Files.createSymbolicLink(images.resolve("link-up"), Path.of(".."));
        kube.resource(seed("traversal", hostPath(images + "/../outside-secret"), null))
                .create();
        kube.resource(seed("absolute-outside", hostPath(outside.toString()), null))
                .create();
        kube.resource(seed(
                        "symlink-out",
                        hostPath(images.resolve("link-to-secret.ext4").toString()),
                        null))
                .create();
        kube.resource(seed(
                        "symlink-dir-up",
                        hostPath(images.resolve("link-up/outside-secret").toString()),
                        null))
                .create();
        assertThatThrownBy(() -> kube.resource(seed("relative", hostPath("images/rootfs.ext4"), null))
                        .create())
                .as("a relative path is refused by the API server")
                .hasMessageContaining("spec.source.hostPath.path");
        assertThatThrownBy(() -> kube.resource(seed(
                                "file-url",
                                new SeedSource(null, new HttpSource("file://" + outside, "0".repeat(64)), null, null),
                                null))
                        .create())
                .as("a file:// URL is refused by the API server")
                .hasMessageContaining("spec.source.http.url");
        kube.resource(seed("subtree-up", hostPath(rootfs.toString()), "/../etc"))
                .create();

        awaitSeedFailed("traversal", "contains '..'");
        awaitSeedFailed("absolute-outside", "outside the agent's image directories");
        awaitSeedFailed("symlink-out", "outside the agent's image directories");
        awaitSeedFailed("symlink-dir-up", "outside the agent's image directories");
        awaitSeedFailed("subtree-up", "..");
        try (var seeds = Files.list(tmp.resolve("node-a/seeds"))) {
            assertThat(seeds).as("no seed was made from anything").isEmpty();
        }
        assertThat(outside).hasContent("not for seeds\n");
    }

    @Test
    void forgedTasksCannotReachOutsideTheDataRootOrTouchFilesTheAgentDidNotMake() throws Exception {
        // only the operator may write tasks (the admission policy); an agent still trusts no path in one
        Path victim = Files.writeString(tmp.resolve("node-a/disks/users-own.ext4"), "someone's file\n");
        Path beside = tmp.resolve("escaped.ext4");
        forge("up-and-out", WorkTaskSpec.format("node-a", "../escaped.ext4", 1L << 30, false, "forger", 1));
        forge("absolute", WorkTaskSpec.format("node-a", beside.toString(), 1L << 30, false, "forger", 1));
        forge("delete-users-file", WorkTaskSpec.delete("node-a", "disks/users-own.ext4", "forger", 1));
        forge(
                "overwrite-users-file",
                WorkTaskSpec.format("node-a", "disks/users-own.ext4", 1L << 30, false, "forger", 1));
        forge(
                "seed-from-outside",
                WorkTaskSpec.materialize(
                        "node-a", "disks/m.ext4", 1L << 30, false, "../../outside-secret", "forger", 1));

        assertThat(awaitTaskFailed("up-and-out").message()).contains("..");
        assertThat(awaitTaskFailed("absolute").reason()).isIn("OUTSIDE_DATA_ROOT", "INVALID_PATH");
        assertThat(awaitTaskFailed("delete-users-file").reason()).isEqualTo("NOT_OWNED");
        assertThat(awaitTaskFailed("overwrite-users-file").reason()).isIn("TARGET_EXISTS", "NOT_OWNED");
        assertThat(awaitTaskFailed("seed-from-outside").message()).contains("..");
        assertThat(victim).hasContent("someone's file\n");
        assertThat(beside).doesNotExist();
        assertThat(tmp.resolve("node-a/disks/m.ext4")).doesNotExist();
    }

    void forge(String name, WorkTaskSpec spec) {
        WorkTask t = new WorkTask();
        t.setMetadata(new ObjectMetaBuilder()
                .withName(name)
                .withNamespace("default")
                .withLabels(Map.of(ApiGroup.NODE_LABEL, "node-a"))
                .build());
        t.setSpec(spec);
        kube.resource(t).create();
    }

    WorkTaskStatus awaitTaskFailed(String name) {
        return await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> kube.resources(WorkTask.class)
                                .inNamespace("default")
                                .withName(name)
                                .get()
                                .getStatus(),
                        s -> s != null && s.phase() == TaskPhase.Failed);
    }

    @Test
    void theSameNameTwiceNeverSharesAnImageAndARetainedImageIsNeverReused() throws Exception {
        kube.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName("team-b")
                        .endMetadata()
                        .build())
                .create();
        kube.resource(Manifests.disk(
                        "default", "same", WorkDiskSpec.ofSize("1Gi").withReclaimPolicy(ReclaimPolicy.Retain)))
                .create();
        kube.resource(Manifests.disk("team-b", "same", WorkDiskSpec.ofSize("1Gi")))
                .create();
        WorkDisk a = Waits.phase(kube, "same", DiskPhase.Ready);
        WorkDisk b = await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> kube.resources(WorkDisk.class)
                                .inNamespace("team-b")
                                .withName("same")
                                .get(),
                        d -> d.getStatus() != null && d.getStatus().phase() == DiskPhase.Ready);
        assertThat(a.getStatus().path()).isNotEqualTo(b.getStatus().path());

        kube.resource(a).delete();
        await().atMost(Duration.ofSeconds(30)).until(() -> Waits.get(kube, "same") == null);
        kube.resource(Manifests.disk("default", "same", WorkDiskSpec.ofSize("1Gi")))
                .create();
        WorkDisk again = await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> Waits.get(kube, "same"),
                        d -> d != null && d.getStatus() != null && d.getStatus().phase() == DiskPhase.Ready);
        assertThat(again.getStatus().path())
                .as("a new object gets a new image")
                .isNotEqualTo(a.getStatus().path());
        assertThat(again.getStatus().filesystemUUID())
                .isNotEqualTo(a.getStatus().filesystemUUID());
        assertThat(Path.of(a.getStatus().path()))
                .as("the retained image is kept as it was")
                .exists();
        assertThat(Ext4Image.readSuperblock(Path.of(a.getStatus().path())).uuid())
                .hasToString(a.getStatus().filesystemUUID());
    }

    @Test
    void theLongestNamesKubernetesAllowsWork() throws Exception {
        String namespace = "n".repeat(63);
        String seedName = "s".repeat(253);
        String diskName = "d".repeat(253);
        kube.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(namespace)
                        .endMetadata()
                        .build())
                .create();
        kube.resource(Manifests.seed(seedName, rootfs)).create();
        kube.resource(Manifests.disk(
                        namespace, diskName, WorkDiskSpec.ofSize("1Gi").withSeedRef(seedName)))
                .create();

        WorkSeed seed = Waits.seedReady(kube, seedName);
        assertThat(Path.of(seed.getStatus().nodes().get(0).path()).getFileName().toString())
                .hasSizeLessThanOrEqualTo(255);
        WorkDisk disk = await().atMost(Duration.ofSeconds(60))
                .until(
                        () -> kube.resources(WorkDisk.class)
                                .inNamespace(namespace)
                                .withName(diskName)
                                .get(),
                        d -> d.getStatus() != null && d.getStatus().phase() == DiskPhase.Ready);
        Shell.assertFsckClean(Path.of(disk.getStatus().path()));
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(
                                kube.v1().events().inNamespace(namespace).list().getItems())
                        .isNotEmpty()
                        .allSatisfy(e -> assertThat(e.getMetadata().getName())
                                .hasSizeLessThanOrEqualTo(253)
                                .matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")));
    }
}
