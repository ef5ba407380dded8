package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.workdisk.api.workdisk.DiskPhase;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.api.workdisk.WorkDiskStatus;
import io.workdisk.csi.CsiSocketChannels;
import io.workdisk.csi.protocol.ControllerGrpc;
import io.workdisk.csi.protocol.CreateVolumeRequest;
import io.workdisk.csi.protocol.CreateVolumeResponse;
import io.workdisk.operator.csi.CsiController;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * CreateVolume waits for its disk to be Ready without a thread: the provisioner keeps 100 calls open at once, and
 * a parked thread each was memory the operator's budget does not have. Here no operator runs, so the disks stay
 * as made until the test writes them Ready, as the operator would; every call is answered then.
 */
@ExtendWith(SharedApiServer.class)
class CsiWaitsTest {
    private static final long MIB = 1L << 20;
    private static final int CALLS = 40;

    @TempDir
    Path tmp;

    @Test
    void waitingCallsHoldNoThreadAndEachIsAnsweredWhenItsDiskIsReady(RealApiServer api) throws Exception {
        Path socket = tmp.resolve("controller.sock");
        try (var client = api.newClient("operator");
                var controller = CsiController.start(client, socket, "test", Duration.ofSeconds(60));
                var channel = CsiSocketChannels.to(socket)) {
            var csi = ControllerGrpc.newFutureStub(channel.channel());
            List<Future<CreateVolumeResponse>> calls = new ArrayList<>();
            for (int i = 0; i < CALLS; i++) {
                calls.add(csi.createVolume(request("pvc-wait-" + i)));
            }
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> client.resources(WorkDisk.class)
                                    .inNamespace("default")
                                    .list()
                                    .getItems()
                                    .size()
                            == CALLS);

            // a watch handler or the last create may pass through the driver's code for a moment; a parked call
            // stays there for the whole wait (60 s)
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(threadsInTheDriver())
                            .as("threads inside the driver")
                            .isEmpty());
            assertThat(calls).noneMatch(Future::isDone);

            for (WorkDisk disk : client.resources(WorkDisk.class)
                    .inNamespace("default")
                    .list()
                    .getItems()) {
                disk.setStatus(new WorkDiskStatus(
                        DiskPhase.Ready,
                        "node-a",
                        "/data/" + disk.getMetadata().getName(),
                        64 * MIB,
                        "fs-uuid",
                        List.of(),
                        1L,
                        null));
                client.resource(disk).updateStatus();
            }
            for (Future<CreateVolumeResponse> call : calls) {
                var volume = call.get(30, TimeUnit.SECONDS).getVolume();
                assertThat(volume.getCapacityBytes()).isEqualTo(64 * MIB);
                assertThat(volume.getAccessibleTopology(0).getSegmentsMap()).containsValue("node-a");
            }
        }
    }

    /** The stacks of this JVM's threads that are inside the CSI controller's code now, by thread name. */
    private static List<String> threadsInTheDriver() {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> Arrays.stream(e.getValue())
                        .anyMatch(f -> f.getClassName().startsWith("io.workdisk.operator.csi.")))
                .map(e -> e.getKey().getName())
                .toList();
    }

    private static CreateVolumeRequest request(String name) {
        return CsiRequests.volume(name, 64 * MIB)
                .putParameters("csi.storage.k8s.io/pvc/name", name)
                .build();
    }
}
