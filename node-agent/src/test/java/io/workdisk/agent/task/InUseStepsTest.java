package io.workdisk.agent.task;

import static io.workdisk.agent.task.TaskExecutorTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.workdisk.agent.engine.DiskEngine;
import io.workdisk.agent.engine.shared.Problem;
import io.workdisk.agent.source.Downloader;
import io.workdisk.agent.source.RootfsSources;
import io.workdisk.api.task.WorkTaskSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's own guard: a Resize or Delete step of a disk its CSI service has published is refused (IN_USE,
 * retryable) and the real image is left exactly as it was; the same step runs once nothing uses the disk. The
 * operator waits before asking; this covers a publication that slipped in after it looked.
 */
class InUseStepsTest {
    static final long MIB = 1L << 20;
    static final String DISK = "disks/uid-1.ext4";

    @TempDir
    Path tmp;

    final List<String> users = new ArrayList<>();
    boolean unreadable;
    TaskExecutor executor;
    Path image;

    @BeforeEach
    void aMadeDisk() throws Exception {
        DataDirectories directories = DataDirectories.create(tmp.resolve("data"));
        image = directories.resolve(DISK);
        executor = new TaskExecutor(
                DiskEngine.standard(),
                directories,
                new RootfsSources(List.of(), Downloader.standard()),
                new TaskExecutorTest.Recording(),
                path -> {
                    if (unreadable) {
                        throw new IOException("Permission denied");
                    }
                    return path.equals(image) ? List.copyOf(users) : List.of();
                });
        executor.run(WorkTaskSpec.format("n", DISK, 64 * MIB, false, "uid-1", 1));
    }

    @Test
    void aPublishedDiskIsNeitherGrownNorRemovedUntilUnpublished() throws Exception {
        String uuid = uuid();
        users.add("pod team-a/vm-1 (diskImage at /var/lib/kubelet/pods/p/volumes/v)");

        assertProblem(
                () -> executor.run(WorkTaskSpec.resize("n", DISK, 128 * MIB, "uid-1", 1)),
                Problem.IN_USE,
                "the disk is in use by pod team-a/vm-1 (diskImage at /var/lib/kubelet/pods/p/volumes/v); "
                        + "the resize waits for it to be unpublished");
        assertProblem(
                () -> executor.run(WorkTaskSpec.delete("n", DISK, "uid-1", 1)),
                Problem.IN_USE,
                "the removal waits for it to be unpublished");
        assertThat(Problem.IN_USE.retryable()).isTrue();
        assertThat(Files.size(image)).as("the image is as it was").isEqualTo(64 * MIB);
        assertThat(uuid()).isEqualTo(uuid);

        users.clear();
        var grown = executor.run(WorkTaskSpec.resize("n", DISK, 128 * MIB, "uid-1", 2));
        assertThat(grown.result().sizeBytes()).isEqualTo(128 * MIB);
        executor.run(WorkTaskSpec.delete("n", DISK, "uid-1", 1));
        assertThat(image).doesNotExist();
    }

    @Test
    void publicationsThatCannotBeReadRefuseTheStepToo() throws Exception {
        unreadable = true;
        assertProblem(
                () -> executor.run(WorkTaskSpec.delete("n", DISK, "uid-1", 1)),
                Problem.IO_ERROR,
                "cannot read this node's CSI publications to see whether " + image + " is in use: Permission denied");
        assertThat(image).exists();
    }

    private String uuid() throws Exception {
        return DiskEngine.standard().inspect(image).result().filesystemUUID();
    }
}
