package io.workdisk.agent.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.workdisk.agent.engine.seed.SeedMethod;
import io.workdisk.agent.engine.seed.SeedOwnership;
import io.workdisk.agent.engine.seed.SeedReport;
import io.workdisk.agent.engine.seed.SeedRequest;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.Problem;
import io.workdisk.agent.testing.BothWaysToMkfs;
import io.workdisk.agent.testing.DebugfsTree;
import io.workdisk.agent.testing.Requirements;
import io.workdisk.agent.testing.Rootfs;
import io.workdisk.agent.testing.Shell;
import io.workdisk.agent.testing.TreeAssert;
import io.workdisk.agent.testing.TreeFixture;
import java.io.RandomAccessFile;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class BuildSeedTest {
    @TempDir
    Path tmp;

    EngineFixtures fx;

    @BeforeEach
    void setUp() throws Exception {
        fx = new EngineFixtures(tmp);
    }

    private SeedReport build(Path rootfs, String subtree, Path out) throws EngineException {
        return fx.engine
                .buildSeed(fx.dataRoot, new SeedRequest(rootfs, subtree, out, "test", false))
                .result();
    }

    @ParameterizedTest
    @EnumSource(Rootfs.Layout.class)
    void seedHoldsTheSubtreeEntryByEntryWhateverTheRootfsLayout(Rootfs.Layout layout) throws Exception {
        Path rootfs = fx.rootfs(layout);

        SeedReport report = build(rootfs, "/root", null);

        Path seed = Path.of(report.path());
        assertThat(seed.getFileName().toString())
                .isEqualTo("rootfs-" + layout.name().toLowerCase() + ".work-seed.ext4");
        assertExactSeedOfFixture(report);
    }

    @Test
    void e2fsprogsThatReadTarBuildFromOneStreamedTar() throws Exception {
        Requirements.mke2fsReadsTar(tmp);

        SeedReport report = build(fx.rootfs(Rootfs.Layout.EXT4_DEFAULT), "/root", fx.data.resolve("auto.seed"));

        assertThat(report.method()).as("the default where mke2fs reads a tar").isEqualTo("tar");
    }

    /** The same exact seed whichever way the tree reaches mkfs, forced here whatever e2fsprogs is installed. */
    @BothWaysToMkfs
    void bothWaysToMkfsGiveTheSameExactSeed(SeedMethod method) throws Exception {
        Requirements.wayToMkfs(method, tmp);
        Path rootfs = fx.rootfs(Rootfs.Layout.EXT4_DEFAULT);
        // nanoseconds on top of the fixture's seconds, which the tree comparison checks
        long bashrc = hostMtime(".bashrc");
        long sharedTmp = hostMtime("shared-tmp");
        Rootfs.setMtimeNanos(rootfs, "/root/.bashrc", bashrc, 987_654_321L);
        Rootfs.setMtimeNanos(rootfs, "/root/shared-tmp", sharedTmp, 7L);
        Rootfs.setMtimeNanos(rootfs, "/root", 1_111_111_111L, 5L);

        SeedReport report = EngineFixtures.engine(method)
                .buildSeed(fx.dataRoot, new SeedRequest(rootfs, "/root", fx.data.resolve("forced.seed"), "test", false))
                .result();

        assertThat(report.method()).isEqualTo(method.label());
        Map<String, DebugfsTree.Entry> tree = assertExactSeedOfFixture(report);
        assertThat(tree.get(".bashrc").mtimeSeconds()).isEqualTo(bashrc);
        assertThat(tree.get(".bashrc").mtimeNanos()).isEqualTo(987_654_321L);
        assertThat(tree.get("shared-tmp").mtimeNanos()).isEqualTo(7L);
        assertThat(tree.get("").mtimeSeconds()).isEqualTo(1_111_111_111L);
        assertThat(tree.get("").mtimeNanos()).isEqualTo(5L);
        assertThat(fx.dataListing()).noneMatch(n -> n.startsWith(".workdisk-tmp-"));
    }

    private long hostMtime(String name) throws Exception {
        return Files.getLastModifiedTime(fx.sourceRoot.resolve(name), LinkOption.NOFOLLOW_LINKS)
                .toInstant()
                .getEpochSecond();
    }

    /** A name that is not UTF-8 arrives byte for byte through the tar; a staging tree must skip it. */
    @BothWaysToMkfs
    void aNameThatIsNotUtf8(SeedMethod method) throws Exception {
        Requirements.wayToMkfs(method, tmp);
        // Java names files by text, so the shell makes the name: "bad-" 0xFF "name", and a link to it
        Shell.ok(
                "sh",
                "-c",
                "cd \"$1\" && n=$(printf 'bad-\\377name') && echo latin > \"$n\" && ln -s \"$n\" link-to-bad",
                "sh",
                fx.sourceRoot.toString());
        Path rootfs = fx.rootfs(Rootfs.Layout.EXT4_DEFAULT);

        SeedReport report = EngineFixtures.engine(method)
                .buildSeed(fx.dataRoot, new SeedRequest(rootfs, "/root", fx.data.resolve("bytes.seed"), "test", false))
                .result();

        Path seed = Path.of(report.path());
        String inode = Shell.ok(
                        "sh",
                        "-c",
                        "debugfs -R 'ls -p /' \"$1\" 2>/dev/null | grep -a \"/$(printf 'bad-\\377name')/\" | cut -d/ -f2",
                        "sh",
                        seed.toString())
                .strip();
        if (method == SeedMethod.TAR) {
            assertThat(inode).as("the name arrives as its bytes").matches("\\d+");
            assertThat(Shell.ok("debugfs", "-R", "cat <" + inode + ">", seed.toString()))
                    .isEqualTo("latin\n");
            String link = Shell.ok(
                    "sh",
                    "-c",
                    "debugfs -R 'stat /link-to-bad' \"$1\" 2>/dev/null | grep -a 'Fast link dest' | od -An -c | tr -d ' \\n'",
                    "sh",
                    seed.toString());
            assertThat(link).as("the link's target too").contains("bad-377name");
            assertThat(report.skippedByKind()).doesNotContainKey("unrepresentable name");
        } else {
            assertThat(inode).isEmpty();
            assertThat(report.skippedByKind())
                    .containsEntry("unrepresentable name", 1)
                    .containsEntry("unrepresentable symlink", 1);
            assertThat(report.warnings()).anyMatch(w -> w.contains("/bad-\\xffname"));
        }
        Shell.assertFsckClean(seed);
    }

    /**
     * PRESERVE: every attribute arrives both ways (the tar way, mke2fs applies file capabilities and the
     * fix-ups set the rest; the staging tree way, the fix-ups set them all), in the inode and from an
     * attribute block. ROOT: none arrives, and every one left behind is named.
     */
    @BothWaysToMkfs
    void attributesArriveWithPreserveAndAreNamedWhenDroppedWithRoot(SeedMethod method) throws Exception {
        Requirements.wayToMkfs(method, tmp);
        Path rootfs = fx.rootfs(Rootfs.Layout.EXT4_DEFAULT);
        // VFS_CAP_REVISION_2 with cap_net_bind_service permitted, as setcap writes it
        byte[] capability = HexFormat.of().parseHex("0100000200040000000000000000000000000000");
        Path value = Files.write(tmp.resolve("capability.bin"), capability);
        Shell.ok(
                "debugfs",
                "-w",
                "-R",
                "ea_set -f " + value + " /root/setuid-tool security.capability",
                rootfs.toString());
        Shell.ok("debugfs", "-w", "-R", "ea_set /root/.bashrc user.origin rootfs", rootfs.toString());
        // too large for the inode: it goes to an attribute block, the reader's other place to look
        Path big = Files.write(tmp.resolve("big.bin"), new byte[300]);
        Shell.ok("debugfs", "-w", "-R", "ea_set -f " + big + " /root/setuid-tool user.big", rootfs.toString());

        SeedReport preserved = EngineFixtures.engine(method)
                .buildSeed(
                        fx.dataRoot,
                        new SeedRequest(
                                rootfs,
                                "/root",
                                SeedOwnership.PRESERVE,
                                fx.data.resolve("preserved.seed"),
                                "test",
                                false))
                .result();
        SeedReport rooted = EngineFixtures.engine(method)
                .buildSeed(fx.dataRoot, new SeedRequest(rootfs, "/root", fx.data.resolve("rooted.seed"), "test", false))
                .result();

        assertThat(preserved.method()).isEqualTo(method.label());
        Path seed = Path.of(preserved.path());
        Path got = tmp.resolve("got.bin");
        Shell.ok("debugfs", "-R", "ea_get -f " + got + " /setuid-tool security.capability", seed.toString());
        assertThat(Files.readAllBytes(got)).isEqualTo(capability);
        Shell.ok("debugfs", "-R", "ea_get -f " + got + " /setuid-tool user.big", seed.toString());
        assertThat(Files.readAllBytes(got)).isEqualTo(new byte[300]);
        assertThat(Shell.ok("debugfs", "-R", "ea_list /.bashrc", seed.toString()))
                .contains("user.origin (6) = \"rootfs\"");
        assertThat(preserved.warnings()).noneMatch(w -> w.contains("extended attributes"));
        Shell.assertFsckClean(seed);

        Path bare = Path.of(rooted.path());
        assertThat(Shell.ok("debugfs", "-R", "ea_list /setuid-tool", bare.toString()))
                .doesNotContain("security.capability")
                .doesNotContain("user.big");
        assertThat(Shell.ok("debugfs", "-R", "ea_list /.bashrc", bare.toString()))
                .doesNotContain("user.origin");
        assertThat(rooted.warnings())
                .anyMatch(
                        w -> w.contains("/setuid-tool") && w.contains("security.capability") && w.contains("user.big"))
                .anyMatch(w -> w.contains("/.bashrc") && w.contains("user.origin"));
        Shell.assertFsckClean(bare);
    }

    private Map<String, DebugfsTree.Entry> assertExactSeedOfFixture(SeedReport report) throws Exception {
        Path seed = Path.of(report.path());
        Map<String, DebugfsTree.Entry> tree = DebugfsTree.read(seed, tmp);
        TreeAssert.assertSameTree(fx.sourceRoot, tree);
        assertThat(Integer.toOctalString(tree.get("").mode()))
                .as("seed root keeps /root's mode")
                .isEqualTo("40700");
        assertThat(tree.get("").uid()).isZero();
        assertThat(tree.get("").gid()).isZero();
        Shell.assertFsckClean(seed);
        assertThat(report.skippedByKind()).containsEntry("fifo", 1).containsEntry("character device", 1);
        assertThat(report.symlinks()).isEqualTo(6);
        assertThat(report.hardLinks()).isEqualTo(2);
        assertThat(report.sizeBytes()).isEqualTo(512L << 20);
        assertThat(Shell.allocatedBytes(seed)).as("seed stays sparse").isLessThan(64L << 20);
        return tree;
    }

    @Test
    void nanosecondTimestampsSurvive() throws Exception {
        Path rootfs = fx.rootfs(Rootfs.Layout.EXT4_DEFAULT);
        Rootfs.setMtimeNanos(rootfs, "/root/.bashrc", 1_234_567_890L, 987_654_321L);
        Rootfs.setMtimeNanos(rootfs, "/root", 1_111_111_111L, 5L);

        Path seed = Path.of(build(rootfs, "/root", null).path());

        Map<String, DebugfsTree.Entry> tree = DebugfsTree.read(seed, tmp);
        assertThat(tree.get(".bashrc").mtimeSeconds()).isEqualTo(1_234_567_890L);
        assertThat(tree.get(".bashrc").mtimeNanos()).isEqualTo(987_654_321L);
        assertThat(tree.get("").mtimeSeconds()).isEqualTo(1_111_111_111L);
        assertThat(tree.get("").mtimeNanos()).isEqualTo(5L);
    }

    @Test
    void rootfsWithoutTheSubtreeGivesAnEmptySeedAndAWarning() throws Exception {
        Path rootfs = fx.rootfs(Rootfs.Layout.EXT4_DEFAULT);

        SeedReport report = build(rootfs, "/home/nobody", fx.data.resolve("empty.seed"));

        assertThat(report.warnings()).anyMatch(w -> w.contains("has no /home/nobody"));
        assertThat(DebugfsTree.read(Path.of(report.path()), tmp)).containsOnlyKeys("");
        Shell.assertFsckClean(Path.of(report.path()));
    }

    @Test
    void deviceNodesFifosAndSocketsAreSkippedCountedAndNamed() throws Exception {
        Path dev = Files.createDirectories(fx.sourceRoot.resolve("specials"));
        Shell.ok("mknod", dev.resolve("fake-sda").toString(), "b", "8", "0"); // TreeFixture required root for it
        Shell.ok("mknod", dev.resolve("fake-null").toString(), "c", "1", "3");
        Shell.ok("mkfifo", dev.resolve("pipe").toString());
        try (var socket = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            socket.bind(UnixDomainSocketAddress.of(dev.resolve("sock")));
        }

        SeedReport report = build(fx.rootfs(Rootfs.Layout.EXT4_DEFAULT), "/root", fx.data.resolve("specials.seed"));

        // the fixture tree already holds a fifo and a character device at its top
        assertThat(report.skippedByKind())
                .containsEntry("block device", 1)
                .containsEntry("character device", 2)
                .containsEntry("fifo", 2)
                .containsEntry("socket", 1);
        assertThat(report.warnings()).anyMatch(w -> w.contains("/specials/fake-sda"));
        Map<String, ?> seeded = DebugfsTree.read(Path.of(report.path()), tmp);
        assertThat(seeded)
                .containsKey("specials")
                .doesNotContainKeys("specials/fake-sda", "specials/fake-null", "specials/pipe", "specials/sock");
        Shell.assertFsckClean(Path.of(report.path()));
    }

    @Test
    void anotherSubtreeCanBeChosen() throws Exception {
        SeedReport report = build(fx.rootfs(Rootfs.Layout.EXT4_DEFAULT), "/etc", fx.data.resolve("etc.seed"));

        assertThat(DebugfsTree.read(Path.of(report.path()), tmp)).containsOnlyKeys("", "passwd");
    }

    @Test
    void defaultNameWithoutExt4Suffix() throws Exception {
        Path rootfs = fx.rootfs(Rootfs.Layout.EXT4_DEFAULT);
        Path plain = Files.move(rootfs, fx.data.resolve("rootfs.img"));

        assertThat(build(plain, "/root", null).path()).endsWith("/rootfs.img.work-seed");
    }

    @Test
    void subtreeThatIsASymlinkIsRefusedNotFollowed() throws Exception {
        Path rootfs = fx.rootfs(Rootfs.Layout.EXT4_DEFAULT);
        List<String> before = fx.dataListing();

        assertThatThrownBy(() -> build(rootfs, "/root/dir-link", fx.data.resolve("x.seed")))
                .isInstanceOf(EngineException.class)
                .hasMessageContaining("is a symlink");
        assertThat(fx.dataListing()).isEqualTo(before);
    }

    @Test
    void subtreeWithDotDotIsRefused() throws Exception {
        Path rootfs = fx.rootfs(Rootfs.Layout.EXT4_DEFAULT);
        assertThatThrownBy(() -> build(rootfs, "/root/../etc", fx.data.resolve("x.seed")))
                .hasMessageContaining("'..'");
    }

    @Test
    void missingRootfsIsNamed() throws Exception {
        List<String> before = fx.dataListing();
        assertThatThrownBy(() -> build(fx.data.resolve("nope.ext4"), "/root", fx.data.resolve("x.seed")))
                .isInstanceOf(EngineException.class)
                .hasMessageContaining("nope.ext4")
                .hasMessageContaining("does not exist")
                .extracting(e -> ((EngineException) e).problem())
                .isEqualTo(Problem.SOURCE_UNREADABLE);
        assertThat(fx.dataListing()).isEqualTo(before);
    }

    @Test
    void rootfsThatIsNotExt4IsNamed() throws Exception {
        Path junk = fx.data.resolve("junk.ext4");
        Files.write(junk, new byte[8192]);
        List<String> before = fx.dataListing();

        assertThatThrownBy(() -> build(junk, "/root", fx.data.resolve("x.seed")))
                .hasMessageContaining("not an ext4 image")
                .extracting(e -> ((EngineException) e).problem())
                .isEqualTo(Problem.NOT_EXT4);
        assertThat(fx.dataListing()).isEqualTo(before);
    }

    @Test
    void truncatedRootfsIsNamed() throws Exception {
        Path rootfs = fx.rootfs(Rootfs.Layout.EXT4_DEFAULT);
        try (RandomAccessFile f = new RandomAccessFile(rootfs.toFile(), "rw")) {
            f.setLength(f.length() / 2);
        }
        List<String> before = fx.dataListing();

        assertThatThrownBy(() -> build(rootfs, "/root", fx.data.resolve("x.seed")))
                .hasMessageContaining("truncated")
                .extracting(e -> ((EngineException) e).problem())
                .isEqualTo(Problem.CORRUPT_IMAGE);
        assertThat(fx.dataListing()).isEqualTo(before);
    }

    @Test
    void aFilesystemFeatureTheReaderCannotReadIsNamed() throws Exception {
        Path journal = fx.data.resolve("journal.ext4");
        Shell.ok("mke2fs", "-q", "-F", "-O", "journal_dev", "-b", "4096", journal.toString(), "16M");
        List<String> before = fx.dataListing();

        assertThatThrownBy(() -> build(journal, "/root", fx.data.resolve("x.seed")))
                .hasMessageContaining("journal_dev is not supported")
                .extracting(e -> ((EngineException) e).problem())
                .isEqualTo(Problem.UNSUPPORTED_FILESYSTEM);
        assertThat(fx.dataListing()).isEqualTo(before);
    }

    @Test
    void corruptSuperblockIsCaughtByItsChecksum() throws Exception {
        Path rootfs = fx.rootfs(Rootfs.Layout.EXT4_DEFAULT);
        try (RandomAccessFile f = new RandomAccessFile(rootfs.toFile(), "rw")) {
            f.seek(1024 + 0x78); // volume label
            f.write("tampered".getBytes());
        }
        assertThatThrownBy(() -> build(rootfs, "/root", fx.data.resolve("x.seed")))
                .hasMessageContaining("checksum")
                .extracting(e -> ((EngineException) e).problem())
                .isEqualTo(Problem.CORRUPT_IMAGE);
    }

    @Test
    void existingFileIsNeverOverwrittenAndOwnSeedOnlyWithForce() throws Exception {
        Path rootfs = fx.rootfs(Rootfs.Layout.EXT4_DEFAULT);
        Path userFile = fx.data.resolve("precious.seed");
        Files.writeString(userFile, "user data");

        assertThatThrownBy(() -> build(rootfs, "/root", userFile)).hasMessageContaining("already exists");
        assertThatThrownBy(() ->
                        fx.engine.buildSeed(fx.dataRoot, new SeedRequest(rootfs, "/root", userFile, "test", true)))
                .hasMessageContaining("not created by workdisk");
        assertThat(Files.readString(userFile)).isEqualTo("user data");

        Path seed = Path.of(build(rootfs, "/root", fx.data.resolve("mine.seed")).path());
        String firstUuid = Shell.ok("dumpe2fs", "-h", seed.toString());
        SeedReport again = fx.engine
                .buildSeed(fx.dataRoot, new SeedRequest(rootfs, "/root", seed, "test", true))
                .result();
        assertThat(again.filesystemUUID()).isNotBlank();
        assertThat(firstUuid).doesNotContain(again.filesystemUUID());
        assertThat(fx.dataListing()).noneMatch(n -> n.startsWith(".workdisk-tmp-"));
    }

    @Test
    void hostileNamesAndDeepNestingArrive() throws Exception {
        Path seed = fx.seed();
        Map<String, DebugfsTree.Entry> tree = DebugfsTree.read(seed, tmp);
        assertThat(tree)
                .containsKeys(
                        "new\nline",
                        "$(touch pwned)",
                        "-leading-dash",
                        "ünïcødé-名前",
                        TreeFixture.LONG_NAME,
                        "d0/d1/d2/d3/d4/d5/d6/d7/d8/d9/d10/d11/d12/d13/d14/d15/d16/d17/d18/d19/d20/d21/d22/d23/d24/d25/d26/d27/d28/d29/bottom");
        assertThat(Files.exists(fx.data.resolve("pwned"))).isFalse();
    }

    @Test
    void aTwoGibibyteSparseFileStaysSparseAndCostsNoPayload() throws Exception {
        Path tree = Files.createDirectories(tmp.resolve("sparse-tree/root"));
        try (RandomAccessFile f = new RandomAccessFile(tree.resolve("disk.img").toFile(), "rw")) {
            f.setLength(2L << 30);
            f.seek(1L << 30);
            f.write("in the middle".getBytes());
        }
        Path rootfs =
                Rootfs.make(tree.getParent(), fx.data.resolve("sparse-rootfs.ext4"), 128, Rootfs.Layout.EXT4_DEFAULT);

        SeedReport report = build(rootfs, "/root", fx.data.resolve("sparse.seed"));

        Path seed = Path.of(report.path());
        assertThat(report.sizeBytes()).as("holes are not payload").isEqualTo(512L << 20);
        assertThat(Shell.allocatedBytes(seed)).isLessThan(64L << 20);
        // read with debugfs directly: the whole-tree reader would pull 2 GiB into memory
        String stat = Shell.ok("debugfs", "-R", "stat /disk.img", seed.toString());
        assertThat(stat).containsPattern("Size: " + (2L << 30) + "\\b");
        Matcher blocks = Pattern.compile("Blockcount: (\\d+)").matcher(stat);
        assertThat(blocks.find()).isTrue();
        assertThat(Long.parseLong(blocks.group(1)) * 512)
                .as("the seed holds one data block, not 2 GiB")
                .isLessThan(1L << 20);
        assertThat(Shell.ok("debugfs", "-R", "bmap /disk.img 0", seed.toString())
                        .strip())
                .as("a hole stays a hole")
                .isEqualTo("0");
        assertThat(Shell.ok("debugfs", "-R", "bmap /disk.img " + ((1L << 30) / 4096), seed.toString())
                        .strip())
                .as("the written block is there")
                .isNotEqualTo("0");
        Shell.assertFsckClean(seed);
    }

    @Test
    void preserveKeepsOwnersAndXattrsOfAnExt4RootfsInInodeAndInTheAttributeBlock() throws Exception {
        Path tree = Files.createDirectories(tmp.resolve("preserve-tree/root"));
        Path owned = Files.writeString(tree.resolve("owned"), "x");
        Files.setAttribute(owned, "unix:uid", 1234);
        Files.setAttribute(owned, "unix:gid", 5678);
        var view = Files.getFileAttributeView(owned, java.nio.file.attribute.UserDefinedFileAttributeView.class);
        view.write("note", java.nio.ByteBuffer.wrap(new byte[] {1, (byte) 0x80, 2}));
        view.write("big", java.nio.ByteBuffer.wrap("b".repeat(1000).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        // 600 MiB: mke2fs's "small" type (below 512 MiB) has 128-byte inodes, leaving no room in the inode
        Path rootfs = Rootfs.make(tree.getParent(), fx.data.resolve("preserve.ext4"), 600, Rootfs.Layout.EXT4_DEFAULT);

        Path preserved = Path.of(fx.engine
                .buildSeed(
                        fx.dataRoot,
                        new SeedRequest(
                                rootfs,
                                "/root",
                                SeedOwnership.PRESERVE,
                                fx.data.resolve("preserved.seed"),
                                "test",
                                false))
                .result()
                .path());
        Path rooted =
                Path.of(build(rootfs, "/root", fx.data.resolve("rooted.seed")).path());

        DebugfsTree.Entry kept = DebugfsTree.read(preserved, tmp).get("owned");
        assertThat(kept.uid()).isEqualTo(1234);
        assertThat(kept.gid()).isEqualTo(5678);
        String xattrs = Shell.ok("debugfs", "-R", "ea_list /owned", preserved.toString());
        assertThat(xattrs).contains("user.note (3) = 01 80 02").contains("user.big (1000)");
        Shell.assertFsckClean(preserved);
        assertThat(DebugfsTree.read(rooted, tmp).get("owned").uid()).isZero();
        assertThat(Shell.ok("debugfs", "-R", "ea_list /owned", rooted.toString()))
                .doesNotContain("user.note");
    }

    /**
     * A file that is mostly holes reaches the seed through debugfs write, not the tar (mke2fs would read
     * its holes as zeros): its holes stay holes, a hole at its end included, and its bytes, mode, owner,
     * nanosecond times and attributes are exact; one whose name debugfs is not given (not plain ASCII) takes the tar, and
     * arrives as exactly.
     */
    @Test
    void filesThatAreMostlyHolesKeepHolesBytesModeOwnerTimesAndAttributes() throws Exception {
        Requirements.mke2fsReadsTar(tmp);
        Path tree = Files.createDirectories(tmp.resolve("holes-tree/root"));
        Path dir = Files.createDirectories(tree.resolve("disks"));
        long size = (8L << 20) + 100; // not a whole number of blocks, and ends in a hole
        for (String name : List.of("sparse.img", "ödd.img")) {
            try (RandomAccessFile f = new RandomAccessFile(dir.resolve(name).toFile(), "rw")) {
                f.setLength(size);
                f.write(("head of " + name).getBytes(StandardCharsets.UTF_8));
                f.seek(4L << 20);
                f.write("middle".getBytes(StandardCharsets.UTF_8));
            }
            Files.setPosixFilePermissions(dir.resolve(name), PosixFilePermissions.fromString("rwxr-x---"));
            Files.setAttribute(dir.resolve(name), "unix:uid", 1234);
            Files.setAttribute(dir.resolve(name), "unix:gid", 5678);
            Files.getFileAttributeView(dir.resolve(name), UserDefinedFileAttributeView.class)
                    .write("note", ByteBuffer.wrap(new byte[] {7, (byte) 0x80}));
        }
        try (RandomAccessFile f = new RandomAccessFile(tree.resolve("all-hole").toFile(), "rw")) {
            f.setLength(3L << 20);
        }
        Path rootfs = Rootfs.make(tree.getParent(), fx.data.resolve("holes.ext4"), 600, Rootfs.Layout.EXT4_DEFAULT);
        Shell.ok("debugfs", "-w", "-R", "sif /root/disks/sparse.img mode 0104750", rootfs.toString());
        Rootfs.setMtimeNanos(rootfs, "/root/disks/sparse.img", 1_500_000_000L, 123_456_789L);
        Rootfs.setMtimeNanos(rootfs, "/root/disks/ödd.img", 1_500_000_001L, 5L);
        Rootfs.setMtimeNanos(rootfs, "/root/disks", 1_400_000_000L, 42L);

        SeedReport report = fx.engine
                .buildSeed(
                        fx.dataRoot,
                        new SeedRequest(
                                rootfs, "/root", SeedOwnership.PRESERVE, fx.data.resolve("holes.seed"), "test", false))
                .result();

        Path seed = Path.of(report.path());
        assertThat(report.method()).isEqualTo("tar");
        assertThat(report.phaseSeconds())
                .as("debugfs added what the tar left out")
                .containsKey("additions");
        Map<String, DebugfsTree.Entry> entries = DebugfsTree.read(seed, tmp);
        for (String name : List.of("sparse.img", "ödd.img")) {
            String path = "/disks/" + name;
            DebugfsTree.Entry e = entries.get("disks/" + name);
            assertThat(e.size()).as(path).isEqualTo(size);
            assertThat(Integer.toOctalString(e.mode()))
                    .as(path)
                    .isEqualTo(name.equals("sparse.img") ? "104750" : "100750");
            assertThat(e.uid()).as(path).isEqualTo(1234);
            assertThat(e.gid()).as(path).isEqualTo(5678);
            assertThat(e.blockBytes())
                    .as(path + " holds two data blocks, not 8 MiB")
                    .isLessThan(64L << 10);
            Path back = tmp.resolve("back-" + name);
            Shell.ok("debugfs", "-R", "dump \"" + path + "\" \"" + back + "\"", seed.toString());
            assertThat(Files.mismatch(back, dir.resolve(name)))
                    .as(path + " byte for byte")
                    .isEqualTo(-1L);
            assertThat(Shell.ok("debugfs", "-R", "bmap \"" + path + "\" 1", seed.toString())
                            .strip())
                    .as(path + ": a hole stays a hole")
                    .isEqualTo("0");
            assertThat(Shell.ok("debugfs", "-R", "ea_list \"" + path + "\"", seed.toString()))
                    .as(path)
                    .contains("user.note (2) = 07 80");
        }
        assertThat(entries.get("disks/sparse.img").mtimeSeconds()).isEqualTo(1_500_000_000L);
        assertThat(entries.get("disks/sparse.img").mtimeNanos()).isEqualTo(123_456_789L);
        assertThat(entries.get("disks/ödd.img").mtimeNanos()).isEqualTo(5L);
        assertThat(entries.get("disks").mtimeSeconds())
                .as("adding a file after mkfs leaves its directory's time as it was")
                .isEqualTo(1_400_000_000L);
        assertThat(entries.get("disks").mtimeNanos()).isEqualTo(42L);
        assertThat(entries.get("all-hole").size()).isEqualTo(3L << 20);
        assertThat(entries.get("all-hole").blockBytes()).isZero();
        assertThat(report.payloadBytes()).as("holes are not payload").isLessThan(64L << 10);
        Shell.assertFsckClean(seed);
        assertThat(fx.dataListing()).noneMatch(n -> n.startsWith(".workdisk-tmp-"));
    }
}
