package io.workdisk.agent.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Makes real rootfs images with mkfs.ext4 -d, in any of the layouts a user's image may have. */
public final class Rootfs {
    private Rootfs() {
    }

    /** Named mkfs variants: each exercises a different way ext4 stores the same tree. */
    public enum Layout {
        EXT4_DEFAULT("-t", "ext4"),
        EXT4_1K_BLOCKS("-t", "ext4", "-b", "1024"),
        EXT2_BLOCK_MAP("-t", "ext2"),
        EXT3_BLOCK_MAP("-t", "ext3", "-b", "1024"),
        EXT4_INLINE_DATA("-t", "ext4", "-O", "inline_data"),
        EXT4_META_BG("-t", "ext4", "-O", "meta_bg,^resize_inode"),
        EXT4_SMALL_INODES("-t", "ext4", "-I", "128");

        final List<String> args;

        Layout(String... args) {
            this.args = List.of(args);
        }
    }

    /** An image of {@code sizeMiB} whose root is {@code tree}. */
    public static Path make(Path tree, Path image, int sizeMiB, Layout layout) {
        List<String> cmd = new ArrayList<>(List.of("mke2fs", "-q", "-F"));
        cmd.addAll(layout.args);
        cmd.addAll(List.of("-d", tree.toString(), image.toString(), sizeMiB + "M"));
        Shell.Result r = Shell.run(cmd);
        if (r.exitCode() != 0) {
            throw new AssertionError("mke2fs failed: " + r.stderr());
        }
        return image;
    }

    public static Path make(Path tree, Path image) {
        return make(tree, image, 256, Layout.EXT4_DEFAULT);
    }

    /**
     * The fixture tree ({@link TreeFixture}) as the {@code /root} of a rootfs at {@code dir/images/rootfs.ext4}
     * (its directory is what agents get as an image directory); the tree itself is at {@code dir/rootfs-tree}.
     */
    public static Path ofFixture(Path dir) throws java.io.IOException {
        Path images = java.nio.file.Files.createDirectories(dir.resolve("images"));
        Path tree = java.nio.file.Files.createDirectories(dir.resolve("rootfs-tree"));
        TreeFixture.create(tree.resolve("root"));
        return make(tree, images.resolve("rootfs.ext4"));
    }

    /** Sets an inode's nanosecond mtime, which mkfs.ext4 -d does not carry over from the tree. */
    public static void setMtimeNanos(Path image, String path, long seconds, long nanos) {
        Shell.ok("debugfs", "-w", "-R", "sif " + path + " mtime @" + seconds, image.toString());
        Shell.ok("debugfs", "-w", "-R", "sif " + path + " mtime_extra " + (nanos << 2), image.toString());
    }
}
