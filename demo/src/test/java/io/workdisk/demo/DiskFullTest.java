package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.workdisk.agent.testing.Requirements;
import io.workdisk.agent.testing.Rootfs;
import io.workdisk.agent.testing.Shell;
import io.workdisk.api.task.TaskPhase;
import io.workdisk.api.task.WorkTask;
import io.workdisk.api.workdisk.DiskPhase;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.api.workseed.NodeSeedStatus;
import io.workdisk.api.workseed.SeedPhase;
import io.workdisk.api.workseed.WorkSeed;
import io.workdisk.operator.WorkdiskOperator;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node whose data root is a small filesystem (a 192 MiB tmpfs) is asked for a seed whose payload does
 * not fit: the build runs out of space part-way, the seed says so on that node, nothing of the attempt is
 * left, and the disk already there is untouched, byte for byte.
 */
@ExtendWith(SharedApiServer.class)
class DiskFullTest {
    @TempDir
    Path tmp;

    @Test
    void runningOutOfSpaceFailsClearlyLeavesNothingAndHarmsNoOtherDisk(RealApiServer api) throws Exception {
        Path small = Files.createDirectories(tmp.resolve("small"));
        Shell.Result mount =
                Shell.run(List.of("mount", "-t", "tmpfs", "-o", "size=192m", "workdisk-test", small.toString()));
        Requirements.need(
                mount.exitCode() == 0,
                "mounting a small tmpfs is refused here (" + mount.stderr().strip()
                        + "); the full data root needs root and a kernel that lets it mount");
        try {
            Path images = Files.createDirectories(tmp.resolve("images"));
            Path tree = Files.createDirectories(tmp.resolve("rootfs-tree/root"));
            byte[] chunk = new byte[1 << 20];
            new Random(5).nextBytes(chunk);
            try (OutputStream out = Files.newOutputStream(tree.resolve("payload.bin"))) {
                for (int i = 0; i < 220; i++) { // incompressible and larger than the whole data root
                    out.write(chunk);
                }
            }
            Path rootfs = Rootfs.make(tree.getParent(), images.resolve("big.ext4"), 320, Rootfs.Layout.EXT4_DEFAULT);

            try (LocalCluster cluster = new LocalCluster(
                    api,
                    new WorkdiskOperator.Settings(
                            "workdisk-system", 1.0, Duration.ofSeconds(30), Duration.ofSeconds(3), 4),
                    Clock.systemUTC())) {
                KubernetesClient kube = cluster.client();
                cluster.addNode("small", Map.of(), small, List.of(images), null);
                cluster.startOperator();
                kube.resource(Manifests.disk("keeper", "64Mi")).create();
                Path keeper = Path.of(
                        Waits.phase(kube, "keeper", DiskPhase.Ready).getStatus().path());
                String keeperBytes = sha256(keeper);
                long usedBefore = used(small);

                kube.resource(Manifests.seed("big", rootfs)).create();

                await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                    WorkSeed seed =
                            kube.resources(WorkSeed.class).withName("big").get();
                    assertThat(seed.getStatus()).isNotNull();
                    NodeSeedStatus onSmall = seed.getStatus().nodes().get(0);
                    assertThat(onSmall.phase()).isEqualTo(SeedPhase.Failed);
                    assertThat(onSmall.message()).containsIgnoringCase("space");
                    // between retries: nothing of the attempt is left and the space is given back
                    assertThat(kube.resources(WorkTask.class)
                                    .inAnyNamespace()
                                    .list()
                                    .getItems())
                            .noneMatch(
                                    t -> t.getStatus() != null && t.getStatus().phase() == TaskPhase.Running);
                    try (Stream<Path> seeds = Files.list(small.resolve("seeds"))) {
                        assertThat(seeds).as("no partial seed or staging left").isEmpty();
                    }
                    assertThat(used(small)).isLessThanOrEqualTo(usedBefore + (1 << 20));
                });
                System.out.println("disk full: "
                        + kube.resources(WorkSeed.class)
                                .withName("big")
                                .get()
                                .getStatus()
                                .nodes()
                                .get(0)
                                .message());

                assertThat(sha256(keeper))
                        .as("the disk already there is unchanged")
                        .isEqualTo(keeperBytes);
                Shell.assertFsckClean(keeper);
                assertThat(kube.resources(WorkDisk.class)
                                .inNamespace("default")
                                .withName("keeper")
                                .get()
                                .getStatus()
                                .phase())
                        .isEqualTo(DiskPhase.Ready);
            }
        } finally {
            Shell.run(List.of("umount", "-l", small.toString()));
        }
    }

    static long used(Path mount) throws Exception {
        var store = Files.getFileStore(mount);
        return store.getTotalSpace() - store.getUnallocatedSpace();
    }

    static String sha256(Path file) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (var in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
