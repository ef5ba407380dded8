package io.workdisk.agent.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.workdisk.agent.engine.DiskEngine.MaterializeRequest;
import io.workdisk.agent.engine.inspect.DiskFacts;
import io.workdisk.agent.engine.resize.ResizeJournal;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.Problem;
import io.workdisk.agent.engine.tools.E2fsTools;
import io.workdisk.agent.testing.DebugfsTree;
import io.workdisk.agent.testing.JavaProcess;
import io.workdisk.agent.testing.Shell;
import io.workdisk.agent.testing.TreeAssert;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ResizeTest {
    private static final long GIB = 1L << 30;

    @TempDir
    Path tmp;

    EngineFixtures fx;
    Path disk;
    String uuid;

    @BeforeEach
    void setUp() throws Exception {
        fx = new EngineFixtures(tmp);
        disk = fx.data.resolve("vm.ext4");
        uuid = fx.engine
                .materialize(fx.dataRoot, new MaterializeRequest(fx.seed(), disk, GIB, false, "test", false))
                .result()
                .filesystemUUID();
    }

    private DiskFacts resize(long size) throws EngineException {
        return fx.engine.resize(fx.dataRoot, disk, size, "test").result();
    }

    /** The disk is the one materialized in setUp: same size, same UUID, same tree, clean. */
    private void assertOriginalDisk() throws Exception {
        DiskFacts facts = fx.engine.inspect(disk).result();
        assertThat(facts.sizeBytes()).isEqualTo(GIB);
        assertThat(facts.filesystemBytes()).isEqualTo(GIB);
        assertThat(facts.filesystemUUID()).isEqualTo(uuid);
        Shell.assertFsckClean(disk);
        TreeAssert.assertSameTree(fx.sourceRoot, DebugfsTree.read(disk, tmp));
    }

    private void assertNoJournalLeft() throws Exception {
        assertThat(fx.dataListing()).noneMatch(n -> n.startsWith(".workdisk-resize-") && !n.endsWith(".lock"));
    }

    @Test
    void growKeepsEveryFileAndTheUuid() throws Exception {
        DiskFacts grown = resize(8 * GIB);

        assertThat(grown.sizeBytes()).isEqualTo(8 * GIB);
        assertThat(grown.filesystemBytes()).isEqualTo(8 * GIB);
        assertThat(grown.filesystemUUID()).isEqualTo(uuid);
        assertThat(grown.allocatedBytes()).as("growing stays sparse").isLessThan(GIB / 4);
        Shell.assertFsckClean(disk);
        TreeAssert.assertSameTree(fx.sourceRoot, DebugfsTree.read(disk, tmp));
        assertNoJournalLeft();
    }

    @Test
    void sameSizeIsANoOp() throws Exception {
        resize(GIB);
        assertOriginalDisk();
    }

    @Test
    void shrinkIsRefusedAndChangesNothing() throws Exception {
        assertThatThrownBy(() -> resize(GIB / 2))
                .hasMessageContaining("shrinking is not supported")
                .hasMessageContaining("1Gi filesystem and 512Mi was asked for")
                .extracting(e -> ((EngineException) e).problem())
                .isEqualTo(Problem.SHRINK_REFUSED);
        assertOriginalDisk();
    }

    @Test
    void growBeyondFreeSpaceIsRefused() throws Exception {
        assertThatThrownBy(() -> resize(1L << 60))
                .extracting(e -> ((EngineException) e).problem())
                .isEqualTo(Problem.INSUFFICIENT_SPACE);
        assertOriginalDisk();
        assertNoJournalLeft();
    }

    @Test
    void onlyTheRequesterMayGrowItsDisk() throws Exception {
        assertThatThrownBy(() -> fx.engine.resize(fx.dataRoot, disk, 2 * GIB, "someone-else"))
                .hasMessageContaining("belongs to requester 'test'");
        Path user = fx.data.resolve("user.img");
        Files.write(user, new byte[4096]);
        assertThatThrownBy(() -> fx.engine.resize(fx.dataRoot, user, 2 * GIB, "test"))
                .hasMessageContaining("not created by workdisk");
        assertThat(Files.size(user)).isEqualTo(4096);
        assertThatThrownBy(() -> fx.engine.resize(fx.dataRoot, fx.data.resolve("missing.ext4"), 2 * GIB, "test"))
                .extracting(e -> ((EngineException) e).problem())
                .isEqualTo(Problem.NOT_FOUND);
    }

    @Test
    void diskWithFilesystemErrorsIsNotGrown() throws Exception {
        // a directory entry pointing at a freed inode: a real inconsistency e2fsck -fn reports
        Shell.ok("debugfs", "-w", "-R", "clri <12>", disk.toString());
        assertThatThrownBy(() -> resize(2 * GIB))
                .hasMessageContaining("e2fsck -f")
                .extracting(e -> ((EngineException) e).problem())
                .isEqualTo(Problem.FILESYSTEM_NOT_CLEAN);
        assertThat(Files.size(disk)).isEqualTo(GIB);
        assertNoJournalLeft();
    }

    /**
     * e2fsck's exit 8 is its own failure to do the check (here it cannot open a filesystem with a feature it
     * does not know; an I/O error ends the same way), no verdict on the filesystem: the message says so and
     * does not send the user to repair a disk nothing is known to be wrong with.
     */
    @Test
    void aDiskE2fsckCannotCheckIsNotCalledInconsistent() throws Exception {
        long incompat;
        try (FileChannel ch = FileChannel.open(disk)) {
            ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(b, 1024 + 0x60);
            incompat = b.getInt(0) & 0xFFFFFFFFL;
        }
        // an incompatible feature bit no e2fsprogs knows, written with valid checksums on every superblock
        Shell.ok(
                "debugfs",
                "-w",
                "-R",
                "ssv feature_incompat 0x" + Long.toHexString(incompat | 0x400000),
                disk.toString());
        assertThat(Shell.run(List.of("e2fsck", "-f", "-n", disk.toString())).exitCode())
                .isEqualTo(8);

        assertThatThrownBy(() -> resize(2 * GIB))
                .hasMessageContaining("e2fsck could not check")
                .hasMessageContaining("exit 8")
                .hasMessageContaining("unsupported feature")
                .hasMessageNotContaining("repair it")
                .extracting(e -> ((EngineException) e).problem())
                .isEqualTo(Problem.IO_ERROR);
        assertThat(Files.size(disk)).isEqualTo(GIB);
        assertNoJournalLeft();
    }

    /**
     * The agent is killed with SIGKILL (with its tools) at three points of a resize where the outcome is
     * known: after the file grew but before resize2fs ran, after resize2fs started its undo file but before
     * the file had a valid header (e2undo then refuses it: "Not an undo file"), and after resize2fs finished
     * but before the journal was closed. Every time, the next start rolls the disk back to exactly what it
     * was.
     */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "kill -KILL $PPID; exit 0\n",
                "printf 'half a header' > \"$3\"; kill -KILL $PPID; exit 0\n",
                "\"$REAL\" \"$@\"; kill -KILL $PPID; exit 0\n"
            })
    void crashMidResizeIsRolledBackOnTheNextStart(String resize2fsWrapper) throws Exception {
        for (int trial = 0; trial < 3; trial++) {
            crashResize(trial, resize2fsWrapper);

            ResizeJournal.recoverAll(E2fsTools.fromEnvironment(), fx.data);

            assertOriginalDisk();
            assertNoJournalLeft();
        }
        assertThat(resize(2 * GIB).filesystemBytes()).as("a later resize works").isEqualTo(2 * GIB);
        Shell.assertFsckClean(disk);
    }

    /**
     * resize2fs committed the new size, but the crash came before its undo file was closed, so the file
     * indexes none of the blocks it overwrote last (here: none at all, and not marked finished). Replaying
     * it would restore nothing and cutting the file back would truncate the grown filesystem; the whole,
     * grown filesystem is kept instead.
     */
    @Test
    void aCommittedResizeWhoseUndoFileIsIncompleteIsKept() throws Exception {
        crashResize(
                0,
                "\"$REAL\" \"$@\"\n"
                        + "head -c 8 /dev/zero | dd of=\"$3\" bs=1 seek=8 conv=notrunc status=none\n"
                        + "head -c 4 /dev/zero | dd of=\"$3\" bs=1 seek=44 conv=notrunc status=none\n"
                        + "kill -KILL $PPID; exit 0\n");

        ResizeJournal.recoverAll(E2fsTools.fromEnvironment(), fx.data);

        assertWholeDiskOf(16 * GIB);
        assertNoJournalLeft();
    }

    /**
     * Killed at a random instant while resize2fs runs, the disk comes back whole: as it was, or grown if
     * resize2fs had committed the new size; never half-grown, never with a file shorter than its
     * filesystem.
     */
    @Test
    void aCrashAtARandomInstantLeavesTheOldDiskOrTheGrownOne() throws Exception {
        for (int trial = 0; trial < 4; trial++) {
            crashResize(trial, "\"$REAL\" \"$@\" & sleep 0.0$(shuf -i 1-30 -n 1); kill -KILL $! $PPID; exit 0\n");

            ResizeJournal.recoverAll(E2fsTools.fromEnvironment(), fx.data);

            long size = fx.engine.inspect(disk).result().filesystemBytes();
            assertThat(size).isIn(GIB, 16 * GIB);
            assertWholeDiskOf(size);
            assertNoJournalLeft();
            if (size != GIB) {
                return;
            }
        }
    }

    private void crashResize(int trial, String resize2fsWrapper) throws Exception {
        Path tools = JavaProcess.toolsDirWith(tmp.resolve("tools-" + trial), "resize2fs", resize2fsWrapper);
        JavaProcess agent = JavaProcess.start(
                Map.of("WORKDISK_TOOLS_DIR", tools.toString()),
                tmp.resolve("agent.log"),
                "resize",
                "--requester",
                "test",
                "--size",
                "16Gi",
                disk.toString());
        assertThat(agent.waitFor()).as("the agent was killed").isEqualTo(137);
        assertThat(fx.dataListing())
                .as("the crash left its journal")
                .anyMatch(n -> n.matches("\\.workdisk-resize-.*\\.json"));
    }

    /** The disk holds the tree and UUID it was materialized with, in a clean filesystem of {@code size} that fills the file. */
    private void assertWholeDiskOf(long size) throws Exception {
        DiskFacts facts = fx.engine.inspect(disk).result();
        assertThat(facts.sizeBytes()).isEqualTo(size);
        assertThat(facts.filesystemBytes()).isEqualTo(size);
        assertThat(facts.filesystemUUID()).isEqualTo(uuid);
        Shell.assertFsckClean(disk);
        TreeAssert.assertSameTree(fx.sourceRoot, DebugfsTree.read(disk, tmp));
    }

    @Test
    void anyLaterStepInTheDirectoryRecoversACrashedResize() throws Exception {
        crashResize(0, "\"$REAL\" \"$@\"; kill -KILL $PPID; exit 0\n");

        fx.engine.format(
                fx.dataRoot, new DiskEngine.FormatRequest(fx.data.resolve("other.ext4"), GIB, false, "test", false));

        assertOriginalDisk();
        assertNoJournalLeft();
    }

    /**
     * resize2fs is killed before its undo file has a valid header, and the disk then has errors, so the
     * resize can be neither undone nor kept: every step that recovers the directory reports it (formatting
     * another disk, deleting another disk), and it stays reported until the disk itself is deleted.
     */
    @Test
    void aResizeThatCannotBeRolledBackIsReportedByEveryRecoveryUntilTheDiskIsGone() throws Exception {
        crashResize(0, "printf 'half a header' > \"$3\"; kill -KILL $PPID; exit 0\n");
        Shell.ok("debugfs", "-w", "-R", "clri <12>", disk.toString());
        assertThat(fx.engine.recovery().unrecovered())
                .as("nothing recovered yet")
                .isEmpty();

        Path other = fx.data.resolve("other.ext4");
        fx.engine.format(fx.dataRoot, new DiskEngine.FormatRequest(other, GIB, false, "test", false));
        assertThat(fx.engine.recovery().unrecovered())
                .as("found by preparing another output")
                .singleElement()
                .satisfies(u -> {
                    assertThat(u.disk()).isEqualTo(disk);
                    assertThat(u.message()).contains("could not be rolled back").contains("e2fsck -f");
                });
        fx.engine.delete(fx.dataRoot, other, "test");
        assertThat(fx.engine.recovery().unrecovered())
                .as("found again by deleting another disk")
                .extracting(ResizeJournal.Unrecovered::disk)
                .containsExactly(disk);
        assertThatThrownBy(() -> resize(2 * GIB))
                .as("growing it fails until it is repaired")
                .extracting(e -> ((EngineException) e).problem())
                .isEqualTo(Problem.FILESYSTEM_NOT_CLEAN);

        fx.engine.delete(fx.dataRoot, disk, "test");
        assertThat(fx.engine.recovery().unrecovered())
                .as("deleting the disk resolves it")
                .isEmpty();
        assertThat(fx.engine.recovery().recover(fx.data)).isEmpty();
        assertNoJournalLeft();
    }
}
