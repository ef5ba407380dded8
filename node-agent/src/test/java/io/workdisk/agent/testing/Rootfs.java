package io.workdisk.agent.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Makes real rootfs images with mkfs.ext4 -d, in any of the layouts a user's image may have. */
public final class Rootfs {
    private Rootfs() {}

    /** Named mkfs variants: each exercises a different way ext4 stores the same tree. */
    public enum Layout {
        EXT4_DEFAULT("-t", "ext4"),
        EXT4_1K_BLOCKS("-t", "ext4", "-b", "1024"),
        EXT2_BLOCK_MAP("-t", "ext2"),
        EXT3_BLOCK_MAP("-t", "ext3", "-b", "1024"),
        EXT4_INLINE_DATA("-t", "ext4", "-O", "inline_data"),
        EXT4_META_BG("-t", "ext4", "-O", "meta_bg,^resize_inode"),
        EXT4_SMALL_INODES("-t", "ext4", "-I", "128"),
        EXT4_LARGE_INODES("-t", "ext4", "-I", "1024"),
        EXT4_BIGALLOC("-t", "ext4", "-b", "4096", "-O", "bigalloc", "-C", "65536"),
        EXT4_BIGALLOC_META_BG("-t", "ext4", "-b", "1024", "-O", "bigalloc,meta_bg,^resize_inode", "-C", "16384"),
        EXT4_BIGALLOC_1K_BLOCKS("-t", "ext4", "-b", "1024", "-O", "bigalloc", "-C", "4096"),
        EXT4_64K_BLOCKS("-t", "ext4", "-b", "65536"),
        EXT4_2K_BLOCKS("-t", "ext4", "-b", "2048"),
        EXT4_NO_JOURNAL("-t", "ext4", "-O", "^has_journal"),
        EXT4_32BIT("-t", "ext4", "-O", "^64bit"),
        EXT4_NO_FLEX_BG("-t", "ext4", "-O", "^flex_bg"),
        EXT4_SPARSE_SUPER2("-t", "ext4", "-O", "sparse_super2"),
        EXT4_NO_SPARSE_SUPER("-t", "ext4", "-O", "^sparse_super,^resize_inode"),
        EXT4_NO_METADATA_CSUM("-t", "ext4", "-O", "^metadata_csum"),
        EXT4_UNINIT_BG("-t", "ext4", "-O", "^metadata_csum,uninit_bg"),
        EXT4_METADATA_CSUM_SEED("-t", "ext4", "-O", "metadata_csum_seed"),
        EXT4_QUOTA_PROJECT("-t", "ext4", "-I", "256", "-O", "quota,project"),
        EXT4_LARGE_DIR("-t", "ext4", "-O", "large_dir"),
        EXT4_HUGE_FILE_DIR_NLINK("-t", "ext4", "-O", "huge_file,dir_nlink,extra_isize"),
        EXT4_EA_INODE("-t", "ext4", "-O", "ea_inode"),
        EXT4_ENCRYPT_VERITY("-t", "ext4", "-O", "encrypt,verity"),
        EXT4_CASEFOLD("-t", "ext4", "-O", "casefold"),
        EXT4_STABLE_INODES("-t", "ext4", "-O", "stable_inodes"),
        EXT4_ORPHAN_FILE("-t", "ext4", "-O", "orphan_file"),
        EXT4_MMP("-t", "ext4", "-O", "mmp"),
        EXT4_NO_EXTENTS("-t", "ext4", "-O", "^extent,^64bit"),
        EXT4_HUGE_TYPE("-t", "ext4", "-T", "huge"),
        EXT4_FEW_INODES("-t", "ext4", "-N", "512"),
        EXT4_RESIZE_HEADROOM("-t", "ext4", "-E", "resize=4000000"),
        EXT4_STRIDE("-t", "ext4", "-E", "stride=16,stripe_width=64");

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
    public static Path ofFixture(Path dir) throws IOException {
        Path images = Files.createDirectories(dir.resolve("images"));
        Path tree = Files.createDirectories(dir.resolve("rootfs-tree"));
        TreeFixture.create(tree.resolve("root"));
        return make(tree, images.resolve("rootfs.ext4"));
    }

    /** Sets an inode's nanosecond mtime, which mkfs.ext4 -d does not carry over from the tree. */
    public static void setMtimeNanos(Path image, String path, long seconds, long nanos) {
        Shell.ok("debugfs", "-w", "-R", "sif " + path + " mtime @" + seconds, image.toString());
        Shell.ok("debugfs", "-w", "-R", "sif " + path + " mtime_extra " + (nanos << 2), image.toString());
    }
}
