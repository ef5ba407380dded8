package io.workdisk.operator.csi;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.workdisk.api.DiskLimits;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.csi.CsiDriver;
import io.workdisk.csi.VolumeId;
import io.workdisk.csi.protocol.ControllerExpandVolumeRequest;
import io.workdisk.csi.protocol.ControllerExpandVolumeResponse;
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
import io.workdisk.csi.protocol.Topology;
import io.workdisk.csi.protocol.ValidateVolumeCapabilitiesRequest;
import io.workdisk.csi.protocol.ValidateVolumeCapabilitiesResponse;
import io.workdisk.csi.protocol.Volume;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The CSI Controller service in the operator: volumes are WorkDisks, made and grown through the API. */
final class ControllerService extends ControllerGrpc.ControllerImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(ControllerService.class);
    private final Volumes volumes;
    private final CapacityReport capacity;

    ControllerService(Volumes volumes, CapacityReport capacity) {
        this.volumes = volumes;
        this.capacity = capacity;
    }

    @Override
    public void createVolume(CreateVolumeRequest request, StreamObserver<CreateVolumeResponse> out) {
        answer("CreateVolume", out, () -> {
            VolumeRequest asked = VolumeRequest.read(request);
            WorkDisk disk = volumes.create(asked);
            Volume.Builder volume = Volume.newBuilder()
                    .setVolumeId(VolumeId.of(
                                    disk.getMetadata().getNamespace(),
                                    disk.getMetadata().getName(),
                                    disk.getMetadata().getUid())
                            .toString())
                    .setCapacityBytes(disk.getStatus().capacityBytes())
                    .addAccessibleTopology(Topology.newBuilder()
                            .putSegments(
                                    CsiDriver.TOPOLOGY_KEY, disk.getStatus().nodeName()));
            if (!asked.presentation().isEmpty()) {
                volume.putVolumeContext(CsiDriver.PRESENTATION, asked.presentation());
            }
            return CreateVolumeResponse.newBuilder().setVolume(volume).build();
        });
    }

    @Override
    public void deleteVolume(DeleteVolumeRequest request, StreamObserver<DeleteVolumeResponse> out) {
        answer("DeleteVolume", out, () -> {
            if (request.getVolumeId().isEmpty()) {
                throw ControllerRefusal.of(Status.Code.INVALID_ARGUMENT, "volume_id is required");
            }
            // An id this driver never made names no volume: deleting it is done already, as the spec says.
            VolumeId.parse(request.getVolumeId()).ifPresent(volumes::delete);
            return DeleteVolumeResponse.getDefaultInstance();
        });
    }

    @Override
    public void controllerExpandVolume(
            ControllerExpandVolumeRequest request, StreamObserver<ControllerExpandVolumeResponse> out) {
        answer("ControllerExpandVolume", out, () -> {
            if (request.getVolumeId().isEmpty()) {
                throw ControllerRefusal.of(Status.Code.INVALID_ARGUMENT, "volume_id is required");
            }
            if (!request.hasCapacityRange()) {
                throw ControllerRefusal.of(Status.Code.INVALID_ARGUMENT, "capacity_range is required");
            }
            long required = request.getCapacityRange().getRequiredBytes();
            long limit = request.getCapacityRange().getLimitBytes();
            if (required > DiskLimits.LIMIT_BYTES || (limit > 0 && required > limit)) {
                throw ControllerRefusal.of(
                        Status.Code.OUT_OF_RANGE, "a disk grows to at most " + DiskLimits.LIMIT_QUANTITY);
            }
            VolumeId id = VolumeId.parse(request.getVolumeId())
                    .orElseThrow(() -> ControllerRefusal.of(
                            Status.Code.NOT_FOUND, "volume " + request.getVolumeId() + " does not exist"));
            WorkDisk grown = volumes.expand(id, required);
            return ControllerExpandVolumeResponse.newBuilder()
                    .setCapacityBytes(grown.getStatus().capacityBytes())
                    .setNodeExpansionRequired(false)
                    .build();
        });
    }

    @Override
    public void validateVolumeCapabilities(
            ValidateVolumeCapabilitiesRequest request, StreamObserver<ValidateVolumeCapabilitiesResponse> out) {
        answer("ValidateVolumeCapabilities", out, () -> {
            if (request.getVolumeId().isEmpty()) {
                throw ControllerRefusal.of(Status.Code.INVALID_ARGUMENT, "volume_id is required");
            }
            if (request.getVolumeCapabilitiesCount() == 0) {
                throw ControllerRefusal.of(Status.Code.INVALID_ARGUMENT, "volume_capabilities is required");
            }
            VolumeId id = VolumeId.parse(request.getVolumeId())
                    .filter(v -> volumes.byId(v).isPresent())
                    .orElseThrow(() -> ControllerRefusal.of(
                            Status.Code.NOT_FOUND, "volume " + request.getVolumeId() + " does not exist"));
            for (var capability : request.getVolumeCapabilitiesList()) {
                String unsupported = VolumeRequest.unsupported(capability);
                if (unsupported != null) {
                    return ValidateVolumeCapabilitiesResponse.newBuilder()
                            .setMessage(unsupported)
                            .build();
                }
            }
            LOG.debug("capabilities of {} confirmed", id);
            return ValidateVolumeCapabilitiesResponse.newBuilder()
                    .setConfirmed(ValidateVolumeCapabilitiesResponse.Confirmed.newBuilder()
                            .putAllVolumeContext(request.getVolumeContextMap())
                            .addAllVolumeCapabilities(request.getVolumeCapabilitiesList())
                            .putAllParameters(request.getParametersMap()))
                    .build();
        });
    }

    @Override
    public void getCapacity(GetCapacityRequest request, StreamObserver<GetCapacityResponse> out) {
        answer("GetCapacity", out, () -> capacity.answer(request));
    }

    @Override
    public void controllerGetCapabilities(
            ControllerGetCapabilitiesRequest request, StreamObserver<ControllerGetCapabilitiesResponse> out) {
        var response = ControllerGetCapabilitiesResponse.newBuilder();
        for (var type : new ControllerServiceCapability.RPC.Type[] {
            ControllerServiceCapability.RPC.Type.CREATE_DELETE_VOLUME,
            ControllerServiceCapability.RPC.Type.GET_CAPACITY,
            ControllerServiceCapability.RPC.Type.EXPAND_VOLUME
        }) {
            response.addCapabilities(ControllerServiceCapability.newBuilder()
                    .setRpc(ControllerServiceCapability.RPC.newBuilder().setType(type)));
        }
        out.onNext(response.build());
        out.onCompleted();
    }

    /** One call: its answer, or its refusal with the spec's code; an API failure is UNAVAILABLE, to be retried. */
    private static <T> void answer(String call, StreamObserver<T> out, Call<T> body) {
        try {
            out.onNext(body.run());
            out.onCompleted();
        } catch (ControllerRefusal e) {
            LOG.info("{} refused: {}", call, e.getMessage());
            out.onError(e.status().asRuntimeException());
        } catch (KubernetesClientException e) {
            LOG.warn("{}: the API server failed: {}", call, e.getMessage());
            out.onError(Status.UNAVAILABLE
                    .withDescription("the Kubernetes API failed: " + e.getMessage())
                    .asRuntimeException());
        }
    }

    @FunctionalInterface
    private interface Call<T> {
        T run() throws ControllerRefusal;
    }
}
