package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.workdisk.agent.engine.oci.Compression;
import io.workdisk.agent.engine.oci.Platform;
import io.workdisk.agent.source.image.TestImages;
import io.workdisk.agent.source.image.TestRegistry;
import io.workdisk.agent.testing.DebugfsTree;
import io.workdisk.agent.testing.Shell;
import io.workdisk.api.task.ImageSource;
import io.workdisk.api.task.SeedOwnership;
import io.workdisk.api.task.SeedSource;
import io.workdisk.api.workdisk.DiskPhase;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.api.workseed.NodeSeedStatus;
import io.workdisk.api.workseed.WorkSeed;
import io.workdisk.api.workseed.WorkSeedSpec;
import io.workdisk.operator.WorkdiskOperator;
import java.nio.charset.StandardCharsets;
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
 * A VM root disk from a container image, end to end with every part real: a registry (Debian's
 * docker-registry) holding a two-layer image the test pushes, the real API server, the operator, and two
 * agents that pull it into their layer caches. The WorkSeed takes the whole filesystem with the image's
 * owners; the disk made from it holds the image's files as a runtime would unpack them (the upper
 * layer's whiteout removes a lower file), with their owners, setuid bit and file capability.
 */
@ExtendWith(SharedApiServer.class)
class RegistryImageSeedTest {
    @TempDir
    Path tmp;

    LocalCluster cluster;

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aWholeRootFilesystemSeedFromARegistryImageBecomesABootableDisk(RealApiServer api) throws Exception {
        try (TestRegistry registry = TestRegistry.start(tmp.resolve("registry"), TestRegistry.Setup.plain())) {
            TestImages images = TestImages.anonymous(registry, tmp.resolve("work"));
            TestImages.Pushed pushed = images.image(
                    "team/devbox",
                    "1",
                    Platform.host(),
                    List.of(
                            images.layerOfTree(baseTree(), Compression.GZIP),
                            images.layer(
                                    Map.of("etc/.wh.old.conf", "", "root/.profile", "export EDITOR=vi\n"),
                                    Compression.ZSTD)));
            String reference = registry.host() + "/team/devbox:1";

            cluster = new LocalCluster(
                    api,
                    new WorkdiskOperator.Settings(
                            "workdisk-system", 1.0, Duration.ofSeconds(8), Duration.ofSeconds(3), 4),
                    Clock.systemUTC());
            KubernetesClient kube = cluster.client();
            for (String node : List.of("node-a", "node-b")) {
                cluster.addNode(node, Map.of(), tmp.resolve(node), List.of(), null);
            }
            cluster.startOperator();

            WorkSeed seed = new WorkSeed();
            seed.setMetadata(new ObjectMetaBuilder().withName("devbox").build());
            seed.setSpec(WorkSeedSpec.of(SeedSource.image(new ImageSource(reference, null, true)), "/", null)
                    .withOwnership(SeedOwnership.Preserve));
            kube.resource(seed).create();

            WorkSeed ready = Waits.seedReady(kube, "devbox");
            assertThat(ready.getStatus().resolvedImage().digest())
                    .isEqualTo(pushed.digest().toString());
            assertThat(ready.getStatus().nodes())
                    .extracting(NodeSeedStatus::imageDigest)
                    .containsExactly(pushed.digest().toString(), pushed.digest().toString());
            assertThat(Files.list(tmp.resolve("node-a/layers/blobs/sha256")))
                    .as("the layers and config stay in node-a's cache")
                    .hasSize(3);

            kube.resource(Manifests.seeded("vm", "2Gi", "devbox")).create();
            WorkDisk disk = Waits.phase(kube, "vm", DiskPhase.Ready);
            Path image = Path.of(disk.getStatus().path());
            Shell.assertFsckClean(image);
            Map<String, DebugfsTree.Entry> tree = DebugfsTree.read(image, tmp);

            assertThat(tree).doesNotContainKey("etc/old.conf").containsKeys("etc/os-release", "root/.profile");
            assertThat(content(tree, "root/.profile")).isEqualTo("export EDITOR=vi\n");
            DebugfsTree.Entry home = tree.get("home/dev");
            assertThat(home.uid()).isEqualTo(1000);
            assertThat(home.gid()).isEqualTo(1000);
            assertThat(home.mode() & 07777).isEqualTo(0750);
            assertThat(tree.get("usr/bin/su").mode() & 07777).isEqualTo(04755);
            assertThat(tree.get("tmp").mode() & 07777).isEqualTo(01777);
            assertThat(Shell.ok("debugfs", "-R", "ea_list /usr/bin/ping", image.toString()))
                    .as("the file capability of ping")
                    .contains("security.capability");
        }
    }

    /** A small root filesystem as an image's base layer has it: owners, setuid, sticky, a capability. */
    private Path baseTree() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("base"));
        Files.writeString(Files.createDirectories(root.resolve("etc")).resolve("os-release"), "ID=devbox\n");
        Files.writeString(root.resolve("etc/old.conf"), "removed by the upper layer\n");
        Path bin = Files.createDirectories(root.resolve("usr/bin"));
        Files.writeString(bin.resolve("su"), "#!/bin/sh\n");
        Files.writeString(bin.resolve("ping"), "#!/bin/sh\n");
        Path home = Files.createDirectories(root.resolve("home/dev"));
        Files.writeString(home.resolve(".bashrc"), "PS1='$ '\n");
        Files.createDirectories(root.resolve("tmp"));
        Files.createDirectories(root.resolve("root"));
        Shell.ok("chown", "-R", "1000:1000", home.toString());
        Shell.ok("chmod", "0750", home.toString());
        Shell.ok("chmod", "04755", bin.resolve("su").toString());
        Shell.ok("chmod", "01777", root.resolve("tmp").toString());
        Shell.ok("setcap", "cap_net_raw+ep", bin.resolve("ping").toString());
        return root;
    }

    private static String content(Map<String, DebugfsTree.Entry> tree, String path) {
        return new String(tree.get(path).content(), StandardCharsets.UTF_8);
    }
}
