package io.workdisk.agent.csi;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.BindableService;
import io.workdisk.agent.testing.Requirements;
import io.workdisk.csi.CsiSocketServer;
import io.workdisk.csi.IdentityService;
import io.workdisk.csi.Presentation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The node service against csi-sanity, the CSI conformance suite, once per presentation, as root with real
 * loop devices and mounts. The suite's controller cases are not run here: its controller is a stand-in that
 * makes real disks with the engine ({@link DiskMakingController}), which the node cases need.
 */
class NodeSanityTest {
    private static final String NODE = "node-a";

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Presentation.class)
    void nodeServicePassesCsiSanity(Presentation presentation) throws Exception {
        var sanity = CsiSanity.locate();
        Requirements.need(sanity.isPresent(), "csi-sanity beside the repository (../shared/csi/csi-sanity)");
        Requirements.need(HostSupport.canLoopMount(dir), HostSupport.whyNot(dir));

        Path kubelet = Files.createDirectories(dir.resolve("kubelet"));
        Path data = Files.createDirectories(dir.resolve("data"));
        MadeDisks disks = new MadeDisks(data);
        Path params = Files.writeString(
                dir.resolve("params.yaml"),
                presentation == Presentation.BLOCK ? "{}\n" : "presentation: " + presentation.parameter() + "\n");
        List<String> args = new ArrayList<>(List.of(
                "--csi.endpoint=unix://" + dir.resolve("node.sock"),
                "--csi.controllerendpoint=unix://" + dir.resolve("controller.sock"),
                "--csi.mountdir=" + kubelet.resolve("pods/sanity/mount"),
                "--csi.stagingdir=" + kubelet.resolve("pods/sanity/staging"),
                "--csi.testvolumeparameters=" + params,
                "--csi.testvolumesize=" + DiskMakingController.DEFAULT_SIZE,
                "--csi.testvolumeaccesstype=" + (presentation == Presentation.BLOCK ? "block" : "mount"),
                // The controller is a stand-in (see the class comment): only the suite's controller cases go.
                "--ginkgo.skip=Controller Service"));
        Files.createDirectories(kubelet.resolve("pods/sanity"));
        try (var node = CsiNode.start(
                        CsiNode.Settings.of(NODE, dir.resolve("node.sock"), kubelet, data, "test"),
                        disks,
                        Clock.systemUTC());
                var controller = CsiSocketServer.start(
                        dir.resolve("controller.sock"),
                        List.<BindableService>of(
                                IdentityService.of("test", () -> true), new DiskMakingController(disks, NODE)))) {
            CsiSanity.Outcome outcome = CsiSanity.run(sanity.get(), dir, args);
            System.out.printf(
                    "csi-sanity (%s): ran %d, passed %d, failed %d, skipped %d%n",
                    presentation.parameter(), outcome.ran(), outcome.passed(), outcome.failed(), outcome.skipped());
            outcome.skippedNames().forEach(name -> System.out.println("  skipped: " + name));
            assertThat(outcome.exit()).as(outcome.output()).isZero();
            assertThat(outcome.failed()).as(outcome.output()).isZero();
            assertThat(outcome.ran()).as(outcome.output()).isPositive();
        }
    }
}
