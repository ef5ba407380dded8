package io.workdisk.agent.csi;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.workdisk.csi.CsiDriver;
import io.workdisk.csi.VolumeId;
import io.workdisk.csi.protocol.ControllerGetCapabilitiesRequest;
import io.workdisk.csi.protocol.ControllerGetCapabilitiesResponse;
import io.workdisk.csi.protocol.ControllerGrpc;
import io.workdisk.csi.protocol.ControllerServiceCapability;
import io.workdisk.csi.protocol.CreateVolumeRequest;
import io.workdisk.csi.protocol.CreateVolumeResponse;
import io.workdisk.csi.protocol.DeleteVolumeRequest;
import io.workdisk.csi.protocol.DeleteVolumeResponse;
import io.workdisk.csi.protocol.Topology;
import io.workdisk.csi.protocol.Volume;
import java.util.Locale;

/**
 * A stand-in for the operator's controller service, for tests of the node service alone (csi-sanity needs a
 * controller to make the volumes its node cases publish): CreateVolume makes a real blank ext4 disk with the
 * engine, DeleteVolume removes it. Not under test itself.
 */
final class DiskMakingController extends ControllerGrpc.ControllerImplBase {
    static final long DEFAULT_SIZE = 64L << 20;
    private final MadeDisks disks;
    private final String node;

    DiskMakingController(MadeDisks disks, String node) {
        this.disks = disks;
        this.node = node;
    }

    @Override
    public synchronized void createVolume(CreateVolumeRequest request, StreamObserver<CreateVolumeResponse> out) {
        if (request.getName().isEmpty() || request.getVolumeCapabilitiesCount() == 0) {
            out.onError(Status.INVALID_ARGUMENT
                    .withDescription("name and volume_capabilities are required")
                    .asRuntimeException());
            return;
        }
        long size = Math.max(request.getCapacityRange().getRequiredBytes(), DEFAULT_SIZE);
        String name = request.getName().toLowerCase(Locale.ROOT);
        try {
            VolumeId id = disks.named("sanity", name).orElse(null);
            if (id == null) {
                id = disks.make("sanity", name, size);
            }
            out.onNext(CreateVolumeResponse.newBuilder()
                    .setVolume(Volume.newBuilder()
                            .setVolumeId(id.toString())
                            .setCapacityBytes(size)
                            .putAllVolumeContext(request.getParametersMap())
                            .addAccessibleTopology(Topology.newBuilder().putSegments(CsiDriver.TOPOLOGY_KEY, node)))
                    .build());
            out.onCompleted();
        } catch (Exception e) {
            out.onError(Status.INTERNAL.withDescription(e.getMessage()).asRuntimeException());
        }
    }

    @Override
    public synchronized void deleteVolume(DeleteVolumeRequest request, StreamObserver<DeleteVolumeResponse> out) {
        try {
            var id = VolumeId.parse(request.getVolumeId());
            if (id.isPresent()) {
                disks.remove(id.get());
            }
            out.onNext(DeleteVolumeResponse.getDefaultInstance());
            out.onCompleted();
        } catch (Exception e) {
            out.onError(Status.INTERNAL.withDescription(e.getMessage()).asRuntimeException());
        }
    }

    @Override
    public void controllerGetCapabilities(
            ControllerGetCapabilitiesRequest request, StreamObserver<ControllerGetCapabilitiesResponse> out) {
        out.onNext(ControllerGetCapabilitiesResponse.newBuilder()
                .addCapabilities(ControllerServiceCapability.newBuilder()
                        .setRpc(ControllerServiceCapability.RPC
                                .newBuilder()
                                .setType(ControllerServiceCapability.RPC.Type.CREATE_DELETE_VOLUME)))
                .build());
        out.onCompleted();
    }
}
