package io.workdisk.agent.csi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.workdisk.agent.testing.HostLeftovers;
import io.workdisk.agent.testing.Requirements;
import io.workdisk.csi.CsiSocketChannels;
import io.workdisk.csi.VolumeId;
import io.workdisk.csi.protocol.NodeGrpc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A resize or delete asked for between a publish's first look at the disk and its record: the publish looks
 * again once its record is written, withdraws it and is refused, with nothing attached or mounted. (The agent,
 * for its part, refuses the step while the record exists: one of the two always sees the other.) Each record
 * and withdrawal is told to the agent, which writes its node's record then.
 */
class PublishRaceTest {
    @TempDir
    Path tmp;

    /** A failed test leaves no mount or loop device on the machine. */
    @AfterEach
    void takeDownWhatIsLeft() {
        HostLeftovers.takeDownUnder(tmp);
    }

    @Test
    void aResizeAskedWhileThePublishIsBeingRecordedWithdrawsIt() throws Exception {
        Requirements.need(HostSupport.canLoopMount(tmp), HostSupport.whyNot(tmp));
        Path data = Files.createDirectories(tmp.resolve("data"));
        Path kubelet = Files.createDirectories(tmp.resolve("kubelet/pods"));
        MadeDisks made = new MadeDisks(data);
        VolumeId id = made.make("team-a", "vm-disk", 64L << 20);
        AtomicInteger asked = new AtomicInteger();
        // Ready at the first look; by the second, the operator has asked for a resize
        NodeDisks racing = v -> asked.incrementAndGet() == 1
                ? made.find(v)
                : NodeDisks.DiskLookup.busy("disk vm-disk is being resized");
        AtomicInteger told = new AtomicInteger();
        Path target = kubelet.resolve("block");

        try (var node = CsiNode.start(
                        CsiNode.Settings.of("node-a", tmp.resolve("node.sock"), tmp.resolve("kubelet"), data, "test"),
                        racing,
                        Clock.systemUTC(),
                        told::incrementAndGet);
                var channel = CsiSocketChannels.to(tmp.resolve("node.sock"))) {
            assertThatThrownBy(() -> NodeGrpc.newBlockingStub(channel.channel())
                            .nodePublishVolume(NodeHarness.publish(id.toString(), target, NodeHarness.block(), null)))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
                        assertThat(e.getStatus().getDescription()).isEqualTo("disk vm-disk is being resized");
                    });
        }
        assertThat(asked).as("looked at the disk before and after recording").hasValue(2);
        assertThat(Publications.under(data).all()).as("the record withdrawn").isEmpty();
        assertThat(told)
                .as("the agent told of the record and of its withdrawal")
                .hasValue(2);
        assertThat(target).doesNotExist();
        assertThat(HostLeftovers.loopDevicesUnder(tmp))
                .as("no loop device attached")
                .isEmpty();
    }
}
