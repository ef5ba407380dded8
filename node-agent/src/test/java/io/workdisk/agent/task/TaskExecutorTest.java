package io.workdisk.agent.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.workdisk.agent.engine.DiskEngine;
import io.workdisk.agent.engine.files.ConfinedRoot;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.Problem;
import io.workdisk.agent.engine.tools.E2fsTools;
import io.workdisk.agent.source.Downloader;
import io.workdisk.agent.source.ImageSeeds;
import io.workdisk.agent.source.RootfsSources;
import io.workdisk.api.task.ImageSource;
import io.workdisk.api.task.SeedOwnership;
import io.workdisk.api.task.SeedSource;
import io.workdisk.api.task.WorkTaskSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TaskExecutorTest {
    static final String DIGEST = "sha256:" + "ab".repeat(32);

    @TempDir
    Path tmp;

    TaskExecutor executor(List<Path> imageDirs, ImageSeeds images) throws EngineException {
        return new TaskExecutor(
                new DiskEngine(E2fsTools.fromEnvironment(), System::nanoTime),
                DataDirectories.create(tmp.resolve("data")),
                new RootfsSources(imageDirs, Downloader.standard()),
                images);
    }

    static void assertProblem(ThrowingRun run, Problem problem, String says) {
        assertThatThrownBy(run::run).isInstanceOfSatisfying(EngineException.class, e -> {
            assertThat(e.problem()).isEqualTo(problem);
            assertThat(e.getMessage()).contains(says);
        });
    }

    interface ThrowingRun {
        void run() throws Exception;
    }

    @Test
    void aTaskThatNamesNoStepIsAnInvalidTaskNotABadPath() throws Exception {
        TaskExecutor executor = executor(List.of(), new Recording());
        WorkTaskSpec noType =
                new WorkTaskSpec("n", null, "disks/x.ext4", 1L << 30, null, null, null, null, null, "u", 1);
        assertProblem(() -> executor.run(noType), Problem.INVALID_TASK, "no type");
    }

    /** What the executor asks of the image source, recorded. */
    static final class Recording implements ImageSeeds {
        final List<Object> asked = new ArrayList<>();

        @Override
        public String resolve(ImageSource image) {
            asked.add(image);
            return DIGEST;
        }

        @Override
        public Built build(ConfinedRoot root, Request request, Progress progress) throws EngineException {
            asked.add(request);
            throw new EngineException(Problem.TOOL_FAILED, "recorded, not built");
        }
    }

    @Test
    void aResolveTaskReportsTheDigestTheSourceAnswers() throws Exception {
        Recording images = new Recording();
        TaskExecutor executor = executor(List.of(tmp), images);
        ImageSource image = ImageSource.of("registry.example/debian:12");

        TaskExecutor.Outcome outcome = executor.run(WorkTaskSpec.resolveImage("n", "seeds/s.ext4", image, "s", 1));

        assertThat(outcome.result().imageDigest()).isEqualTo(DIGEST);
        assertThat(images.asked).containsExactly(image);
    }

    @Test
    void aBuildIsAskedForTheDigestTheTaskNamesAndTheArchiveInsideTheImageDirectories() throws Exception {
        Recording images = new Recording();
        TaskExecutor executor = executor(List.of(tmp.resolve("images")), images);
        Files.createDirectories(tmp.resolve("images"));
        Path archive = Files.writeString(tmp.resolve("images/debian.tar"), "not read by the recording");
        ImageSource pinned = ImageSource.of("registry.example/debian:12").pinnedTo(DIGEST);

        assertProblem(
                () -> executor.run(WorkTaskSpec.buildSeed(
                        "n", "seeds/s.ext4", SeedSource.image(pinned), "/", SeedOwnership.Preserve, "s", 1)),
                Problem.TOOL_FAILED,
                "recorded");
        assertProblem(
                () -> executor.run(WorkTaskSpec.buildSeed(
                        "n", "seeds/s.ext4", SeedSource.ociArchive(archive.toString()), "/root", "s", 1)),
                Problem.TOOL_FAILED,
                "recorded");

        Path target = tmp.resolve("data/seeds/s.ext4");
        assertThat(images.asked)
                .containsExactly(
                        ImageSeeds.Request.fromImage(pinned, "/", SeedOwnership.Preserve, target, "s"),
                        ImageSeeds.Request.fromArchive(archive.toRealPath(), "/root", SeedOwnership.Root, target, "s"));
    }

    @Test
    void anImageNotNamedByDigestOrAnArchiveOutsideTheImageDirectoriesIsRefusedBeforeTheSourceIsAsked()
            throws Exception {
        Recording images = new Recording();
        Files.createDirectories(tmp.resolve("images"));
        TaskExecutor executor = executor(List.of(tmp.resolve("images")), images);
        Path outside = Files.writeString(tmp.resolve("elsewhere.tar"), "x");

        assertProblem(
                () -> executor.run(WorkTaskSpec.buildSeed(
                        "n",
                        "seeds/s.ext4",
                        SeedSource.image(ImageSource.of("registry.example/debian:12")),
                        "/",
                        "s",
                        1)),
                Problem.INVALID_TASK,
                "not named by digest");
        assertProblem(
                () -> executor.run(WorkTaskSpec.buildSeed(
                        "n", "seeds/s.ext4", SeedSource.ociArchive(outside.toString()), "/", "s", 1)),
                Problem.OUTSIDE_DATA_ROOT,
                "ociArchive");
        assertThat(images.asked).isEmpty();
    }
}
