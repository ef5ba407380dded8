package io.workdisk.agent.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.workdisk.agent.engine.DiskEngine.MaterializeRequest;
import io.workdisk.agent.engine.inspect.DiskFacts;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.Problem;
import io.workdisk.agent.testing.DebugfsTree;
import io.workdisk.agent.testing.Shell;
import io.workdisk.agent.testing.TreeAssert;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MaterializeTest {
    private static final long GIB = 1L << 30;

    @TempDir
    Path tmp;

    EngineFixtures fx;
    Path seed;

    @BeforeEach
    void setUp() throws Exception {
        fx = new EngineFixtures(tmp);
        seed = fx.seed();
    }

    private DiskFacts materialize(String name, long size) throws EngineException {
        return fx.engine
                .materialize(
                        fx.dataRoot, new MaterializeRequest(seed, fx.data.resolve(name), size, false, "test", false))
                .result();
    }

    @Test
    void diskHoldsExactlyTheSeedTreeAtTheRequestedSize() throws Exception {
        DiskFacts disk = materialize("vm1.ext4", 8 * GIB);

        Path path = Path.of(disk.path());
        assertThat(disk.sizeBytes()).isEqualTo(8 * GIB);
        assertThat(disk.filesystemBytes()).isEqualTo(8 * GIB);
        assertThat(disk.clean()).isTrue();
        assertThat(disk.owner()).isEqualTo("test");
        Shell.assertFsckClean(path);
        Map<String, DebugfsTree.Entry> diskTree = DebugfsTree.read(path, tmp);
        TreeAssert.assertSameTree(fx.sourceRoot, diskTree);
        Map<String, DebugfsTree.Entry> seedTree = DebugfsTree.read(seed, tmp);
        assertThat(diskTree.get("").mode()).isEqualTo(seedTree.get("").mode());
        assertThat(diskTree.get("").mtimeNanos()).isEqualTo(seedTree.get("").mtimeNanos());
        assertThat(Shell.allocatedBytes(path)).as("a fresh disk is sparse").isLessThan(GIB / 8);
    }

    @Test
    void everyDiskGetsItsOwnFilesystemUuid() throws Exception {
        String seedUuid = fx.engine.inspect(seed).result().filesystemUUID();
        String a = materialize("a.ext4", GIB).filesystemUUID();
        String b = materialize("b.ext4", GIB).filesystemUUID();

        assertThat(List.of(a, b, seedUuid)).doesNotHaveDuplicates();
        assertThat(Shell.ok(
                                "blkid",
                                "-o",
                                "value",
                                "-s",
                                "UUID",
                                fx.data.resolve("a.ext4").toString())
                        .strip())
                .isEqualTo(a);
    }

    @Test
    void sizeOfTheSeedItselfIsAccepted() throws Exception {
        long seedSize = Files.size(seed);
        DiskFacts disk = materialize("same.ext4", seedSize);
        assertThat(disk.filesystemBytes()).isEqualTo(seedSize);
        Shell.assertFsckClean(Path.of(disk.path()));
    }

    @Test
    void sizeBelowTheSeedIsAClearErrorAndLeavesNothing() throws Exception {
        List<String> before = fx.dataListing();
        assertThatThrownBy(() -> materialize("small.ext4", 256L << 20))
                .isInstanceOf(EngineException.class)
                .hasMessageContaining("below the seed's filesystem size 512Mi")
                .extracting(e -> ((EngineException) e).problem())
                .isEqualTo(Problem.SIZE_BELOW_SEED);
        assertThat(fx.dataListing()).isEqualTo(before);
    }

    @Test
    void preallocatedDiskHasEveryBlockReserved() throws Exception {
        DiskFacts disk = materialize("pre.ext4", GIB);
        DiskFacts full = fx.engine
                .materialize(
                        fx.dataRoot,
                        new MaterializeRequest(seed, fx.data.resolve("full.ext4"), GIB, true, "test", false))
                .result();

        assertThat(disk.allocatedBytes()).isLessThan(GIB / 8);
        assertThat(full.allocatedBytes()).isGreaterThanOrEqualTo(GIB);
        Shell.assertFsckClean(Path.of(full.path()));
        TreeAssert.assertSameTree(fx.sourceRoot, DebugfsTree.read(Path.of(full.path()), tmp));
    }

    @Test
    void seedThatIsNotExt4IsRefused() throws Exception {
        seed = fx.data.resolve("not-a-seed");
        Files.writeString(seed, "hello");
        List<String> before = fx.dataListing();
        assertThatThrownBy(() -> materialize("x.ext4", GIB))
                .hasMessageContaining("not an ext4 image")
                .extracting(e -> ((EngineException) e).problem())
                .isEqualTo(Problem.NOT_EXT4);
        assertThat(fx.dataListing()).isEqualTo(before);
    }

    @Test
    void truncatedSeedIsRefused() throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(seed.toFile(), "rw")) {
            f.setLength(f.length() / 3);
        }
        List<String> before = fx.dataListing();
        assertThatThrownBy(() -> materialize("x.ext4", GIB))
                .hasMessageContaining("truncated")
                .extracting(e -> ((EngineException) e).problem())
                .isEqualTo(Problem.CORRUPT_IMAGE);
        assertThat(fx.dataListing()).isEqualTo(before);
    }

    @Test
    void seedWithRecordedErrorsIsRefused() throws Exception {
        Shell.ok("debugfs", "-w", "-R", "ssv state 2", seed.toString()); // EXT4_ERROR_FS, as the kernel leaves it
        assertThatThrownBy(() -> materialize("x.ext4", GIB))
                .hasMessageContaining("is not clean")
                .extracting(e -> ((EngineException) e).problem())
                .isEqualTo(Problem.CORRUPT_IMAGE);
        assertThat(fx.dataListing()).noneMatch(n -> n.equals("x.ext4") || n.startsWith(".workdisk-tmp"));
    }

    @Test
    void missingSeedIsNamed() {
        seed = fx.data.resolve("gone.seed");
        assertThatThrownBy(() -> materialize("x.ext4", GIB))
                .hasMessageContaining("gone.seed")
                .hasMessageContaining("does not exist");
    }

    @Test
    void sizeAboveFreeSpaceIsRefusedBeforeAnythingIsWritten() throws Exception {
        List<String> before = fx.dataListing();
        assertThatThrownBy(() -> materialize("huge.ext4", 8L << 40))
                .hasMessageContaining("needs 8Ti")
                .hasMessageContaining("free")
                .extracting(e -> ((EngineException) e).problem())
                .isEqualTo(Problem.INSUFFICIENT_SPACE);
        assertThat(fx.dataListing()).isEqualTo(before);
    }

    @Test
    void targetOutsideTheDataRootIsRefused() throws Exception {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.createSymbolicLink(fx.data.resolve("escape"), outside);
        assertThatThrownBy(() -> fx.engine.materialize(
                        fx.dataRoot,
                        new MaterializeRequest(seed, fx.data.resolve("escape/x.ext4"), GIB, false, "test", false)))
                .hasMessageContaining("outside the data root")
                .extracting(e -> ((EngineException) e).problem())
                .isEqualTo(Problem.OUTSIDE_DATA_ROOT);
        assertThat(outside).isEmptyDirectory();
    }
}
