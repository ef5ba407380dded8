package io.workdisk.agent.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real bind mounts and loop devices under a test's directory are taken down, and the same kinds of thing beside
 * it stay. Checked with tools the helper does not use ({@code mountpoint}, {@code losetup --associated}), so a
 * helper that saw nothing could not pass. The directory's name holds a space, a tab and a backslash, which the
 * kernel's mount table escapes; the one beside it shares its name as a prefix.
 */
class HostLeftoversTest {
    @TempDir
    Path tmp;

    Path under;
    Path beside;

    @BeforeEach
    void directories() throws IOException {
        Requirements.root("mount and losetup");
        Requirements.tool("losetup", "apt-get install mount");
        Requirements.tool("mountpoint", "apt-get install util-linux");
        under = Files.createDirectories(tmp.resolve("a test\tdir\\x"));
        beside = Files.createDirectories(tmp.resolve("a test\tdir\\x-beside"));
    }

    /** Whatever a failed check left, beside the directory too; nothing to do where the requirements skipped. */
    @AfterEach
    void takeDownEverything() {
        if (under != null) {
            HostLeftovers.takeDownUnder(tmp);
        }
    }

    @Test
    void mountsAndLoopDevicesUnderTheDirectoryGoAndThoseBesideItStay() throws Exception {
        Path mount = bind(under, "mounted");
        Path nested = bind(mount, "nested");
        Path image = image(under);
        String loop = attach(image);
        Path besideMount = bind(beside, "mounted");
        Path besideImage = image(beside);
        attach(besideImage);
        assertThat(HostLeftovers.mountsUnder(under)).as("deepest first").containsExactly(nested, mount);
        assertThat(HostLeftovers.loopDevicesUnder(under))
                .containsExactly(HostLeftovers.LoopDevice.of(loop, image.toString()));

        HostLeftovers.takeDownUnder(under);

        assertThat(isMountPoint(mount)).as("the bind mount under the directory").isFalse();
        assertThat(isMountPoint(nested)).as("the mount nested in it").isFalse();
        assertThat(loopDevicesOf(image))
                .as("the loop device under the directory")
                .isEmpty();
        assertThat(isMountPoint(besideMount)).as("the mount beside it").isTrue();
        assertThat(loopDevicesOf(besideImage)).as("the loop device beside it").hasSize(1);
    }

    @Test
    void unmountingAloneLeavesTheLoopDevices() throws Exception {
        Path mount = bind(under, "mounted");
        Path image = image(under);
        attach(image);

        HostLeftovers.unmountUnder(under);

        assertThat(isMountPoint(mount)).isFalse();
        assertThat(loopDevicesOf(image)).hasSize(1);
    }

    @Test
    void aDirectoryWithNothingLeftIsNoFailure() {
        HostLeftovers.takeDownUnder(under);

        assertThat(HostLeftovers.mountsUnder(under)).isEmpty();
        assertThat(HostLeftovers.loopDevicesUnder(under)).isEmpty();
    }

    @Test
    void theMountTablesEscapesAreRead() {
        assertThat(HostLeftovers.unescape("/a\\040b\\011c\\012d\\134e/é")).isEqualTo("/a b\tc\nd\\e/é");
        assertThat(HostLeftovers.unescape("/plain\\09"))
                .as("not three octal digits")
                .isEqualTo("/plain\\09");
    }

    /** A directory of {@code parent}, bind-mounted at a new {@code name} in it. */
    private static Path bind(Path parent, String name) throws IOException {
        Path source = Files.createDirectories(parent.resolve(name + "-source"));
        Files.createDirectories(source.resolve("nested"));
        Path at = Files.createDirectories(parent.resolve(name));
        Shell.ok("mount", "--bind", source.toString(), at.toString());
        return at;
    }

    private static Path image(Path dir) throws IOException {
        Path image = dir.resolve("disk.img");
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(4L << 20);
        }
        return image;
    }

    private static String attach(Path image) {
        Shell.Result r = Shell.run(List.of("losetup", "--find", "--show", image.toString()));
        Requirements.need(
                r.exitCode() == 0,
                "this machine refuses loop devices: " + r.stderr().strip());
        return r.stdout().strip();
    }

    private static boolean isMountPoint(Path path) {
        return Shell.run(List.of("mountpoint", "--quiet", path.toString())).exitCode() == 0;
    }

    private static List<String> loopDevicesOf(Path image) {
        return Shell.ok("losetup", "--associated", image.toString())
                .lines()
                .filter(l -> !l.isBlank())
                .toList();
    }
}
