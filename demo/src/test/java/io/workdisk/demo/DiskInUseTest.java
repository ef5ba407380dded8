package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.workdisk.agent.csi.CsiNode;
import io.workdisk.agent.csi.HostSupport;
import io.workdisk.agent.csi.cluster.DisksFromTasks;
import io.workdisk.agent.run.NodeAgent;
import io.workdisk.agent.testing.HostLeftovers;
import io.workdisk.agent.testing.Requirements;
import io.workdisk.api.Conditions;
import io.workdisk.api.node.VolumePublication;
import io.workdisk.api.node.WorkNode;
import io.workdisk.api.task.TaskType;
import io.workdisk.api.task.WorkTask;
import io.workdisk.api.workdisk.DiskPhase;
import io.workdisk.api.workdisk.DiskReasons;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.api.workdisk.WorkDiskSpec;
import io.workdisk.csi.CsiSocketChannels;
import io.workdisk.csi.VolumeId;
import io.workdisk.csi.protocol.NodeGrpc;
import io.workdisk.csi.protocol.NodePublishVolumeRequest;
import io.workdisk.csi.protocol.NodeUnpublishVolumeRequest;
import io.workdisk.csi.protocol.VolumeCapability;
import io.workdisk.operator.WorkdiskOperator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A disk a pod uses is neither grown nor deleted under it: on the real API server, with the operator, the node's
 * agent and its CSI node service publishing a real image (bound onto {@code disk.img}, as for a KubeVirt VM),
 * the resize and the deletion each wait, saying why, and go ahead once the disk is unpublished.
 */
@ExtendWith(SharedApiServer.class)
class DiskInUseTest {
    private static final String NODE = "node-a";
    private static final String POD = "team-a/vm-1";
    private static final long MIB = 1L << 20;

    @TempDir
    Path tmp;

    LocalCluster cluster;
    NodeAgent agent;
    CsiNode csi;
    CsiSocketChannels channel;
    Path kubelet;

    @BeforeEach
    void setUp(RealApiServer api) throws Exception {
        Requirements.need(HostSupport.canLoopMount(tmp), HostSupport.whyNot(tmp));
        cluster = new LocalCluster(
                api,
                // Ready disks looked at again only every minute: what moves them on here is the node's record
                new WorkdiskOperator.Settings(
                        "workdisk-system", 1.0, Duration.ofSeconds(90), Duration.ofSeconds(60), 4),
                Clock.systemUTC());
        // heartbeats half a minute apart: a publication reaches the node's record when it happens, not at a beat
        agent = cluster.startAgent(
                new NodeAgent.Settings(NODE, tmp.resolve(NODE), List.of(), null, 2, Duration.ofSeconds(30)));
        cluster.startOperator();
        kubelet = Files.createDirectories(tmp.resolve("kubelet/pods"));
        csi = CsiNode.start(
                CsiNode.Settings.of(NODE, tmp.resolve("node.sock"), tmp.resolve("kubelet"), tmp.resolve(NODE), "test"),
                new DisksFromTasks(cluster.client(), NODE, tmp.resolve(NODE)),
                Clock.systemUTC(),
                agent::reportSoon);
        channel = CsiSocketChannels.to(tmp.resolve("node.sock"));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (channel != null) {
            channel.close();
            csi.close();
        }
        try {
            // a failed test leaves no mount on the machine
            HostLeftovers.unmountUnder(tmp);
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    @Test
    void aResizeWaitsForThePodToStopAndThenGrows() throws Exception {
        WorkDisk disk = ready("grown");
        Path target = kubelet.resolve("p-1/volumes/grown");
        publish(disk, target);
        assertPublished(disk, target);

        Edits.edit(
                cluster.client()
                        .resources(WorkDisk.class)
                        .inNamespace("default")
                        .withName("grown"),
                d -> {
                    d.setSpec(d.getSpec().withSize("128Mi"));
                    return d;
                });
        Condition waiting = await().atMost(Duration.ofSeconds(20))
                .until(() -> ready(get("grown")), c -> c != null && DiskReasons.IN_USE.equals(c.getReason()));
        assertThat(waiting.getStatus()).as("usable at its old size meanwhile").isEqualTo("True");
        assertThat(waiting.getMessage())
                .isEqualTo("in use by pod " + POD + " on " + NODE + "; the resize to 128Mi waits for it to stop");
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(resizeTasks(disk))
                    .as("no resize step while the pod runs")
                    .isEmpty();
            assertThat(Files.size(image(disk))).isEqualTo(64 * MIB);
        });

        unpublish(disk, target);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            WorkDisk d = get("grown");
            assertThat(ready(d).getReason()).isEqualTo(DiskReasons.READY);
            assertThat(d.getStatus().publishedTo()).isNull();
            assertThat(d.getStatus().capacityBytes()).isGreaterThan(64 * MIB);
        });
        assertThat(Files.size(image(disk))).as("the image itself grew").isEqualTo(128 * MIB);

        cluster.client().resource(disk).delete();
        await().atMost(Duration.ofSeconds(30)).until(() -> get("grown") == null);
    }

    @Test
    void aDeletionWaitsForThePodToStopAndThenRemovesTheImage() throws Exception {
        WorkDisk disk = ready("deleted");
        Path target = kubelet.resolve("p-2/volumes/deleted");
        publish(disk, target);
        assertPublished(disk, target);

        cluster.client().resource(disk).delete();
        Condition waiting = await().atMost(Duration.ofSeconds(20))
                .until(() -> ready(get("deleted")), c -> c != null && DiskReasons.IN_USE.equals(c.getReason()));
        assertThat(waiting.getStatus()).isEqualTo("False");
        assertThat(waiting.getMessage())
                .isEqualTo("in use by pod " + POD + " on " + NODE + "; the image is removed once it is unpublished");
        assertThat(get("deleted").getStatus().phase()).isEqualTo(DiskPhase.Deleting);
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(get("deleted"))
                    .as("the WorkDisk stays while the pod runs")
                    .isNotNull();
            assertThat(image(disk)).as("and so does its image").exists();
            assertThat(target.resolve("disk.img"))
                    .as("which the pod still sees")
                    .exists();
        });

        unpublish(disk, target);
        await().atMost(Duration.ofSeconds(30)).until(() -> get("deleted") == null);
        assertThat(image(disk)).as("removed once unpublished").doesNotExist();
    }

    private WorkDisk ready(String name) {
        cluster.client()
                .resource(Manifests.disk(
                        "default", name, WorkDiskSpec.ofSize("64Mi").withNodeName(NODE)))
                .create();
        return Waits.phase(cluster.client(), name, DiskPhase.Ready);
    }

    private void publish(WorkDisk disk, Path target) throws Exception {
        Files.createDirectories(target.getParent()); // kubelet makes the pod's volume directory
        node().nodePublishVolume(NodePublishVolumeRequest.newBuilder()
                .setVolumeId(volumeId(disk))
                .setTargetPath(target.toString())
                .setVolumeCapability(VolumeCapability.newBuilder()
                        .setMount(VolumeCapability.MountVolume.getDefaultInstance())
                        .setAccessMode(VolumeCapability.AccessMode.newBuilder()
                                .setMode(VolumeCapability.AccessMode.Mode.SINGLE_NODE_WRITER)))
                .putVolumeContext("csi.storage.k8s.io/pod.name", "vm-1")
                .putVolumeContext("csi.storage.k8s.io/pod.namespace", "team-a")
                .putVolumeContext("csi.storage.k8s.io/pod.uid", "pod-uid-1")
                .build());
    }

    private void unpublish(WorkDisk disk, Path target) {
        node().nodeUnpublishVolume(NodeUnpublishVolumeRequest.newBuilder()
                .setVolumeId(volumeId(disk))
                .setTargetPath(target.toString())
                .build());
    }

    /** The node's record and the disk's status both show the publication, well before the next heartbeat. */
    private void assertPublished(WorkDisk disk, Path target) {
        VolumePublication expected = VolumePublication.of(
                volumeId(disk),
                disk.getMetadata().getUid(),
                target.toString(),
                "diskImage",
                false,
                "team-a",
                "vm-1",
                "pod-uid-1",
                null);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            WorkNode node =
                    cluster.client().resources(WorkNode.class).withName(NODE).get();
            assertThat(node.getStatus().publications())
                    .usingRecursiveFieldByFieldElementComparatorIgnoringFields("publishedAt")
                    .containsExactly(expected);
            assertThat(get(disk.getMetadata().getName()).getStatus().publishedTo())
                    .usingRecursiveFieldByFieldElementComparatorIgnoringFields("publishedAt")
                    .containsExactly(expected);
        });
    }

    private List<WorkTask> resizeTasks(WorkDisk disk) {
        return cluster.client().resources(WorkTask.class).inNamespace("default").list().getItems().stream()
                .filter(t -> t.getSpec().type() == TaskType.Resize)
                .filter(t -> disk.getMetadata().getUid().equals(t.getSpec().requester()))
                .toList();
    }

    private Path image(WorkDisk disk) {
        return Path.of(disk.getStatus().path());
    }

    private NodeGrpc.NodeBlockingStub node() {
        return NodeGrpc.newBlockingStub(channel.channel());
    }

    private static String volumeId(WorkDisk disk) {
        return VolumeId.of(
                        disk.getMetadata().getNamespace(),
                        disk.getMetadata().getName(),
                        disk.getMetadata().getUid())
                .toString();
    }

    private WorkDisk get(String name) {
        return Waits.get(cluster.client(), name);
    }

    private static Condition ready(WorkDisk d) {
        return d == null || d.getStatus() == null
                ? null
                : Conditions.find(d.getStatus().conditions(), "Ready");
    }
}
