package io.workdisk.demo;

import com.google.protobuf.Int64Value;
import io.grpc.stub.StreamObserver;
import io.workdisk.csi.CsiSocketServer;
import io.workdisk.csi.IdentityService;
import io.workdisk.csi.protocol.ControllerGetCapabilitiesRequest;
import io.workdisk.csi.protocol.ControllerGetCapabilitiesResponse;
import io.workdisk.csi.protocol.ControllerGrpc;
import io.workdisk.csi.protocol.ControllerServiceCapability;
import io.workdisk.csi.protocol.CreateVolumeRequest;
import io.workdisk.csi.protocol.CreateVolumeResponse;
import io.workdisk.csi.protocol.DeleteVolumeRequest;
import io.workdisk.csi.protocol.DeleteVolumeResponse;
import io.workdisk.csi.protocol.GetCapacityRequest;
import io.workdisk.csi.protocol.GetCapacityResponse;
import io.workdisk.csi.protocol.Volume;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A CSI controller under the driver's name that makes nothing: CreateVolume answers at once with a volume on
 * the node the scheduler chose (the first preferred segment), and every node reports a TiB free. With it in
 * the driver's place the real scheduler, controller-manager and csi-provisioner do all they do for a
 * provisioned claim and the driver costs nothing: the floor under any driver's time on the same machine.
 */
final class InstantCsiController extends ControllerGrpc.ControllerImplBase implements AutoCloseable {
    private static final long TIB = 1L << 40;

    private final CsiSocketServer server;
    private final AtomicInteger created = new AtomicInteger();

    private InstantCsiController(Path socket) {
        this.server = CsiSocketServer.start(socket, List.of(IdentityService.of("instant", () -> true), this));
    }

    static InstantCsiController serving(Path socket) {
        return new InstantCsiController(socket);
    }

    /** CreateVolume calls answered, the same name counted again when asked again. */
    int created() {
        return created.get();
    }

    @Override
    public void controllerGetCapabilities(
            ControllerGetCapabilitiesRequest request, StreamObserver<ControllerGetCapabilitiesResponse> out) {
        ControllerGetCapabilitiesResponse.Builder answer = ControllerGetCapabilitiesResponse.newBuilder();
        for (ControllerServiceCapability.RPC.Type type : List.of(
                ControllerServiceCapability.RPC.Type.CREATE_DELETE_VOLUME,
                ControllerServiceCapability.RPC.Type.GET_CAPACITY)) {
            answer.addCapabilities(ControllerServiceCapability.newBuilder()
                    .setRpc(ControllerServiceCapability.RPC.newBuilder().setType(type)));
        }
        out.onNext(answer.build());
        out.onCompleted();
    }

    @Override
    public void createVolume(CreateVolumeRequest request, StreamObserver<CreateVolumeResponse> out) {
        created.incrementAndGet();
        Volume.Builder volume = Volume.newBuilder()
                .setVolumeId(request.getName())
                .setCapacityBytes(request.getCapacityRange().getRequiredBytes());
        if (request.getAccessibilityRequirements().getPreferredCount() > 0) {
            volume.addAccessibleTopology(request.getAccessibilityRequirements().getPreferred(0));
        }
        out.onNext(CreateVolumeResponse.newBuilder().setVolume(volume).build());
        out.onCompleted();
    }

    @Override
    public void deleteVolume(DeleteVolumeRequest request, StreamObserver<DeleteVolumeResponse> out) {
        out.onNext(DeleteVolumeResponse.getDefaultInstance());
        out.onCompleted();
    }

    @Override
    public void getCapacity(GetCapacityRequest request, StreamObserver<GetCapacityResponse> out) {
        out.onNext(GetCapacityResponse.newBuilder()
                .setAvailableCapacity(TIB)
                .setMaximumVolumeSize(Int64Value.of(TIB))
                .build());
        out.onCompleted();
    }

    @Override
    public void close() {
        server.close();
    }
}
