package io.workdisk.agent.csi;

import io.workdisk.agent.testing.HostLeftovers;
import io.workdisk.csi.CsiDriver;
import io.workdisk.csi.CsiSocketChannels;
import io.workdisk.csi.VolumeId;
import io.workdisk.csi.protocol.NodeGrpc;
import io.workdisk.csi.protocol.NodePublishVolumeRequest;
import io.workdisk.csi.protocol.NodeUnpublishVolumeRequest;
import io.workdisk.csi.protocol.VolumeCapability;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/** A node service on a real socket over a test's directory: kubelet dir, data root, and disks it makes. */
final class NodeHarness implements AutoCloseable {
    static final String NODE = "node-a";
    final Path dir;
    final Path kubelet;
    final Path data;
    final MadeDisks disks;
    private CsiNode node;
    private CsiSocketChannels client;

    NodeHarness(Path dir) throws Exception {
        this.dir = dir;
        this.kubelet = Files.createDirectories(dir.resolve("kubelet"));
        Files.createDirectories(kubelet.resolve("pods"));
        this.data = Files.createDirectories(dir.resolve("data"));
        this.disks = new MadeDisks(data);
        start();
    }

    /** Stops the service and starts a new one over the same directories, as an agent restart does. */
    void restart() throws IOException {
        stop();
        start();
    }

    private void start() throws IOException {
        node = CsiNode.start(
                CsiNode.Settings.of(NODE, dir.resolve("node.sock"), kubelet, data, "test"), disks, Clock.systemUTC());
        client = CsiSocketChannels.to(dir.resolve("node.sock"));
    }

    private void stop() {
        client.close();
        node.close();
    }

    NodeGrpc.NodeBlockingStub node() {
        return NodeGrpc.newBlockingStub(client.channel());
    }

    static VolumeCapability block() {
        return VolumeCapability.newBuilder()
                .setBlock(VolumeCapability.BlockVolume.getDefaultInstance())
                .setAccessMode(VolumeCapability.AccessMode.newBuilder()
                        .setMode(VolumeCapability.AccessMode.Mode.SINGLE_NODE_WRITER))
                .build();
    }

    static VolumeCapability mount(List<String> flags, String group) {
        return VolumeCapability.newBuilder()
                .setMount(VolumeCapability.MountVolume.newBuilder()
                        .addAllMountFlags(flags)
                        .setVolumeMountGroup(group))
                .setAccessMode(VolumeCapability.AccessMode.newBuilder()
                        .setMode(VolumeCapability.AccessMode.Mode.SINGLE_NODE_WRITER))
                .build();
    }

    static NodePublishVolumeRequest publish(
            String volumeId, Path target, VolumeCapability capability, String presentation) {
        var request = NodePublishVolumeRequest.newBuilder()
                .setVolumeId(volumeId)
                .setTargetPath(target.toString())
                .setVolumeCapability(capability)
                .putVolumeContext("csi.storage.k8s.io/pod.name", "vm-1")
                .putVolumeContext("csi.storage.k8s.io/pod.namespace", "team-a");
        if (presentation != null) {
            request.putVolumeContext(CsiDriver.PRESENTATION, presentation);
        }
        return request.build();
    }

    static NodeUnpublishVolumeRequest unpublish(VolumeId id, Path target) {
        return NodeUnpublishVolumeRequest.newBuilder()
                .setVolumeId(id.toString())
                .setTargetPath(target.toString())
                .build();
    }

    /** Loop devices backed by a file under this test's directory. */
    List<HostLeftovers.LoopDevice> loopDevices() {
        return HostLeftovers.loopDevicesUnder(dir);
    }

    /** Mount points under this test's directory, deepest first. */
    List<Path> mounts() {
        return HostLeftovers.mountsUnder(dir);
    }

    /**
     * Stops the service; then, so that a failed test leaves no mount or loop device on the machine, takes down
     * whatever is still mounted under the test's directory and detaches its loop devices.
     */
    @Override
    public void close() {
        stop();
        HostLeftovers.takeDownUnder(dir);
    }
}
