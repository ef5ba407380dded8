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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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
        answerWhenDone("CreateVolume", out, () -> {
            VolumeRequest asked = VolumeRequest.read(request);
            return volumes.create(asked).thenApply(disk -> created(asked, disk));
        });
    }

    private static CreateVolumeResponse created(VolumeRequest asked, WorkDisk disk) {
        Volume.Builder volume = Volume.newBuilder()
                .setVolumeId(VolumeId.of(
                                disk.getMetadata().getNamespace(),
                                disk.getMetadata().getName(),
                                disk.getMetadata().getUid())
                        .toString())
                .setCapacityBytes(disk.getStatus().capacityBytes())
                .addAccessibleTopology(Topology.newBuilder()
                        .putSegments(CsiDriver.TOPOLOGY_KEY, disk.getStatus().nodeName()));
        if (!asked.presentation().isEmpty()) {
            volume.putVolumeContext(CsiDriver.PRESENTATION, asked.presentation());
        }
        return CreateVolumeResponse.newBuilder().setVolume(volume).build();
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
        answerWhenDone("ControllerExpandVolume", out, () -> {
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
            return volumes.expand(id, required)
                    .thenApply(grown -> ControllerExpandVolumeResponse.newBuilder()
                            .setCapacityBytes(grown.getStatus().capacityBytes())
                            .setNodeExpansionRequired(false)
                            .build());
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

    /** One call: its answer, or its refusal with the spec's code. */
    private static <T> void answer(String call, StreamObserver<T> out, Call<T> body) {
        try {
            out.onNext(body.run());
            out.onCompleted();
        } catch (ControllerRefusal | RuntimeException e) {
            refuse(call, out, e);
        }
    }

    /**
     * A call that waits on a disk: what is wrong with it is answered at once, the rest when the wait ends,
     * from the thread that ends it. No thread waits meanwhile.
     */
    private static <T> void answerWhenDone(String call, StreamObserver<T> out, WaitingCall<T> body) {
        CompletableFuture<T> pending;
        try {
            pending = body.start();
        } catch (ControllerRefusal | RuntimeException e) {
            refuse(call, out, e);
            return;
        }
        pending.whenComplete((answer, failure) -> {
            if (failure == null) {
                out.onNext(answer);
                out.onCompleted();
            } else {
                refuse(
                        call,
                        out,
                        failure instanceof CompletionException && failure.getCause() != null
                                ? failure.getCause()
                                : failure);
            }
        });
    }

    /**
     * Every refusal, mapped in one place: a refusal carries the spec's code; an API failure is UNAVAILABLE, to be
     * retried; anything else is a fault of the driver, INTERNAL, logged with its trace.
     */
    private static void refuse(String call, StreamObserver<?> out, Throwable e) {
        if (e instanceof ControllerRefusal refusal) {
            LOG.info("{} refused: {}", call, refusal.getMessage());
            out.onError(refusal.status().asRuntimeException());
        } else if (e instanceof KubernetesClientException) {
            LOG.warn("{}: the API server failed: {}", call, e.getMessage());
            out.onError(Status.UNAVAILABLE
                    .withDescription("the Kubernetes API failed: " + e.getMessage())
                    .asRuntimeException());
        } else {
            LOG.error("{} failed", call, e);
            out.onError(Status.INTERNAL
                    .withDescription(call + " failed in the driver: " + e.getMessage())
                    .asRuntimeException());
        }
    }

    @FunctionalInterface
    private interface Call<T> {
        T run() throws ControllerRefusal;
    }

    @FunctionalInterface
    private interface WaitingCall<T> {
        CompletableFuture<T> start() throws ControllerRefusal;
    }
}
