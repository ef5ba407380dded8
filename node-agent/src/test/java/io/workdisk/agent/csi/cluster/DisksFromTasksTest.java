package io.workdisk.agent.csi.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.workdisk.agent.csi.NodeDisks.DiskLookup;
import io.workdisk.api.DataRootLayout;
import io.workdisk.api.task.SeedSource;
import io.workdisk.api.task.TaskResult;
import io.workdisk.api.task.WorkTask;
import io.workdisk.api.task.WorkTaskSpec;
import io.workdisk.api.task.WorkTaskStatus;
import io.workdisk.csi.VolumeId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the agent tells its node service about a volume, from this node's tasks for it. */
class DisksFromTasksTest {
    private static final String NODE = "node-a";
    private static final String UID = "6c1d7f2a-1111-4222-8333-944455556666";
    private static final VolumeId DISK = VolumeId.of("team-a", "dev-vm", UID);
    private static final String PATH = DataRootLayout.diskPath(UID);

    @TempDir
    Path root;

    @BeforeEach
    void image() throws Exception {
        Files.createDirectories(root.resolve(DataRootLayout.DISKS));
        Files.write(root.resolve(PATH), new byte[4096]);
    }

    @Test
    void aDiskMadeHereIsUsableAtThePathItsUidGives() {
        assertThat(judge(made())).isEqualTo(DiskLookup.usable(root.resolve(PATH)));
    }

    @Test
    void aDiskNotMadeHereIsAnotherNodesOrNone() {
        assertThat(judge()).isInstanceOf(DiskLookup.Missing.class);
        assertThat(judge(task("WorkDisk", WorkTaskSpec.format(NODE, PATH, 1 << 20, false, UID, 1), null)))
                .as("a create step still running")
                .isInstanceOf(DiskLookup.Missing.class);
    }

    @Test
    void aDiskBeingDeletedOrResizedIsBusy() {
        assertThat(judge(made(), task("WorkDisk", WorkTaskSpec.delete(NODE, PATH, UID, 1), null)))
                .isEqualTo(DiskLookup.busy("disk team-a/dev-vm is being deleted"));
        assertThat(judge(made(), task("WorkDisk", WorkTaskSpec.resize(NODE, PATH, 2 << 20, UID, 1), null)))
                .isEqualTo(DiskLookup.busy("disk team-a/dev-vm is being resized"));
        assertThat(judge(made(), task("WorkDisk", WorkTaskSpec.resize(NODE, PATH, 2 << 20, UID, 1), succeeded())))
                .as("a finished resize")
                .isInstanceOf(DiskLookup.Usable.class);
    }

    @Test
    void aSeedIsNoDisk() {
        var seedTask = task(
                "WorkSeed",
                WorkTaskSpec.buildSeed(NODE, PATH, SeedSource.hostPath("/images/root.ext4"), "/root", UID, 1),
                succeeded());
        assertThat(judge(seedTask)).isInstanceOf(DiskLookup.Missing.class);
        assertThat(((DiskLookup.Missing) judge(seedTask)).reason()).contains("belong to a WorkSeed");
    }

    @Test
    void aDiskWhoseImageIsGoneIsMissing() throws Exception {
        Files.delete(root.resolve(PATH));
        assertThat(judge(made())).isInstanceOf(DiskLookup.Missing.class);
    }

    private DiskLookup judge(WorkTask... tasks) {
        return DisksFromTasks.judge(DISK, List.of(tasks), NODE, root);
    }

    private static WorkTask made() {
        return task("WorkDisk", WorkTaskSpec.format(NODE, PATH, 1 << 20, false, UID, 1), succeeded());
    }

    private static WorkTaskStatus succeeded() {
        return WorkTaskStatus.succeeded(
                "2026-01-01T00:00:00Z",
                "2026-01-01T00:00:01Z",
                1.0,
                Map.of(),
                TaskResult.disk(PATH, 1 << 20, 1 << 20, 1 << 16, "uuid", false),
                1L);
    }

    private static WorkTask task(String ownerKind, WorkTaskSpec spec, WorkTaskStatus status) {
        WorkTask task = new WorkTask();
        task.setMetadata(new ObjectMetaBuilder()
                .withName("wd-" + UID + "-" + spec.type().name().toLowerCase())
                .withNamespace("team-a")
                .withOwnerReferences(new OwnerReferenceBuilder()
                        .withKind(ownerKind)
                        .withName("dev-vm")
                        .withUid(UID)
                        .build())
                .build());
        task.setSpec(spec);
        task.setStatus(status);
        return task;
    }
}
