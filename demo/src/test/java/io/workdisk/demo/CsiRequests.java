package io.workdisk.demo;

import io.workdisk.csi.protocol.CapacityRange;
import io.workdisk.csi.protocol.CreateVolumeRequest;
import io.workdisk.csi.protocol.VolumeCapability;

/** CreateVolume requests as csi-provisioner sends them for a claim in namespace {@code default}. */
final class CsiRequests {
    private CsiRequests() {}

    /** A mounted, single-node-writer volume of {@code bytes}, with no topology: the operator places it. */
    static CreateVolumeRequest.Builder volume(String name, long bytes) {
        return CreateVolumeRequest.newBuilder()
                .setName(name)
                .addVolumeCapabilities(VolumeCapability.newBuilder()
                        .setMount(VolumeCapability.MountVolume.getDefaultInstance())
                        .setAccessMode(VolumeCapability.AccessMode.newBuilder()
                                .setMode(VolumeCapability.AccessMode.Mode.SINGLE_NODE_WRITER)))
                .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(bytes))
                .putParameters("csi.storage.k8s.io/pvc/namespace", "default");
    }
}
