package io.workdisk.csi;

import com.google.protobuf.BoolValue;
import io.grpc.stub.StreamObserver;
import io.workdisk.csi.protocol.GetPluginCapabilitiesRequest;
import io.workdisk.csi.protocol.GetPluginCapabilitiesResponse;
import io.workdisk.csi.protocol.GetPluginInfoRequest;
import io.workdisk.csi.protocol.GetPluginInfoResponse;
import io.workdisk.csi.protocol.IdentityGrpc;
import io.workdisk.csi.protocol.PluginCapability;
import io.workdisk.csi.protocol.ProbeRequest;
import io.workdisk.csi.protocol.ProbeResponse;
import java.util.function.BooleanSupplier;

/**
 * The CSI Identity service, the same on the controller's socket and the node's: the driver's name, that it has
 * a controller, that its volumes live on one node each, that it grows them offline; and whether it is ready.
 */
public final class IdentityService extends IdentityGrpc.IdentityImplBase {
    private final String version;
    private final BooleanSupplier ready;

    private IdentityService(String version, BooleanSupplier ready) {
        this.version = version;
        this.ready = ready;
    }

    public static IdentityService of(String version, BooleanSupplier ready) {
        return new IdentityService(version, ready);
    }

    @Override
    public void getPluginInfo(GetPluginInfoRequest request, StreamObserver<GetPluginInfoResponse> out) {
        out.onNext(GetPluginInfoResponse.newBuilder()
                .setName(CsiDriver.NAME)
                .setVendorVersion(version)
                .build());
        out.onCompleted();
    }

    @Override
    public void getPluginCapabilities(
            GetPluginCapabilitiesRequest request, StreamObserver<GetPluginCapabilitiesResponse> out) {
        out.onNext(GetPluginCapabilitiesResponse.newBuilder()
                .addCapabilities(service(PluginCapability.Service.Type.CONTROLLER_SERVICE))
                .addCapabilities(service(PluginCapability.Service.Type.VOLUME_ACCESSIBILITY_CONSTRAINTS))
                .addCapabilities(PluginCapability.newBuilder()
                        .setVolumeExpansion(PluginCapability.VolumeExpansion.newBuilder()
                                .setType(PluginCapability.VolumeExpansion.Type.OFFLINE)))
                .build());
        out.onCompleted();
    }

    @Override
    public void probe(ProbeRequest request, StreamObserver<ProbeResponse> out) {
        out.onNext(ProbeResponse.newBuilder()
                .setReady(BoolValue.of(ready.getAsBoolean()))
                .build());
        out.onCompleted();
    }

    private static PluginCapability service(PluginCapability.Service.Type type) {
        return PluginCapability.newBuilder()
                .setService(PluginCapability.Service.newBuilder().setType(type))
                .build();
    }
}
