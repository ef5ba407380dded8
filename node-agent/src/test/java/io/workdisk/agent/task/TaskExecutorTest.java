package io.workdisk.agent.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.workdisk.agent.engine.DiskEngine;
import io.workdisk.agent.engine.EngineException;
import io.workdisk.agent.engine.Problem;
import io.workdisk.agent.engine.tools.E2fsTools;
import io.workdisk.agent.source.Downloader;
import io.workdisk.agent.source.RootfsSources;
import io.workdisk.api.task.WorkTaskSpec;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TaskExecutorTest {
    @TempDir
    Path tmp;

    @Test
    void aTaskThatNamesNoStepIsAnInvalidTaskNotABadPath() throws Exception {
        TaskExecutor executor = new TaskExecutor(
                new DiskEngine(E2fsTools.fromEnvironment(), System::nanoTime),
                DataLayout.create(tmp.resolve("data")),
                new RootfsSources(List.of(), Downloader.standard()));
        WorkTaskSpec noType = new WorkTaskSpec("n", null, "disks/x.ext4", 1L << 30, null, null, null, null, "u", 1);
        assertThatThrownBy(() -> executor.run(noType))
                .isInstanceOfSatisfying(
                        EngineException.class, e -> assertThat(e.problem()).isEqualTo(Problem.INVALID_TASK));
    }
}
