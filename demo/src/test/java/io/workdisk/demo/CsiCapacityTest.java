package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.workdisk.api.Conditions;
import io.workdisk.api.node.WorkNode;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.csi.CsiSocketChannels;
import io.workdisk.csi.protocol.ControllerGrpc;
import io.workdisk.csi.protocol.CreateVolumeRequest;
import io.workdisk.csi.protocol.GetCapacityRequest;
import io.workdisk.csi.protocol.Topology;
import io.workdisk.csi.protocol.TopologyRequirement;
import io.workdisk.csi.protocol.VolumeCapability;
import io.workdisk.operator.WorkdiskOperator;
import io.workdisk.operator.csi.CsiController;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * GetCapacity answers per node from the WorkNode records, so the scheduler's storage-capacity check sends a
 * claim only to a node with room; a disk made there through CreateVolume lands on the node asked and takes
 * its room.
 */
@ExtendWith(SharedApiServer.class)
class CsiCapacityTest {
    private static final long MIB = 1L << 20;

    @TempDir
    Path tmp;

    LocalCluster cluster;

    @BeforeEach
    void setUp(RealApiServer api) throws Exception {
        cluster = new LocalCluster(
                api,
                new WorkdiskOperator.Settings("workdisk-system", 1.0, Duration.ofSeconds(8), Duration.ofSeconds(3), 4),
                Clock.systemUTC());
        cluster.addNode("node-a", Map.of(), tmp.resolve("node-a"), List.of(), 1024 * MIB);
        cluster.addNode("node-b", Map.of(), tmp.resolve("node-b"), List.of(), 512 * MIB);
        cluster.startOperator();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> cluster.client().resources(WorkNode.class).list().getItems().stream()
                                .filter(n -> n.getStatus() != null
                                        && Conditions.isTrue(n.getStatus().conditions(), "Ready"))
                                .count()
                        == 2);
    }

    @AfterEach
    void tearDown() {
        cluster.close();
    }

    @Test
    void capacityIsEachNodesRoomAndADiskTakesItsShare() {
        Path socket = tmp.resolve("controller.sock");
        try (var controller = CsiController.start(cluster.client(), socket, "test", Duration.ofSeconds(60));
                var channel = CsiSocketChannels.to(socket)) {
            var csi = ControllerGrpc.newBlockingStub(channel.channel());
            assertThat(capacity(csi, "node-a")).isEqualTo(1024 * MIB);
            assertThat(capacity(csi, "node-b")).isEqualTo(512 * MIB);
            assertThat(capacity(csi, "node-c")).as("no agent there").isZero();
            assertThat(csi.getCapacity(GetCapacityRequest.getDefaultInstance()).getAvailableCapacity())
                    .as("without a topology: the most one node has")
                    .isEqualTo(1024 * MIB);

            var volume = csi.createVolume(CreateVolumeRequest.newBuilder()
                            .setName("pvc-capacity")
                            .addVolumeCapabilities(VolumeCapability.newBuilder()
                                    .setBlock(VolumeCapability.BlockVolume.getDefaultInstance())
                                    .setAccessMode(VolumeCapability.AccessMode.newBuilder()
                                            .setMode(VolumeCapability.AccessMode.Mode.SINGLE_NODE_WRITER)))
                            .setCapacityRange(io.workdisk.csi.protocol.CapacityRange.newBuilder()
                                    .setRequiredBytes(256 * MIB))
                            .putParameters("csi.storage.k8s.io/pvc/namespace", "default")
                            .setAccessibilityRequirements(
                                    TopologyRequirement.newBuilder().addRequisite(node("node-b")))
                            .build())
                    .getVolume();

            assertThat(volume.getAccessibleTopologyList()).containsExactly(node("node-b"));
            assertThat(volume.getCapacityBytes()).isEqualTo(256 * MIB);
            assertThat(volume.getVolumeId()).startsWith("default/pvc-capacity/");
            await().atMost(Duration.ofSeconds(20))
                    .untilAsserted(() -> assertThat(capacity(csi, "node-b")).isEqualTo(256 * MIB));
            assertThat(capacity(csi, "node-a")).isEqualTo(1024 * MIB);
        }
    }

    @Test
    void aDiskThatCannotBeHadIsRefusedWithTheSpecsCodeAndLeavesNothing() {
        Path socket = tmp.resolve("controller.sock");
        try (var controller = CsiController.start(cluster.client(), socket, "test", Duration.ofSeconds(60));
                var channel = CsiSocketChannels.to(socket)) {
            var csi = ControllerGrpc.newBlockingStub(channel.channel());

            assertThatThrownBy(() -> csi.createVolume(
                            volume("pvc-too-big", 2048 * MIB, "node-a").build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                        assertThat(e.getStatus().getDescription())
                                .startsWith("disk pvc-too-big cannot be made: NoCapacity");
                    });
            assertThatThrownBy(() -> csi.createVolume(volume("pvc-seeded", 128 * MIB, "node-a")
                            .putParameters("seedRef", "no-such-seed")
                            .build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                        assertThat(e.getStatus().getDescription())
                                .isEqualTo("seed no-such-seed (parameter seedRef) does not exist");
                    });
            await().atMost(Duration.ofSeconds(20))
                    .untilAsserted(() -> assertThat(cluster.client()
                                    .resources(WorkDisk.class)
                                    .inAnyNamespace()
                                    .list()
                                    .getItems())
                            .as("nothing left behind")
                            .isEmpty());
        }
    }

    private static CreateVolumeRequest.Builder volume(String name, long bytes, String node) {
        return CsiRequests.volume(name, bytes)
                .setAccessibilityRequirements(TopologyRequirement.newBuilder().addRequisite(node(node)));
    }

    private static long capacity(ControllerGrpc.ControllerBlockingStub csi, String node) {
        return csi.getCapacity(GetCapacityRequest.newBuilder()
                        .setAccessibleTopology(node(node))
                        .build())
                .getAvailableCapacity();
    }

    private static Topology node(String name) {
        return Topology.newBuilder()
                .putSegments("topology.workdisk.io/node", name)
                .build();
    }
}
