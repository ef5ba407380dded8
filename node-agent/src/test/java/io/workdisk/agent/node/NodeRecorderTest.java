package io.workdisk.agent.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.workdisk.agent.csi.Publication;
import io.workdisk.agent.csi.Publications;
import io.workdisk.agent.engine.resize.ResizeJournal;
import io.workdisk.agent.engine.tools.E2fsTools;
import io.workdisk.agent.task.DataDirectories;
import io.workdisk.api.Conditions;
import io.workdisk.api.node.VolumePublication;
import io.workdisk.api.node.WorkNodeStatus;
import io.workdisk.csi.Presentation;
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
                DataDirectories.create(tmp.resolve("data")),
                E2fsTools.fromEnvironment(),
                null,
                () -> List.copyOf(left));
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

    @Test
    void whatTheCsiServicePublishedIsInTheNodeRecordAndGoesWithItsUnpublish() throws Exception {
        DataDirectories directories = DataDirectories.create(tmp.resolve("data"));
        NodeRecorder recorder = new NodeRecorder(
                null,
                "node-a",
                new NodeSurvey(directories, E2fsTools.fromEnvironment(), null, List::of),
                Clock.fixed(Instant.parse("2026-11-25T16:27:40Z"), ZoneOffset.UTC),
                "test",
                Optional::empty,
                Duration.ofSeconds(5));
        assertThat(recorder.status(null).publications())
                .as("nothing published: no field")
                .isNull();

        Publications publications = Publications.under(directories.root().path());
        Path target = Path.of("/var/lib/kubelet/pods/p-1/volumes/kubernetes.io~csi/pv/mount");
        publications.record(Publication.of(
                "team-a/vm-disk/0b7e9c56-3c1d-4d9e-9a51-1f2a3b4c5d6e",
                target.toString(),
                Presentation.DISK_IMAGE,
                false,
                directories.resolve("disks/uid-1.ext4").toString(),
                new Publication.PodRef("team-a", "vm-1", "pod-uid"),
                Instant.parse("2026-11-25T16:27:00Z")));
        assertThat(recorder.status(null).publications())
                .containsExactly(VolumePublication.of(
                        "team-a/vm-disk/0b7e9c56-3c1d-4d9e-9a51-1f2a3b4c5d6e",
                        "0b7e9c56-3c1d-4d9e-9a51-1f2a3b4c5d6e",
                        target.toString(),
                        "diskImage",
                        false,
                        "team-a",
                        "vm-1",
                        "pod-uid",
                        "2026-11-25T16:27:00Z"));

        publications.forget(target);
        assertThat(recorder.status(null).publications()).isNull();
    }
}
