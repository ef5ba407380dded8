package io.workdisk.operator.csi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.workdisk.csi.protocol.CapacityRange;
import io.workdisk.csi.protocol.CreateVolumeRequest;
import io.workdisk.csi.protocol.Topology;
import io.workdisk.csi.protocol.TopologyRequirement;
import io.workdisk.csi.protocol.VolumeCapability;
import io.workdisk.csi.protocol.VolumeCapability.AccessMode.Mode;
import io.workdisk.csi.protocol.VolumeContentSource;
import org.junit.jupiter.api.Test;

/** What CreateVolume asks for, read before anything is written; what it cannot have, refused with the spec's code. */
class VolumeRequestTest {
    private static final VolumeCapability MOUNT = VolumeCapability.newBuilder()
            .setMount(VolumeCapability.MountVolume.getDefaultInstance())
            .setAccessMode(VolumeCapability.AccessMode.newBuilder().setMode(Mode.SINGLE_NODE_WRITER))
            .build();

    private static CreateVolumeRequest.Builder request() {
        return CreateVolumeRequest.newBuilder()
                .setName("pvc-0a1b2c3d")
                .addVolumeCapabilities(MOUNT)
                .putParameters("csi.storage.k8s.io/pvc/namespace", "team-a")
                .putParameters("csi.storage.k8s.io/pvc/name", "vm-root");
    }

    @Test
    void aProvisionersRequestBecomesTheWorkDiskItNames() throws Exception {
        var read = VolumeRequest.read(request()
                .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes((1L << 30) + 1))
                .putParameters("seedRef", "ubuntu-root")
                .putParameters("preallocate", "true")
                .putParameters("presentation", "mounted")
                .setAccessibilityRequirements(TopologyRequirement.newBuilder()
                        .addRequisite(Topology.newBuilder().putSegments("topology.workdisk.io/node", "host-2"))
                        .addPreferred(Topology.newBuilder().putSegments("topology.workdisk.io/node", "host-3")))
                .build());
        assertThat(read.namespace()).isEqualTo("team-a");
        assertThat(read.name()).isEqualTo("pvc-0a1b2c3d");
        assertThat(read.sizeBytes()).as("rounded up to whole MiB").isEqualTo((1L << 30) + (1 << 20));
        assertThat(read.seedRef()).isEqualTo("ubuntu-root");
        assertThat(read.preallocate()).isTrue();
        assertThat(read.nodeName()).as("the preferred node first").isEqualTo("host-3");
        assertThat(read.presentation()).isEqualTo("mounted");
        assertThat(read.pvcName()).isEqualTo("vm-root");
    }

    @Test
    void noSizeAskedIsTheSmallestDisk() throws Exception {
        assertThat(VolumeRequest.read(request().build()).sizeBytes()).isEqualTo(64L << 20);
    }

    @Test
    void whatCannotBeHadIsRefusedWithTheSpecsCode() {
        refused(request().clearName(), Status.Code.INVALID_ARGUMENT, "name is required");
        refused(request().clearVolumeCapabilities(), Status.Code.INVALID_ARGUMENT, "volume_capabilities is required");
        refused(
                request().removeParameters("csi.storage.k8s.io/pvc/namespace"),
                Status.Code.INVALID_ARGUMENT,
                "--extra-create-metadata");
        refused(
                request().setCapacityRange(CapacityRange.newBuilder().setLimitBytes(1 << 20)),
                Status.Code.OUT_OF_RANGE,
                "at least 64Mi");
        refused(
                request().setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(17L << 40)),
                Status.Code.OUT_OF_RANGE,
                "at most 16Ti");
        refused(
                request()
                        .addVolumeCapabilities(MOUNT.toBuilder()
                                .setAccessMode(VolumeCapability.AccessMode.newBuilder()
                                        .setMode(Mode.MULTI_NODE_MULTI_WRITER))),
                Status.Code.INVALID_ARGUMENT,
                "one node by one writer");
        refused(
                request()
                        .addVolumeCapabilities(MOUNT.toBuilder()
                                .setMount(VolumeCapability.MountVolume.newBuilder()
                                        .setFsType("xfs"))),
                Status.Code.INVALID_ARGUMENT,
                "fs_type xfs is not offered");
        refused(request().putParameters("sizeFactor", "2"), Status.Code.INVALID_ARGUMENT, "parameter sizeFactor");
        refused(request().putParameters("presentation", "nfs"), Status.Code.INVALID_ARGUMENT, "presentation nfs");
        refused(request().putParameters("preallocate", "yes"), Status.Code.INVALID_ARGUMENT, "true or false");
        refused(
                request()
                        .setVolumeContentSource(VolumeContentSource.newBuilder()
                                .setSnapshot(VolumeContentSource.SnapshotSource.newBuilder()
                                        .setSnapshotId("s"))),
                Status.Code.INVALID_ARGUMENT,
                "snapshots");
        refused(request().setName("a/../b"), Status.Code.INVALID_ARGUMENT, "cannot name a WorkDisk");
    }

    private static void refused(CreateVolumeRequest.Builder request, Status.Code code, String why) {
        assertThatThrownBy(() -> VolumeRequest.read(request.build()))
                .isInstanceOfSatisfying(ControllerRefusal.class, e -> {
                    assertThat(e.status().getCode()).isEqualTo(code);
                    assertThat(e.getMessage()).contains(why);
                });
    }
}
