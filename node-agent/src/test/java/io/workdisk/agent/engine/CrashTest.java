package io.workdisk.agent.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.workdisk.agent.engine.DiskEngine.MaterializeRequest;
import io.workdisk.agent.engine.inspect.DiskFacts;
import io.workdisk.agent.testing.DebugfsTree;
import io.workdisk.agent.testing.JavaProcess;
import io.workdisk.agent.testing.Rootfs;
import io.workdisk.agent.testing.Shell;
import io.workdisk.agent.testing.TreeAssert;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The agent killed with SIGKILL in the middle of making a disk: the final path holds no disk or a
 * complete one (or the previous one), never a half-made one, and the next step cleans up the rest.
 */
class CrashTest {
    private static final String KILL_AFTER = "\"$REAL\" \"$@\"; kill -KILL $PPID; exit 0\n";

    @TempDir
    Path tmp;

    EngineFixtures fx;
    Path seed;

    @BeforeEach
    void setUp() throws Exception {
        fx = new EngineFixtures(tmp);
        seed = fx.seed();
    }

    private String[] command(String step, Path out) {
        return switch (step) {
            case "materialize" ->
                new String[] {
                    "materialize", "--requester", "test", "--seed", seed.toString(), "--size", "2Gi", out.toString()
                };
            case "format" -> new String[] {"format", "--requester", "test", "--size", "2Gi", out.toString()};
            case "build-seed" ->
                new String[] {
                    "build-seed",
                    "--requester",
                    "test",
                    "--rootfs",
                    fx.data.resolve("rootfs-ext4_default.ext4").toString(),
                    out.toString()
                };
            default -> throw new IllegalArgumentException(step);
        };
    }

    /** Killed right after each tool the step runs: the tool's work is done, the publish is not. */
    @ParameterizedTest
    @CsvSource({
        "materialize,cp",
        "materialize,tune2fs",
        "materialize,resize2fs",
        "format,mkfs.ext4",
        "build-seed,mkfs.ext4",
        "build-seed,debugfs",
        "build-seed,e2fsck"
    })
    void killedAfterAToolLeavesNoDiskAndTheNextRunCleansUp(String step, String tool) throws Exception {
        Path out = fx.data.resolve("disk.ext4");
        if (tool.equals("debugfs")) {
            // a sub-second time, which no mkfs -d sets, so the fix-ups (the debugfs run) have work to do
            long seconds = Files.getLastModifiedTime(fx.sourceRoot.resolve(".bashrc"))
                    .toInstant()
                    .getEpochSecond();
            Rootfs.setMtimeNanos(fx.data.resolve("rootfs-ext4_default.ext4"), "/root/.bashrc", seconds, 5L);
        }
        Path tools = JavaProcess.toolsDirWith(tmp.resolve("tools"), tool, KILL_AFTER);

        JavaProcess agent = JavaProcess.start(
                Map.of("WORKDISK_TOOLS_DIR", tools.toString()), tmp.resolve("agent.log"), command(step, out));

        assertThat(agent.waitFor()).as("killed inside %s", tool).isEqualTo(137);
        assertThat(out).as("no partial disk at the final path").doesNotExist();
        assertThat(fx.dataListing())
                .as("the crash left its temporary files")
                .anyMatch(n -> n.startsWith(".workdisk-tmp-"));

        JavaProcess rerun = JavaProcess.start(Map.of(), tmp.resolve("rerun.log"), command(step, out));
        assertThat(rerun.waitFor())
                .as(Files.readString(tmp.resolve("rerun.log")))
                .isZero();
        assertCompleteDisk(step, out);
        assertThat(fx.dataListing()).as("leftovers cleaned").noneMatch(n -> n.startsWith(".workdisk-tmp-"));
    }

    /** Killed at an arbitrary instant once the staged image exists, many times over. */
    @Test
    void killedAtRandomInstantsNeverPublishesAPartialDisk() throws Exception {
        Path out = fx.data.resolve("random.ext4");
        Random random = new Random(7);
        int caughtMidFlight = 0;
        for (int trial = 0; trial < 12; trial++) {
            Files.deleteIfExists(out);
            String step = trial % 3 == 0 ? "format" : "materialize";
            JavaProcess agent = JavaProcess.start(Map.of(), tmp.resolve("agent.log"), command(step, out));
            await().atMost(Duration.ofMinutes(1))
                    .pollInterval(Duration.ofMillis(1))
                    .until(() -> !agent.isAlive() || fx.dataListing().stream().anyMatch(n -> n.endsWith(".img")));
            busyWait(random.nextInt(60_000_000));
            boolean wasAlive = agent.isAlive();
            agent.killHard();
            if (wasAlive && !Files.exists(out)) {
                caughtMidFlight++;
            }
            if (Files.exists(out)) {
                assertCompleteDisk(step, out);
            }
        }
        assertThat(caughtMidFlight).as("some kills landed before the publish").isPositive();
        fx.engine.format(
                fx.dataRoot,
                new DiskEngine.FormatRequest(fx.data.resolve("after.ext4"), 1L << 30, false, "test", false));
        assertThat(fx.dataListing()).noneMatch(n -> n.startsWith(".workdisk-tmp-"));
    }

    @Test
    void killedWhileReplacingLeavesThePreviousDiskIntact() throws Exception {
        Path out = fx.data.resolve("disk.ext4");
        String before = fx.engine
                .materialize(fx.dataRoot, new MaterializeRequest(seed, out, 1L << 30, false, "test", false))
                .result()
                .filesystemUUID();
        Path tools = JavaProcess.toolsDirWith(tmp.resolve("tools"), "resize2fs", KILL_AFTER);

        String[] args = command("materialize", out);
        String[] forced = Arrays.copyOf(args, args.length + 1);
        forced[args.length] = "--force";
        JavaProcess agent =
                JavaProcess.start(Map.of("WORKDISK_TOOLS_DIR", tools.toString()), tmp.resolve("agent.log"), forced);

        assertThat(agent.waitFor()).isEqualTo(137);
        DiskFacts after = fx.engine.inspect(out).result();
        assertThat(after.filesystemUUID()).isEqualTo(before);
        assertThat(after.sizeBytes()).isEqualTo(1L << 30);
        Shell.assertFsckClean(out);
    }

    private void assertCompleteDisk(String step, Path out) throws Exception {
        Shell.assertFsckClean(out);
        if (step.equals("format")) {
            assertThat(DebugfsTree.read(out, tmp)).containsOnlyKeys("");
        } else {
            TreeAssert.assertSameTree(fx.sourceRoot, DebugfsTree.read(out, tmp));
        }
    }

    /** Spins for a few milliseconds: a kill placed inside the step rather than at a scheduler tick. */
    private static void busyWait(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }
}
