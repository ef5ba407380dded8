package io.workdisk.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.workdisk.agent.testing.DebugfsTree;
import io.workdisk.agent.testing.Rootfs;
import io.workdisk.agent.testing.Shell;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a new user gets wrong on the command line is refused with one line that names the problem in their
 * terms, with the exit code of its kind (2 for usage), and leaves nothing behind: a seed of nothing, an
 * output that is a directory or in a directory that does not exist, a directory it may not write in, an
 * unknown --ownership, a size too large. A resize, done or refused, leaves no file beside the disk.
 */
class AgentCliRefusalsTest {
    @TempDir
    Path tmp;

    Path data;
    Path rootfs;
    String stdout;
    String stderr;

    @BeforeEach
    void setUp() throws IOException {
        data = Files.createDirectories(tmp.resolve("data"));
        Path tree = Files.createDirectories(tmp.resolve("tree"));
        Files.writeString(Files.createDirectories(tree.resolve("etc")).resolve("hostname"), "vm\n");
        Files.createDirectories(tree.resolve("srv/empty"));
        rootfs = Rootfs.make(tree, tmp.resolve("rootfs.ext4"));
    }

    private int run(String... args) {
        CliRun r = CliRun.of(args);
        stdout = r.stdout();
        stderr = r.stderr();
        return r.code();
    }

    private List<String> left(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aSubtreeTheRootfsLacksIsRefusedUnlessAnEmptySeedIsAskedFor() throws IOException {
        for (String subtree : List.of("/root", "/nope")) {
            Path seed = data.resolve("seed.ext4");
            assertThat(run("build-seed", "--rootfs", rootfs.toString(), "--subtree", subtree, seed.toString()))
                    .as(subtree)
                    .isEqualTo(1);
            assertThat(stderr)
                    .isEqualTo("workdisk: the rootfs '" + rootfs + "' has no " + subtree
                            + ", so the seed would be empty (--allow-empty builds an empty seed anyway)\n");
            assertThat(left(data)).isEmpty();
        }

        Path seed = data.resolve("empty.ext4");
        assertThat(run("build-seed", "--allow-empty", "--rootfs", rootfs.toString(), seed.toString()))
                .as(stderr)
                .isZero();
        assertThat(stderr).isEqualTo("workdisk: warning: the rootfs has no /root; the seed is empty\n");
        assertThat(stdout).contains("warnings: [\"the rootfs has no /root; the seed is empty\"]");
        assertThat(DebugfsTree.read(seed, tmp)).containsOnlyKeys(""); // its root directory alone
    }

    @Test
    void aSubtreeThatHoldsNothingIsRefusedAndTheEmptySeedRemoved() throws IOException {
        assertThat(run(
                        "build-seed",
                        "--rootfs",
                        rootfs.toString(),
                        "--subtree",
                        "/srv/empty",
                        data.resolve("s.ext4").toString()))
                .isEqualTo(1);
        assertThat(stderr.lines())
                .containsExactly("workdisk: the seed would be empty: /srv/empty holds nothing"
                        + " (--allow-empty builds an empty seed anyway)");
        assertThat(left(data)).isEmpty();

        assertThat(run(
                        "build-seed",
                        "--rootfs",
                        rootfs.toString(),
                        "--subtree",
                        "/etc",
                        data.resolve("s.ext4").toString()))
                .as(stderr)
                .isZero();
        assertThat(DebugfsTree.read(data.resolve("s.ext4"), tmp)).containsKey("hostname");
    }

    @Test
    void anOutputInAMissingDirectoryNamesThatDirectoryNotADataRoot() throws IOException {
        assertThat(run(
                        "format",
                        "--size",
                        "64Mi",
                        data.resolve("missing/d.ext4").toString()))
                .isEqualTo(1);
        assertThat(stderr).isEqualTo("workdisk: directory '" + data.resolve("missing") + "' does not exist\n");
        assertThat(left(data)).isEmpty();
    }

    @Test
    void anOutputThatIsADirectoryIsCalledOne() throws IOException {
        Path dir = Files.createDirectories(data.resolve("disks"));
        assertThat(run("format", "--size", "64Mi", dir.toString())).isEqualTo(1);
        assertThat(stderr).isEqualTo("workdisk: '" + dir + "' is a directory; name a file to create in it\n");
        assertThat(run("format", "--size", "64Mi", "--force", dir.toString())).isEqualTo(1);
        assertThat(stderr).contains("is a directory");
        assertThat(left(data)).containsExactly("disks");
        assertThat(left(dir)).isEmpty();
    }

    /**
     * A directory the user may not write in says so. Root may write anywhere, so as root the command runs
     * without the capabilities that let it (setpriv, util-linux): as any user, a directory it owns but may
     * not write.
     */
    @Test
    void aDirectoryThatCannotBeWrittenSaysPermissionDenied() throws IOException {
        Path readOnly = Files.createDirectories(tmp.resolve("ro"));
        Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-xr-xr-x"));
        List<String> command = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--"));
        }
        command.addAll(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                AgentCli.class.getName(),
                "format",
                "--size",
                "64Mi",
                readOnly.resolve("d.ext4").toString()));
        Shell.Result r = Shell.run(command);
        assertThat(r.exitCode()).as(r.stderr()).isEqualTo(1);
        assertThat(r.stderr().lines())
                .containsExactly("workdisk: cannot create a temporary file in '" + readOnly + "': permission denied");
        assertThat(left(readOnly)).isEmpty();
    }

    @Test
    void anUnknownOwnershipIsAUsageError() throws IOException {
        assertThat(run(
                        "build-seed",
                        "--rootfs",
                        rootfs.toString(),
                        "--ownership",
                        "nope",
                        data.resolve("s.ext4").toString()))
                .isEqualTo(2);
        assertThat(stderr.lines().findFirst().orElseThrow())
                .isEqualTo("workdisk: Invalid value for option '--ownership': 'nope' is neither root nor preserve");
        assertThat(run(
                        "build-seed",
                        "--rootfs",
                        rootfs.toString(),
                        "--subtree",
                        "/etc",
                        "--ownership",
                        "Preserve",
                        data.resolve("s.ext4").toString()))
                .as(stderr)
                .isZero();
    }

    @Test
    void aSizeTooLargeSaysTheLimitPlainly() throws IOException {
        assertThat(run("format", "--size", "16Ti", data.resolve("d.ext4").toString()))
                .isEqualTo(1);
        assertThat(stderr)
                .isEqualTo("workdisk: size 16Ti is too large: a disk must be smaller than 16Ti, the largest file an"
                        + " ext4 data root can hold\n");
        assertThat(left(data)).isEmpty();
    }

    @Test
    void aDiskIsNoSeed() throws IOException {
        Path blank = data.resolve("blank.ext4");
        assertThat(run("format", "--size", "64Mi", blank.toString())).as(stderr).isZero();
        Path disk = data.resolve("vm.ext4");
        assertThat(run("materialize", "--seed", blank.toString(), "--size", "128Mi", disk.toString()))
                .isEqualTo(1);
        assertThat(stderr).isEqualTo("workdisk: '" + blank + "' is a disk, not a seed: make a seed with build-seed\n");
        assertThat(left(data)).containsExactly("blank.ext4");

        Path seed = data.resolve("seed.ext4");
        assertThat(run("build-seed", "--rootfs", rootfs.toString(), "--subtree", "/etc", seed.toString()))
                .as(stderr)
                .isZero();
        assertThat(run("materialize", "--seed", seed.toString(), "--size", "1Gi", disk.toString()))
                .as(stderr)
                .isZero();
        assertThat(run(
                        "materialize",
                        "--seed",
                        disk.toString(),
                        "--size",
                        "1Gi",
                        data.resolve("copy.ext4").toString()))
                .as("a disk made from a seed is a disk too")
                .isEqualTo(1);
    }

    @Test
    void aResizeDoneOrRefusedLeavesNothingBesideTheDisk() throws IOException {
        Path disk = data.resolve("d.ext4");
        assertThat(run("format", "--size", "64Mi", disk.toString())).as(stderr).isZero();

        assertThat(run("resize", "--size", "32Mi", disk.toString())).isEqualTo(1);
        assertThat(stderr).contains("shrinking is not supported");
        assertThat(left(data)).containsExactly("d.ext4");

        assertThat(run("resize", "--size", "128Mi", disk.toString())).as(stderr).isZero();
        assertThat(left(data)).containsExactly("d.ext4");
        assertThat(Files.size(disk)).isEqualTo(128L << 20);
        Shell.assertFsckClean(disk);
    }
}
