package io.workdisk.agent.csi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.workdisk.agent.testing.HostLeftovers;
import io.workdisk.agent.testing.Requirements;
import io.workdisk.csi.VolumeId;
import io.workdisk.csi.protocol.NodePublishVolumeRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node service is privileged and its callers are not trusted: each hostile request is refused with the
 * CSI specification's code and a line naming the cause, and leaves no loop device, mount, file or record.
 */
class HostileNodeRequestsTest {
    private static final long SIZE = 64L << 20;

    @TempDir
    Path dir;

    NodeHarness node;
    VolumeId disk;

    @BeforeEach
    void start() throws Exception {
        Requirements.need(HostSupport.canLoopMount(dir), HostSupport.whyNot(dir));
        node = new NodeHarness(dir);
        disk = node.disks.make("team-a", "dev-vm", SIZE);
    }

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void aTargetOutsideTheKubeletDirectory() throws Exception {
        Path elsewhere = Files.createDirectories(dir.resolve("etc"));
        refused(
                NodeHarness.publish(disk.toString(), elsewhere.resolve("target"), NodeHarness.block(), null),
                Status.Code.INVALID_ARGUMENT,
                "is outside the kubelet directory");
        assertThat(elsewhere.resolve("target")).doesNotExist();
    }

    @Test
    void aTargetThatClimbsOutWithDotDot() throws Exception {
        String climbing = node.kubelet + "/pods/../../etc/target";
        refused(
                NodeHarness.publish(disk.toString(), Path.of(climbing), NodeHarness.block(), null).toBuilder()
                        .setTargetPath(climbing)
                        .build(),
                Status.Code.INVALID_ARGUMENT,
                "is not an absolute, normalized path");
    }

    @Test
    void aTargetReachedThroughASymlink() throws Exception {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Path link = Files.createSymbolicLink(node.kubelet.resolve("pods/link"), outside);
        refused(
                NodeHarness.publish(disk.toString(), link.resolve("target"), NodeHarness.mount(List.of(), ""), null),
                Status.Code.INVALID_ARGUMENT,
                "goes through the symlink");
        try (var entries = Files.list(outside)) {
            assertThat(entries).isEmpty();
        }
    }

    @Test
    void aTargetThatIsItselfASymlink() throws Exception {
        Path device = Files.createFile(dir.resolve("host-file"));
        Path link = Files.createSymbolicLink(node.kubelet.resolve("pods/link-target"), device);
        refused(
                NodeHarness.publish(disk.toString(), link, NodeHarness.block(), null),
                Status.Code.INVALID_ARGUMENT,
                "goes through the symlink");
    }

    @Test
    void anotherNodesDisk() throws Exception {
        node.disks.put(disk, MadeDisks.State.OTHER_NODE);
        refused(
                target -> NodeHarness.publish(disk.toString(), target, NodeHarness.block(), null),
                Status.Code.NOT_FOUND,
                "is on node other-node");
    }

    @Test
    void aDiskBeingDeleted() throws Exception {
        node.disks.put(disk, MadeDisks.State.DELETING);
        refused(
                target -> NodeHarness.publish(disk.toString(), target, NodeHarness.block(), null),
                Status.Code.FAILED_PRECONDITION,
                "is being deleted");
    }

    @Test
    void aDiskBeingResized() throws Exception {
        node.disks.put(disk, MadeDisks.State.RESIZING);
        refused(
                target -> NodeHarness.publish(disk.toString(), target, NodeHarness.mount(List.of(), ""), null),
                Status.Code.FAILED_PRECONDITION,
                "is being resized");
    }

    @Test
    void aVolumeIdThisDriverNeverMade() throws Exception {
        refused(
                target -> NodeHarness.publish("../../seeds/ubuntu-root.ext4", target, NodeHarness.block(), null),
                Status.Code.NOT_FOUND,
                "is not a workdisk.io volume");
        refused(
                target -> NodeHarness.publish(
                        VolumeId.of("team-a", "dev-vm", "0000-1111").toString(), target, NodeHarness.block(), null),
                Status.Code.NOT_FOUND,
                "does not exist");
    }

    @Test
    void aMountFlagThatWouldOpenTheHost() throws Exception {
        refused(
                target -> NodeHarness.publish(
                        disk.toString(), target, NodeHarness.mount(List.of("dev", "suid"), ""), "mounted"),
                Status.Code.INVALID_ARGUMENT,
                "mount flag dev is not allowed");
    }

    @Test
    void anAccessModeForManyNodes() throws Exception {
        var capability = NodeHarness.block().toBuilder()
                .setAccessMode(NodeHarness.block().getAccessMode().toBuilder()
                        .setMode(io.workdisk.csi.protocol.VolumeCapability.AccessMode.Mode.MULTI_NODE_MULTI_WRITER))
                .build();
        refused(
                target -> NodeHarness.publish(disk.toString(), target, capability, null),
                Status.Code.INVALID_ARGUMENT,
                "access mode MULTI_NODE_MULTI_WRITER is not offered");
    }

    @Test
    void aSecondPresentationOfAPublishedDisk() throws Exception {
        Path first = node.kubelet.resolve("pods/first");
        node.node().nodePublishVolume(NodeHarness.publish(disk.toString(), first, NodeHarness.block(), null));
        List<HostLeftovers.LoopDevice> loopsBefore = node.loopDevices();
        List<Path> mountsBefore = node.mounts();
        Path second = node.kubelet.resolve("pods/second");
        assertThatThrownBy(() -> node.node()
                        .nodePublishVolume(NodeHarness.publish(
                                disk.toString(), second, NodeHarness.mount(List.of(), ""), "mounted")))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
                    assertThat(e.getStatus().getDescription()).contains("is published as block at " + first);
                });
        assertThat(second).doesNotExist();
        assertThat(node.loopDevices()).isEqualTo(loopsBefore);
        assertThat(node.mounts()).isEqualTo(mountsBefore);
        node.node().nodeUnpublishVolume(NodeHarness.unpublish(disk, first));
        assertThat(node.loopDevices()).isEmpty();
    }

    private void refused(
            java.util.function.Function<Path, NodePublishVolumeRequest> request, Status.Code code, String why)
            throws Exception {
        refused(request.apply(node.kubelet.resolve("pods/target")), code, why);
    }

    private void refused(NodePublishVolumeRequest request, Status.Code code, String why) throws Exception {
        assertThatThrownBy(() -> node.node().nodePublishVolume(request))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(code);
                    assertThat(e.getStatus().getDescription()).contains(why).doesNotContain("Exception");
                });
        assertThat(node.loopDevices()).as("loop devices").isEmpty();
        assertThat(node.mounts()).as("mounts").isEmpty();
        assertThat(node.kubelet.resolve("pods/target")).doesNotExist();
        assertThat(Publications.under(node.data).all())
                .as("publication records")
                .isEmpty();
    }
}
