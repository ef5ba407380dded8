package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.workdisk.agent.engine.tools.E2fsTools;
import io.workdisk.agent.run.NodeAgent;
import io.workdisk.agent.testing.Requirements;
import io.workdisk.agent.testing.Shell;
import io.workdisk.api.node.WorkNode;
import io.workdisk.api.workdisk.DiskPhase;
import io.workdisk.api.workdisk.WorkDisk;
import io.workdisk.api.workdisk.WorkDiskSpec;
import io.workdisk.operator.WorkdiskOperator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node whose agent cannot be trusted to work says why on its WorkNode, and the operator places nothing
 * there until it recovers (a node without e2fsprogs is in ObservabilityTest).
 */
@ExtendWith(SharedApiServer.class)
class NodeHealthTest {
    @TempDir
    Path tmp;

    @Test
    void anUnwritableDataRootAndASkewedClockStopPlacementUntilFixed(RealApiServer api) throws Exception {
        Path locked = Files.createDirectories(tmp.resolve("locked"));
        // the data root's layout exists; then the root refuses new files, as a read-only mount would
        for (String dir : List.of("disks", "seeds", "downloads")) {
            Files.createDirectories(locked.resolve(dir));
        }
        Shell.Result immutable = Shell.run(List.of("chattr", "+i", locked.toString()));
        Requirements.need(
                immutable.exitCode() == 0,
                "chattr +i is refused here (" + immutable.stderr().strip()
                        + "), so no unwritable data root; it needs root and e2fsprogs' chattr");
        try (LocalCluster cluster = new LocalCluster(
                api,
                new WorkdiskOperator.Settings("workdisk-system", 1.0, Duration.ofSeconds(10), Duration.ofSeconds(2), 4),
                Clock.systemUTC())) {
            KubernetesClient kube = cluster.client();
            cluster.addNode("healthy", Map.of(), tmp.resolve("healthy"), List.of(), null);
            cluster.startAgent(new NodeAgent.Settings("unwritable", locked, List.of(), null, 2, Duration.ofSeconds(1)));
            cluster.startAgent(
                    new NodeAgent.Settings("skewed", tmp.resolve("skewed"), List.of(), null, 2, Duration.ofSeconds(1)),
                    E2fsTools.fromEnvironment(),
                    Clock.offset(Clock.systemUTC(), Duration.ofMinutes(10)));
            cluster.startOperator();

            awaitNodeReason(kube, "unwritable", "DataRootUnwritable", locked.toString());
            awaitNodeReason(kube, "skewed", "ClockSkew", "ahead of the API server");

            kube.resource(Manifests.disk(
                            "default",
                            "on-unwritable",
                            WorkDiskSpec.ofSize("1Gi").withNodeName("unwritable")))
                    .create();
            kube.resource(Manifests.disk(
                            "default", "on-skewed", WorkDiskSpec.ofSize("1Gi").withNodeName("skewed")))
                    .create();
            for (int i = 0; i < 4; i++) {
                kube.resource(Manifests.disk("free-" + i, "1Gi")).create();
            }
            for (int i = 0; i < 4; i++) {
                assertThat(Waits.phase(kube, "free-" + i, DiskPhase.Ready)
                                .getStatus()
                                .nodeName())
                        .as("placed only on the healthy node")
                        .isEqualTo("healthy");
            }
            awaitDiskWaiting(kube, "on-unwritable", "cannot create files");
            awaitDiskWaiting(kube, "on-skewed", "clock");

            Shell.run(List.of("chattr", "-i", locked.toString()));
            assertThat(Waits.phase(kube, "on-unwritable", DiskPhase.Ready)
                            .getStatus()
                            .path())
                    .startsWith(locked.toString());
            assertThat(kube.resources(WorkDisk.class)
                            .inNamespace("default")
                            .withName("on-skewed")
                            .get()
                            .getStatus()
                            .phase())
                    .isNotEqualTo(DiskPhase.Ready);
        } finally {
            Shell.run(List.of("chattr", "-i", locked.toString()));
        }
    }

    static void awaitNodeReason(KubernetesClient kube, String node, String reason, String message) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            WorkNode record = kube.resources(WorkNode.class).withName(node).get();
            assertThat(record).isNotNull();
            assertThat(record.getStatus().conditions()).anySatisfy(c -> {
                assertThat(c.getType()).isEqualTo("Ready");
                assertThat(c.getStatus()).isEqualTo("False");
                assertThat(c.getReason()).isEqualTo(reason);
                assertThat(c.getMessage()).contains(message);
            });
        });
    }

    static void awaitDiskWaiting(KubernetesClient kube, String name, String message) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            WorkDisk d = kube.resources(WorkDisk.class)
                    .inNamespace("default")
                    .withName(name)
                    .get();
            assertThat(d.getStatus()).isNotNull();
            assertThat(d.getStatus().phase()).isNotEqualTo(DiskPhase.Ready);
            assertThat(d.getStatus().conditions())
                    .anyMatch(c -> c.getType().equals("Ready")
                            && c.getReason().equals("NodeNotReady")
                            && c.getMessage().contains(message));
        });
    }
}
