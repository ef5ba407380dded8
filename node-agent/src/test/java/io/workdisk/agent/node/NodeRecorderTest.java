package io.workdisk.agent.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.workdisk.agent.engine.ResizeJournal;
import io.workdisk.agent.engine.tools.E2fsTools;
import io.workdisk.agent.task.DataLayout;
import io.workdisk.api.Conditions;
import io.workdisk.api.node.WorkNodeStatus;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A disk whose crashed resize could not be rolled back is shown in the node record, not only logged. */
class NodeRecorderTest {
    @TempDir
    Path tmp;

    @Test
    void unrecoveredResizesAreAConditionOfTheNodeRecordAndLeaveItReady() throws Exception {
        List<ResizeJournal.Unrecovered> left = new ArrayList<>();
        NodeSurvey survey = new NodeSurvey(
                DataLayout.create(tmp.resolve("data")), E2fsTools.fromEnvironment(), null, () -> List.copyOf(left));
        NodeRecorder recorder = new NodeRecorder(
                null,
                "node-a",
                survey,
                Clock.fixed(Instant.parse("2026-11-25T16:27:40Z"), ZoneOffset.UTC),
                "test",
                Optional::empty,
                Duration.ofSeconds(5));

        WorkNodeStatus clean = recorder.status(null);
        assertThat(Conditions.find(clean.conditions(), NodeRecorder.RESIZES_RECOVERED)
                        .getStatus())
                .isEqualTo("True");

        left.add(new ResizeJournal.Unrecovered(tmp.resolve("data/disks/u.ext4"), "repair it with e2fsck -f"));
        WorkNodeStatus broken = recorder.status(clean);
        Condition c = Conditions.find(broken.conditions(), NodeRecorder.RESIZES_RECOVERED);
        assertThat(c.getStatus()).isEqualTo("False");
        assertThat(c.getReason()).isEqualTo("NeedsRepair");
        assertThat(c.getMessage()).contains("1 disk(s)").contains("repair it with e2fsck -f");
        assertThat(Conditions.isTrue(broken.conditions(), "Ready"))
                .as("the node still serves its other disks")
                .isEqualTo(Conditions.isTrue(clean.conditions(), "Ready"));
    }
}
