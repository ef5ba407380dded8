package io.workdisk.agent.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.workdisk.agent.engine.DiskEngine.FormatRequest;
import io.workdisk.agent.engine.files.ConfinedRoot;
import io.workdisk.agent.engine.files.SpaceCheck;
import io.workdisk.agent.engine.inspect.DiskFacts;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.Problem;
import io.workdisk.agent.engine.tools.E2fsTools;
import io.workdisk.agent.testing.DebugfsTree;
import io.workdisk.agent.testing.JavaProcess;
import io.workdisk.agent.testing.Shell;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FormatTest {
    private static final long GIB = 1L << 30;

    @TempDir
    Path tmp;

    Path data;
    ConfinedRoot root;
    DiskEngine engine = DiskEngine.standard();

    @BeforeEach
    void setUp() throws Exception {
        data = Files.createDirectories(tmp.resolve("data"));
        root = ConfinedRoot.of(data);
    }

    private DiskFacts format(Path out, long size, boolean preallocate, String requester, boolean force)
            throws EngineException {
        return engine.format(root, new FormatRequest(out, size, preallocate, requester, force))
                .result();
    }

    private DiskFacts format(String name, long size) throws EngineException {
        return format(data.resolve(name), size, false, "test", false);
    }

    private List<String> listing() throws Exception {
        try (var s = Files.list(data)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void blankDiskIsASparseCleanExt4WithTheCanonicalOptions() throws Exception {
        DiskFacts disk = format("blank.ext4", 8 * GIB);

        Path path = Path.of(disk.path());
        assertThat(disk.sizeBytes()).isEqualTo(8 * GIB);
        assertThat(disk.filesystemBytes()).isEqualTo(8 * GIB);
        assertThat(disk.blockSize()).isEqualTo(4096);
        assertThat(disk.clean()).isTrue();
        assertThat(disk.features()).contains("has_journal", "extent", "metadata_csum");
        assertThat(disk.allocatedBytes()).as("sparse by default").isLessThan(GIB / 16);
        Shell.assertFsckClean(path);
        Map<String, DebugfsTree.Entry> tree = DebugfsTree.read(path, tmp);
        assertThat(tree).containsOnlyKeys("");
        assertThat(tree.get("").uid()).as("root_owner=0:0").isZero();
        String header = Shell.ok("dumpe2fs", "-h", path.toString());
        assertThat(header).containsPattern("Inode size:\\s+256");
    }

    @Test
    void preallocatedDiskReservesEveryBlock() throws Exception {
        DiskFacts disk = format(data.resolve("full.ext4"), GIB, true, "test", false);
        assertThat(disk.allocatedBytes()).isGreaterThanOrEqualTo(GIB);
        Shell.assertFsckClean(Path.of(disk.path()));
    }

    @Test
    void minimumSizeIsAcceptedAndBelowItIsRefused() throws Exception {
        assertThat(format("min.ext4", SpaceCheck.MIN_DISK_BYTES).filesystemBytes())
                .isEqualTo(SpaceCheck.MIN_DISK_BYTES);
        assertThatThrownBy(() -> format("tiny.ext4", 1024))
                .hasMessageContaining("below the minimum disk size of 64Mi")
                .extracting(e -> ((EngineException) e).problem())
                .isEqualTo(Problem.INVALID_SIZE);
        assertThat(listing()).containsExactly("min.ext4");
    }

    @Test
    void sizeThatIsNotAMultipleOfTheBlockSizeStillGivesACleanDisk() throws Exception {
        DiskFacts disk = format("odd.ext4", (100L << 20) + 123);
        assertThat(disk.filesystemBytes()).isEqualTo(100L << 20);
        Shell.assertFsckClean(Path.of(disk.path()));
    }

    @Test
    void concurrentFormatsInOneDirectoryDoNotTripOverEachOthersLocks() throws Exception {
        // an agent runs several steps at once in one JVM, where a lock another thread holds on the same file
        // (its cleanup grabbing a brand-new lock file, or a reused inode) throws instead of waiting; the
        // window is too narrow to hit on purpose, so this is a smoke test of many steps side by side
        var pool = Executors.newFixedThreadPool(4);
        List<Future<DiskFacts>> made = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            String name = "c" + i + ".ext4";
            made.add(pool.submit(() -> format(name, 64L << 20)));
        }
        pool.shutdown();
        for (var f : made) {
            assertThat(f.get().sizeBytes()).isEqualTo(64L << 20);
        }
        assertThat(listing()).hasSize(64).allMatch(n -> n.endsWith(".ext4") && n.startsWith("c"));
    }

    @Test
    void sizesFromSixteenTebibytesUpAreRefusedWhateverTheFreeSpace() throws Exception {
        for (long size : new long[] {16L << 40, 1L << 60}) {
            assertThatThrownBy(() -> format("huge.ext4", size))
                    .hasMessageContaining("is too large: a disk must be smaller than 16Ti")
                    .extracting(e -> ((EngineException) e).problem())
                    .isEqualTo(Problem.INVALID_SIZE);
        }
        assertThat(listing()).isEmpty();
    }

    @Test
    void sizeAboveFreeSpaceIsRefusedAndLeavesNothing() throws Exception {
        assertThatThrownBy(() -> format("huge.ext4", 8L << 40))
                .hasMessageContaining("needs 8Ti")
                .extracting(e -> ((EngineException) e).problem())
                .isEqualTo(Problem.INSUFFICIENT_SPACE);
        assertThat(listing()).isEmpty();
    }

    @Test
    void missingTargetDirectoryIsNamed() {
        assertThatThrownBy(() -> format(data.resolve("no/such/dir/d.ext4"), GIB, false, "test", false))
                .hasMessageContaining("target directory")
                .hasMessageContaining("does not exist")
                .extracting(e -> ((EngineException) e).problem())
                .isEqualTo(Problem.TARGET_DIRECTORY_MISSING);
    }

    @Test
    void dotDotIsRefusedEvenWhenItWouldStayInside() throws Exception {
        Files.createDirectories(data.resolve("a"));
        assertThatThrownBy(() -> format(data.resolve("a/../d.ext4"), GIB, false, "test", false))
                .hasMessageContaining("contains '..'");
        assertThat(listing()).containsExactly("a");
    }

    @Test
    void absolutePathOutsideTheRootIsRefused() throws Exception {
        Path outside = Files.createDirectories(tmp.resolve("elsewhere"));
        assertThatThrownBy(() -> format(outside.resolve("d.ext4"), GIB, false, "test", false))
                .extracting(e -> ((EngineException) e).problem())
                .isEqualTo(Problem.OUTSIDE_DATA_ROOT);
        assertThat(outside).isEmptyDirectory();
    }

    @Test
    void symlinkedTargetIsNeverWrittenThrough() throws Exception {
        Path victim = tmp.resolve("victim");
        Files.writeString(victim, "precious");
        Files.createSymbolicLink(data.resolve("link.ext4"), victim);

        assertThatThrownBy(() -> format(data.resolve("link.ext4"), GIB, false, "test", true))
                .hasMessageContaining("symlink");
        assertThat(Files.readString(victim)).isEqualTo("precious");
    }

    @Test
    void reservedTemporaryNamesCannotBeTargets() {
        assertThatThrownBy(() -> format(".workdisk-tmp-0123456789abcdef.img", GIB))
                .hasMessageContaining("reserved");
    }

    @Test
    void existingUserFileIsNeverReplacedEvenWithForce() throws Exception {
        Path user = data.resolve("user.ext4");
        Files.writeString(user, "user data");

        assertThatThrownBy(() -> format("user.ext4", GIB))
                .hasMessageContaining("already exists")
                .extracting(e -> ((EngineException) e).problem())
                .isEqualTo(Problem.TARGET_EXISTS);
        assertThatThrownBy(() -> format(user, GIB, false, "test", true))
                .hasMessageContaining("not created by workdisk")
                .extracting(e -> ((EngineException) e).problem())
                .isEqualTo(Problem.NOT_OWNED);
        assertThat(Files.readString(user)).isEqualTo("user data");
        assertThat(listing()).containsExactly("user.ext4");
    }

    @Test
    void ownDiskIsReplacedOnlyWithForceAndOnlyForTheSameRequester() throws Exception {
        Path disk = data.resolve("mine.ext4");
        String first = format(disk, GIB, false, "alice", false).filesystemUUID();

        assertThatThrownBy(() -> format(disk, GIB, false, "bob", true))
                .hasMessageContaining("belongs to requester 'alice'");
        assertThat(engine.inspect(disk).result().filesystemUUID()).isEqualTo(first);

        String second = format(disk, 2 * GIB, false, "alice", true).filesystemUUID();
        assertThat(second).isNotEqualTo(first);
        assertThat(engine.inspect(disk).result().sizeBytes()).isEqualTo(2 * GIB);
        assertThat(listing()).containsExactly("mine.ext4");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "with space.ext4",
                "quote'\"s.ext4",
                "new\nline.ext4",
                "-leading-dash",
                "--force",
                "$(touch pwned).ext4",
                "ünïcødé-名前.ext4",
                "semi;colon&amp|pipe"
            })
    void hostileOutputNamesSurviveIntact(String name) throws Exception {
        DiskFacts disk = format(name, 64L << 20);
        assertThat(Path.of(disk.path()).getFileName().toString()).isEqualTo(name);
        assertThat(listing()).containsExactly(name);
        Shell.assertFsckClean(data.resolve(name));
        assertThat(tmp.resolve("pwned")).doesNotExist();
        assertThat(data.resolve("pwned")).doesNotExist();
    }

    @Test
    void missingToolIsNamedAndNothingIsLeftBehind() throws Exception {
        Path emptyBin = Files.createDirectories(tmp.resolve("empty-bin"));
        DiskEngine withoutTools =
                new DiskEngine(new E2fsTools(List.of(emptyBin), Duration.ofMinutes(1)), System::nanoTime);

        assertThatThrownBy(() ->
                        withoutTools.format(root, new FormatRequest(data.resolve("d.ext4"), GIB, false, "t", false)))
                .hasMessageContaining("mkfs.ext4 not found")
                .hasMessageContaining("install e2fsprogs")
                .extracting(e -> ((EngineException) e).problem())
                .isEqualTo(Problem.TOOL_MISSING);
        assertThat(listing()).isEmpty();
    }

    @Test
    void failingToolReportsItsStderrAndLeavesNothing() throws Exception {
        DiskEngine broken = engineWithMkfs("echo 'mkfs.ext4: simulated failure' >&2\nexit 1\n", Duration.ofMinutes(1));

        assertThatThrownBy(() -> broken.format(root, new FormatRequest(data.resolve("d.ext4"), GIB, false, "t", false)))
                .hasMessageContaining("simulated failure")
                .extracting(e -> ((EngineException) e).problem())
                .isEqualTo(Problem.TOOL_FAILED);
        assertThat(listing()).isEmpty();
    }

    @Test
    void hangingToolIsStoppedByItsTimeout() throws Exception {
        DiskEngine slow = engineWithMkfs("exec sleep 600\n", Duration.ofMillis(300));

        assertThatThrownBy(() -> slow.format(root, new FormatRequest(data.resolve("d.ext4"), GIB, false, "t", false)))
                .hasMessageContaining("did not finish")
                .extracting(e -> ((EngineException) e).problem())
                .isEqualTo(Problem.TOOL_TIMEOUT);
        assertThat(listing()).isEmpty();
    }

    /** An engine whose mkfs.ext4 is this shell script and whose other tools are the real ones. */
    private DiskEngine engineWithMkfs(String script, Duration timeout) throws Exception {
        Path tools = JavaProcess.toolsDirWith(tmp.resolve("tools"), "mkfs.ext4", script);
        return new DiskEngine(new E2fsTools(List.of(tools), timeout), System::nanoTime);
    }

    @Test
    void deleteRemovesOnlyOwnDisks() throws Exception {
        Path disk = data.resolve("d.ext4");
        format(disk, GIB, false, "alice", false);
        Path user = data.resolve("user.img");
        Files.writeString(user, "keep");

        assertThatThrownBy(() -> engine.delete(root, user, "alice")).hasMessageContaining("not created by workdisk");
        assertThatThrownBy(() -> engine.delete(root, disk, "bob")).hasMessageContaining("belongs to requester 'alice'");
        assertThat(engine.delete(root, disk, "alice").result().existed()).isTrue();
        assertThat(engine.delete(root, disk, "alice").result().existed())
                .as("deleting twice is fine")
                .isFalse();
        assertThat(listing()).containsExactly("user.img");
    }
}
