package io.workdisk.agent.engine.seed;

import io.workdisk.agent.engine.ext4.Ext4Image;
import io.workdisk.agent.engine.ext4.Inode;
import io.workdisk.agent.engine.files.StagedAttributes;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The staging tree for {@code mkfs.ext4 -d DIR}, the path for e2fsprogs older than 1.47.1: each entry is
 * created on the host beside the output, fresh (O_EXCL), so nothing in the image can make a write land
 * outside the stage; holes stay holes. Names and symlink targets must be UTF-8 (Java names files by text),
 * and owners are whoever runs the agent: the fix-ups set them afterwards.
 */
final class StagingTreeSink implements SeedSink {
    private final Ext4Image image;
    private final Path root;

    StagingTreeSink(Ext4Image image, Path root) {
        this.image = image;
        this.root = root;
    }

    @Override
    public String refusesName(byte[] name) {
        return SeedPaths.utf8OrNull(name) == null ? "name is not valid UTF-8" : null;
    }

    private Path staged(byte[] path) {
        return path.length == 0 ? root : root.resolve(new String(path, StandardCharsets.UTF_8));
    }

    @Override
    public void startDirectory(byte[] path, Inode inode, ExpectedEntry entry) throws IOException {
        if (path.length > 0) {
            Files.createDirectory(staged(path));
        }
    }

    /** Permissions and times go on last: a directory's times change while its children are written. */
    @Override
    public void endDirectory(byte[] path, Inode inode, ExpectedEntry entry) throws IOException {
        // The stage itself stays as created, so it can always be removed; the fix-ups set the seed root.
        if (path.length > 0) {
            finish(staged(path), inode);
        }
    }

    /** mke2fs reads a tree's attributes through the host's xattr calls, which Java cannot make for all names. */
    @Override
    public boolean keepsXattr(String name) {
        return false;
    }

    @Override
    public long file(byte[] path, Inode inode, ExpectedEntry entry, List<Ext4Image.Xattr> xattrs) throws IOException {
        Path target = staged(path);
        Files.createFile(target);
        long written = 0;
        try (RandomAccessFile file = new RandomAccessFile(target.toFile(), "rw")) {
            FileChannel out = file.getChannel();
            written += FileSpans.of(image, inode).copyInto(out);
            // Extending to the full size leaves every unwritten range a hole, as it was in the image.
            file.setLength(inode.size());
        }
        finish(target, inode);
        return written;
    }

    @Override
    public void hardLink(byte[] path, byte[] firstPath, Inode inode, ExpectedEntry entry) throws IOException {
        Files.createLink(staged(path), staged(firstPath));
    }

    @Override
    public byte[] symlink(byte[] path, byte[] target, Inode inode, ExpectedEntry entry) throws IOException {
        String decoded = SeedPaths.utf8OrNull(target);
        if (decoded == null || decoded.indexOf('\0') >= 0) {
            return null;
        }
        Path link = staged(path);
        Files.createSymbolicLink(link, Path.of(decoded));
        finish(link, inode);
        return Files.readSymbolicLink(link).toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void finish() {}

    private static void finish(Path target, Inode inode) throws IOException {
        if (!inode.isSymlink()) {
            StagedAttributes.setMode(target, inode.permissions());
        }
        StagedAttributes.setTimes(target, inode.mtime(), inode.atime());
    }
}
