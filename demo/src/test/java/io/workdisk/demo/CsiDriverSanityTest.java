package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.workdisk.agent.csi.CsiNode;
import io.workdisk.agent.csi.CsiSanity;
import io.workdisk.agent.csi.HostSupport;
import io.workdisk.agent.csi.cluster.DisksFromTasks;
import io.workdisk.agent.testing.Requirements;
import io.workdisk.operator.WorkdiskOperator;
import io.workdisk.operator.csi.CsiController;
import java.nio.file.Files;
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
 * The whole driver against csi-sanity, the CSI conformance suite: the controller service in the operator and
 * the node service in the agent, on the suite's real API server, with real disks, loop devices and mounts.
 * Every volume the suite makes is a WorkDisk that the operator places and the agent formats.
 */
@ExtendWith(SharedApiServer.class)
class CsiDriverSanityTest {
    private static final String NODE = "node-a";

    @TempDir
    Path tmp;

    LocalCluster cluster;

    @BeforeEach
    void setUp(RealApiServer api) throws Exception {
        cluster = new LocalCluster(
                api,
                new WorkdiskOperator.Settings("workdisk-system", 1.0, Duration.ofSeconds(8), Duration.ofSeconds(3), 4),
                Clock.systemUTC());
        cluster.addNode(NODE, Map.of(), tmp.resolve(NODE), List.of(), null);
        cluster.startOperator();
    }

    @AfterEach
    void tearDown() {
        cluster.close();
    }

    @Test
    void controllerAndNodeServicesPassCsiSanity() throws Exception {
        var sanity = CsiSanity.locate();
        Requirements.need(sanity.isPresent(), "csi-sanity beside the repository (../shared/csi/csi-sanity)");
        Requirements.need(HostSupport.canLoopMount(tmp), HostSupport.whyNot(tmp));

        Path kubelet = Files.createDirectories(tmp.resolve("kubelet/pods/sanity"));
        Path params = Files.writeString(tmp.resolve("params.yaml"), "csi.storage.k8s.io/pvc/namespace: default\n");
        try (var controller = CsiController.start(
                        cluster.client(), tmp.resolve("controller.sock"), "test", Duration.ofSeconds(60));
                var node = CsiNode.start(
                        CsiNode.Settings.of(
                                NODE, tmp.resolve("node.sock"), tmp.resolve("kubelet"), tmp.resolve(NODE), "test"),
                        new DisksFromTasks(cluster.client(), NODE, tmp.resolve(NODE)),
                        Clock.systemUTC())) {
            CsiSanity.Outcome outcome = CsiSanity.run(
                    sanity.get(),
                    tmp,
                    List.of(
                            "--csi.endpoint=unix://" + tmp.resolve("node.sock"),
                            "--csi.controllerendpoint=unix://" + tmp.resolve("controller.sock"),
                            "--csi.mountdir=" + kubelet.resolve("mount"),
                            "--csi.stagingdir=" + kubelet.resolve("staging"),
                            "--csi.testvolumeparameters=" + params,
                            "--csi.testvolumesize=" + (64L << 20)));
            System.out.printf(
                    "csi-sanity (controller and node): ran %d, passed %d, failed %d, skipped %d%n",
                    outcome.ran(), outcome.passed(), outcome.failed(), outcome.skipped());
            outcome.skippedNames().forEach(name -> System.out.println("  skipped: " + name));
            assertThat(outcome.failed()).as(outcome.output()).isZero();
            assertThat(outcome.exit()).as(outcome.output()).isZero();
            assertThat(outcome.ran()).as(outcome.output()).isPositive();
        }
    }
}
