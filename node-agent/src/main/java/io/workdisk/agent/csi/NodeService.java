package io.workdisk.agent.csi;

import io.grpc.stub.StreamObserver;
import io.workdisk.csi.CsiDriver;
import io.workdisk.csi.Presentation;
import io.workdisk.csi.protocol.NodeGetCapabilitiesRequest;
import io.workdisk.csi.protocol.NodeGetCapabilitiesResponse;
import io.workdisk.csi.protocol.NodeGetInfoRequest;
import io.workdisk.csi.protocol.NodeGetInfoResponse;
import io.workdisk.csi.protocol.NodeGetVolumeStatsRequest;
import io.workdisk.csi.protocol.NodeGetVolumeStatsResponse;
import io.workdisk.csi.protocol.NodeGrpc;
import io.workdisk.csi.protocol.NodePublishVolumeRequest;
import io.workdisk.csi.protocol.NodePublishVolumeResponse;
import io.workdisk.csi.protocol.NodeServiceCapability;
import io.workdisk.csi.protocol.NodeUnpublishVolumeRequest;
import io.workdisk.csi.protocol.NodeUnpublishVolumeResponse;
import io.workdisk.csi.protocol.Topology;
import io.workdisk.csi.protocol.VolumeUsage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The CSI Node service of one node: its identity and topology, and publishing through {@link NodePublisher}. */
final class NodeService extends NodeGrpc.NodeImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(NodeService.class);

    private final String nodeName;
    private final NodePublisher publisher;

    NodeService(String nodeName, NodePublisher publisher) {
        this.nodeName = nodeName;
        this.publisher = publisher;
    }

    @Override
    public void nodeGetInfo(NodeGetInfoRequest request, StreamObserver<NodeGetInfoResponse> out) {
        out.onNext(NodeGetInfoResponse.newBuilder()
                .setNodeId(nodeName)
                .setAccessibleTopology(Topology.newBuilder().putSegments(CsiDriver.TOPOLOGY_KEY, nodeName))
                .build());
        out.onCompleted();
    }

    @Override
    public void nodeGetCapabilities(
            NodeGetCapabilitiesRequest request, StreamObserver<NodeGetCapabilitiesResponse> out) {
        out.onNext(NodeGetCapabilitiesResponse.newBuilder()
                .addCapabilities(rpc(NodeServiceCapability.RPC.Type.GET_VOLUME_STATS))
                .addCapabilities(rpc(NodeServiceCapability.RPC.Type.VOLUME_MOUNT_GROUP))
                .build());
        out.onCompleted();
    }

    @Override
    public void nodePublishVolume(NodePublishVolumeRequest request, StreamObserver<NodePublishVolumeResponse> out) {
        try {
            publisher.publish(CapabilityReader.read(request));
            out.onNext(NodePublishVolumeResponse.getDefaultInstance());
            out.onCompleted();
        } catch (Refused e) {
            refuse("NodePublishVolume", e, out);
        }
    }

    @Override
    public void nodeUnpublishVolume(
            NodeUnpublishVolumeRequest request, StreamObserver<NodeUnpublishVolumeResponse> out) {
        try {
            publisher.unpublish(request.getVolumeId(), request.getTargetPath());
            out.onNext(NodeUnpublishVolumeResponse.getDefaultInstance());
            out.onCompleted();
        } catch (Refused e) {
            refuse("NodeUnpublishVolume", e, out);
        }
    }

    @Override
    public void nodeGetVolumeStats(NodeGetVolumeStatsRequest request, StreamObserver<NodeGetVolumeStatsResponse> out) {
        try {
            Publication published = publisher.publishedAt(request.getVolumeId(), request.getVolumePath());
            out.onNext(usage(published));
            out.onCompleted();
        } catch (Refused e) {
            refuse("NodeGetVolumeStats", e, out);
        }
    }

    /**
     * A mounted filesystem reports its own space; a Block device or disk image reports its size, which is all the
     * node can say without reading the guest's filesystem.
     */
    private static NodeGetVolumeStatsResponse usage(Publication published) throws Refused {
        try {
            Path target = Path.of(published.targetPath());
            if (published.presentation() == Presentation.MOUNTED) {
                var store = Files.getFileStore(target);
                long total = store.getTotalSpace();
                long available = store.getUsableSpace();
                return NodeGetVolumeStatsResponse.newBuilder()
                        .addUsage(VolumeUsage.newBuilder()
                                .setUnit(VolumeUsage.Unit.BYTES)
                                .setTotal(total)
                                .setAvailable(available)
                                .setUsed(total - store.getUnallocatedSpace()))
                        .build();
            }
            long size = Files.size(Path.of(published.imagePath()));
            return NodeGetVolumeStatsResponse.newBuilder()
                    .addUsage(VolumeUsage.newBuilder()
                            .setUnit(VolumeUsage.Unit.BYTES)
                            .setTotal(size))
                    .build();
        } catch (IOException e) {
            throw Refused.notFound("volume " + published.volumeId() + " at " + published.targetPath()
                    + " cannot be read: " + e.getMessage());
        }
    }

    private static void refuse(String call, Refused refused, StreamObserver<?> out) {
        LOG.warn("{} refused: {}", call, refused.getMessage());
        out.onError(refused.status().asRuntimeException());
    }

    private static NodeServiceCapability rpc(NodeServiceCapability.RPC.Type type) {
        return NodeServiceCapability.newBuilder()
                .setRpc(NodeServiceCapability.RPC.newBuilder().setType(type))
                .build();
    }
}
