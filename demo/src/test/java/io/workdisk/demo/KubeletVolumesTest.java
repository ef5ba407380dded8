package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.workdisk.agent.testing.Shell;
import io.workdisk.api.node.VolumePublication;
import io.workdisk.api.node.WorkNode;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.csi.CsiDriver;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The driver under a real kubelet ({@code ../shared/kubelet}: kubelet v1.32 with containerd), the whole way a
 * user's claim goes: the agent's node service registered through csi-node-driver-registrar, the scheduler
 * placing a pod and its {@code WaitForFirstConsumer} claim, csi-provisioner making the WorkDisk, the kubelet
 * publishing it and running the pod, which sees its disk in each presentation (Block, Filesystem
 * {@code disk.img}, Filesystem mounted). Deleting the pod unpublishes it (loop device detached, mount gone);
 * the claim then grows through csi-resizer and the pod, run again, sees the larger disk and its old data. The
 * agent SIGKILLed while a pod uses its disk still takes the publication down with the pod. A disk on another
 * node is never published here, even for a pod bound here past the scheduler; a claim smaller than its seed is
 * refused with the spec's code. The agent and the operator run as their own processes with their
 * {@code --csi-socket} flags.
 */
@ExtendWith(SharedApiServer.class)
class KubeletVolumesTest {
    private static final long MIB = 1L << 20;

    @TempDir
    static Path tmp;

    static KubeletCluster cluster;
    static KubernetesClient kube;
    static VolumePods pods;

    @BeforeAll
    static void startNode(RealApiServer api) throws Exception {
        cluster = KubeletCluster.start(api, tmp);
        kube = cluster.client();
        pods = cluster.pods();
    }

    @AfterAll
    static void stopNode() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void theAgentsNodeServiceIsRegisteredWithTheKubelet() {
        String node = cluster.nodeName();
        var csiNode = kube.storage().v1().csiNodes().withName(node).get();
        assertThat(csiNode.getSpec().getDrivers()).singleElement().satisfies(d -> {
            assertThat(d.getName()).isEqualTo(CsiDriver.NAME);
            assertThat(d.getNodeID()).as("NodeGetInfo's node id").isEqualTo(node);
            assertThat(d.getTopologyKeys()).containsExactly(CsiDriver.TOPOLOGY_KEY);
        });
        assertThat(kube.nodes().withName(node).get().getMetadata().getLabels())
                .as("the kubelet labels its Node with the driver's topology")
                .containsEntry(CsiDriver.TOPOLOGY_KEY, node);
    }

    @Test
    void aBlockClaimIsTheDiskAsADeviceThatGrowsWhileNoPodUsesIt() throws Exception {
        PersistentVolumeClaim claim = pods.claim("block", KubeletCluster.BLANK, "64Mi", true);
        // the pod writes near the end of the device (free blocks of the blank ext4) and reads it back
        long mark = 64 * MIB - 4096;
        pods.run("block-1", claim, """
                echo size=$(blockdev --getsize64 %1$s)
                printf 'written by block-1' | dd of=%1$s bs=4096 seek=%2$d conv=notrunc,fsync 2>/dev/null
                echo read=$(dd if=%1$s bs=4096 skip=%2$d count=1 2>/dev/null | head -c 18)
                """.formatted(VolumePods.DEVICE, mark / 4096), null, null);
        assertThat(pods.output("block-1")).contains("size=" + 64 * MIB).contains("read=written by block-1");
        WorkDisk disk = cluster.diskOf("block");
        Path image = Path.of(disk.getStatus().path());
        assertPublished("block", "block", "block-1");
        assertThat(cluster.loopDevicesOf(image))
                .as("the image on one loop device")
                .hasSize(1);

        pods.delete("block-1");
        assertUnpublished("block");
        assertThat(cluster.loopDevicesOf(image)).as("detached with the pod").isEmpty();
        assertThat(bytesAt(image, mark, 18))
                .as("the pod's write is in the image")
                .isEqualTo("written by block-1");

        cluster.grow("block", "128Mi");
        assertThat(Files.size(image)).isEqualTo(128 * MIB);
        pods.run("block-2", claim, """
                echo size=$(blockdev --getsize64 %1$s)
                echo read=$(dd if=%1$s bs=4096 skip=%2$d count=1 2>/dev/null | head -c 18)
                """.formatted(VolumePods.DEVICE, mark / 4096), null, null);
        assertThat(pods.output("block-2"))
                .as("the pod run again sees the larger disk and what the first one wrote")
                .contains("size=" + 128 * MIB)
                .contains("read=written by block-1");
        pods.delete("block-2");
        assertThat(cluster.loopDevicesOf(image)).isEmpty();
    }

    @Test
    void aFilesystemClaimIsTheImageAsDiskImgForANonRootVm() throws Exception {
        PersistentVolumeClaim claim = pods.claim("vm-disk", KubeletCluster.BLANK, "64Mi", false);
        // as KubeVirt's virt-launcher: uid 107, fsGroup 107; the first 1024 bytes of ext4 are unused
        String script = """
                echo $(stat -c 'size=%%s' %1$s/disk.img)
                echo magic=$(od -A n -t x1 -j 1080 -N 2 %1$s/disk.img | tr -d ' ')
                printf '%2$s' | dd of=%1$s/disk.img bs=1 conv=notrunc 2>/dev/null
                """;
        pods.run("vm-1", claim, script.formatted(VolumePods.DIRECTORY, "vm-1"), 107L, 107L);
        assertThat(pods.output("vm-1"))
                .contains("size=" + 64 * MIB)
                .as("the ext4 superblock's magic, 0xEF53 little-endian")
                .contains("magic=53ef");
        WorkDisk disk = cluster.diskOf("vm-disk");
        Path image = Path.of(disk.getStatus().path());
        String target = assertPublished("vm-disk", "diskImage", "vm-1").targetPath();
        assertThat(cluster.mountsUnder(target))
                .as("disk.img bound at the pod's volume")
                .isNotEmpty();

        pods.delete("vm-1");
        assertUnpublished("vm-disk");
        assertThat(cluster.mountsUnder(target)).as("unmounted with the pod").isEmpty();
        assertThat(bytesAt(image, 0, 4))
                .as("the non-root pod wrote to the image")
                .isEqualTo("vm-1");
        Shell.assertFsckClean(image);

        cluster.grow("vm-disk", "96Mi");
        pods.run("vm-2", claim, script.formatted(VolumePods.DIRECTORY, "vm-2"), 107L, 107L);
        assertThat(pods.output("vm-2")).contains("size=" + 96 * MIB).contains("magic=53ef");
        pods.delete("vm-2");
        assertThat(cluster.mountsUnder(target)).isEmpty();
    }

    @Test
    void aMountedClaimShowsTheSeedsFiles() throws Exception {
        PersistentVolumeClaim claim = pods.claim("files", KubeletCluster.MOUNTED_FROM_SEED, "512Mi", false);
        pods.run("files-1", claim, """
                echo files=$(ls %1$s | tr '\\n' ,)
                echo hello=$(cat %1$s/hello.txt)
                echo 'made in the pod' > %1$s/from-pod.txt
                sync
                """.formatted(VolumePods.DIRECTORY), null, null);
        assertThat(pods.output("files-1"))
                .contains("files=etc,hello.txt,lost+found,")
                .contains("hello=" + KubeletCluster.SEED_HELLO);
        WorkDisk disk = cluster.diskOf("files");
        Path image = Path.of(disk.getStatus().path());
        String target = assertPublished("files", "mounted", "files-1").targetPath();
        assertThat(cluster.mountsUnder(target))
                .as("the ext4 mounted at the pod's volume")
                .isNotEmpty();
        assertThat(cluster.loopDevicesOf(image)).hasSize(1);

        // the agent killed and started again while the pod runs: it finds its publication again (one loop device,
        // still shown on the disk), and the kubelet's unpublish, sent to the new process, takes it all down
        cluster.killAndRestartAgent();
        assertPublished("files", "mounted", "files-1");
        assertThat(cluster.loopDevicesOf(image)).as("not attached twice").hasSize(1);
        pods.delete("files-1");
        assertUnpublished("files");
        assertThat(cluster.mountsUnder(target)).as("unmounted with the pod").isEmpty();
        assertThat(cluster.loopDevicesOf(image)).as("its loop device detached").isEmpty();
        Shell.assertFsckClean(image);
        assertThat(Shell.ok("debugfs", "-R", "cat /from-pod.txt", image.toString()))
                .as("the pod's file, read from the image by debugfs")
                .isEqualTo("made in the pod\n");

        cluster.grow("files", "640Mi");
        assertThat(Files.size(image)).isEqualTo(640 * MIB);
    }

    @Test
    void aClaimBelowItsSeedsSizeIsRefusedNamingTheSizeToAskFor() {
        PersistentVolumeClaim claim = pods.claim("too-small", KubeletCluster.MOUNTED_FROM_SEED, "64Mi", false);
        pods.run("too-small-1", claim, "true", null, null);
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(cluster.events("too-small"))
                        .anyMatch(e -> e.startsWith("ProvisioningFailed: ")
                                && e.contains("code = OutOfRange desc = disk pvc-")
                                && e.endsWith("cannot be made: SizeBelowSeed (size 64Mi is below the seed's filesystem"
                                        + " size 512Mi (536870912 bytes); ask for at least that much)")));
        assertThat(kube.persistentVolumeClaims()
                        .inNamespace("default")
                        .withName("too-small")
                        .get()
                        .getStatus()
                        .getPhase())
                .isEqualTo("Pending");
        pods.delete("too-small-1");
        kube.resource(claim).delete();
    }

    @Test
    void aDiskOnAnotherNodeIsNeverPublishedHere() throws Exception {
        // made on the other node: as if the scheduler had put the claim's first consumer there
        PersistentVolumeClaim claim = cluster.claimOn("elsewhere", KubeletCluster.OTHER_NODE);
        PersistentVolume volume = cluster.boundVolume("elsewhere");
        assertThat(volume.getSpec().getNodeAffinity().getRequired().getNodeSelectorTerms())
                .singleElement()
                .satisfies(t -> assertThat(t.getMatchExpressions())
                        .singleElement()
                        .satisfies(e -> assertThat(e.getValues()).containsExactly(KubeletCluster.OTHER_NODE)));
        WorkDisk disk = cluster.diskOf("elsewhere");

        // the scheduler keeps a pod that asks for this node away from the disk, by the PV's node affinity
        pods.run("wants-elsewhere", claim, "true", null, null);
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(
                        () -> assertThat(unschedulable("wants-elsewhere")).contains("volume node affinity conflict"));
        // a pod bound here by name, past the scheduler: the kubelet checks the same affinity
        pods.runBoundTo("forced-here", claim, "true");
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(cluster.events("forced-here"))
                        .anyMatch(e -> e.startsWith("FailedMount: ") && e.contains("NodeAffinity check failed")));

        // a PV written by hand with the volume id of another disk there (the kubelet retries a failed volume with
        // a backoff kept per volume id: a second disk keeps the two pods' attempts apart) and no affinity: it
        // reaches the node service, which refuses it
        cluster.claimOn("elsewhere-2", KubeletCluster.OTHER_NODE);
        PersistentVolume second = cluster.boundVolume("elsewhere-2");
        WorkDisk secondDisk = cluster.diskOf("elsewhere-2");
        PersistentVolumeClaim stolen =
                cluster.handMadeClaim("stolen", second.getSpec().getCsi().getVolumeHandle());
        pods.run("stolen-1", stolen, "true", null, null);
        String refusal = "code = NotFound desc = disk default/"
                + secondDisk.getMetadata().getName() + " is not made on node " + cluster.nodeName();
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(cluster.events("stolen-1"))
                        .anyMatch(e -> e.startsWith("FailedMount: ") && e.contains(refusal)));
        for (String pod : List.of("forced-here", "stolen-1")) {
            assertThat(kube.pods()
                            .inNamespace("default")
                            .withName(pod)
                            .get()
                            .getStatus()
                            .getPhase())
                    .as(pods.describe(pod))
                    .isEqualTo("Pending");
        }
        assertThat(kube.resources(WorkNode.class)
                        .withName(cluster.nodeName())
                        .get()
                        .getStatus()
                        .publications())
                .as("nothing published on the kubelet's node")
                .isNullOrEmpty();
        assertThat(secondDisk.getStatus().nodeName()).isEqualTo(KubeletCluster.OTHER_NODE);
        assertThat(cluster.loopDevicesOf(Path.of(disk.getStatus().path()))).isEmpty();
        assertThat(cluster.loopDevicesOf(Path.of(secondDisk.getStatus().path())))
                .isEmpty();
        assertThat(cluster.mountsUnder(cluster.kubeletRoot().resolve("pods").toString()))
                .as("nothing mounted for either pod")
                .noneMatch(m -> m.contains(volume.getMetadata().getName())
                        || m.contains(second.getMetadata().getName())
                        || m.contains("stolen"));
        for (String pod : List.of("wants-elsewhere", "forced-here", "stolen-1")) {
            pods.delete(pod);
        }
    }

    /** The publication the disk's status shows for {@code pod}, as the node service recorded it. */
    private static VolumePublication assertPublished(String claim, String presentation, String pod) {
        return await().atMost(Duration.ofSeconds(20))
                .until(
                        () -> {
                            List<VolumePublication> to =
                                    cluster.diskOf(claim).getStatus().publishedTo();
                            return to == null || to.size() != 1 ? null : to.get(0);
                        },
                        p -> p != null && presentation.equals(p.presentation()) && pod.equals(p.podName()));
    }

    private static void assertUnpublished(String claim) {
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(
                        () -> assertThat(cluster.diskOf(claim).getStatus().publishedTo())
                                .isNullOrEmpty());
    }

    private static String unschedulable(String pod) {
        return kube.pods().inNamespace("default").withName(pod).get().getStatus().getConditions().stream()
                .filter(c -> "PodScheduled".equals(c.getType()) && "False".equals(c.getStatus()))
                .map(c -> c.getMessage())
                .findFirst()
                .orElse("");
    }

    private static String bytesAt(Path image, long offset, int length) throws Exception {
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "r")) {
            byte[] bytes = new byte[length];
            file.seek(offset);
            file.readFully(bytes);
            return new String(bytes, StandardCharsets.US_ASCII);
        }
    }
}
