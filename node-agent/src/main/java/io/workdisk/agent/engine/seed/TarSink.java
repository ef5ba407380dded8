package io.workdisk.agent.engine.seed;

import io.workdisk.agent.engine.ext4.DataRun;
import io.workdisk.agent.engine.ext4.Ext4FormatException;
import io.workdisk.agent.engine.ext4.Ext4Image;
import io.workdisk.agent.engine.ext4.Inode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * One PAX tar file for {@code mke2fs -d FILE.tar} (e2fsprogs 1.47.1 and later), written straight from the
 * ext4 reader: exact mode bits, owners, nanosecond times, symlinks and hard links, names and link targets
 * as the bytes they are. File data is copied run by run from the image into the tar (in the kernel where
 * it can be); the file's holes are left as holes of the tar file, so a sparse file costs no space here
 * and mke2fs, which writes no all-zero block, keeps them holes in the seed. Paths are relative, the root
 * being ".", so mke2fs applies the root's mode, owner and times to the seed's root directory.
 */
final class TarSink implements SeedSink {
    private static final byte[] ROOT = ".".getBytes(StandardCharsets.US_ASCII);

    private final Ext4Image image;
    private final PaxTarWriter tar;
    private final int blockSize;

    private TarSink(Ext4Image image, PaxTarWriter tar) {
        this.image = image;
        this.tar = tar;
        this.blockSize = image.superblock().blockSize();
    }

    static TarSink create(Ext4Image image, Path file) throws IOException {
        return new TarSink(image, PaxTarWriter.create(file));
    }

    @Override
    public String refusesName(byte[] name) {
        return null;
    }

    @Override
    public void startDirectory(byte[] path, Inode inode, ExpectedEntry entry) throws IOException {
        header(path.length == 0 ? ROOT : path, '5', entry, 0, null);
    }

    @Override
    public void endDirectory(byte[] path, Inode inode, ExpectedEntry entry) {}

    /**
     * The tar carries any attribute ({@code SCHILY.xattr.NAME}), but mke2fs 1.47's tar reader applies only
     * file capabilities; the others that PRESERVE keeps are set by the debugfs fix-ups afterwards.
     */
    @Override
    public boolean keepsXattr(String name) {
        return name.equals("security.capability");
    }

    @Override
    public long file(byte[] path, Inode inode, ExpectedEntry entry, List<Ext4Image.Xattr> xattrs) throws IOException {
        long size = inode.size();
        tar.header(
                path,
                '0',
                entry.mode() & 07777,
                entry.owner().uid(),
                entry.owner().gid(),
                size,
                entry.mtime(),
                entry.atime(),
                null,
                xattrs);
        long written = 0;
        if (inode.hasInlineData()) {
            byte[] data = image.inlineData(inode);
            tar.dataAt(0, ByteBuffer.wrap(data));
            written = data.length;
        } else {
            for (DataRun run : image.dataRuns(inode)) {
                if (run.initialized()) {
                    written += copyRun(run, size);
                }
            }
        }
        tar.endData(size);
        return written;
    }

    private long copyRun(DataRun run, long fileSize) throws IOException {
        long offset = run.logicalBlock() * blockSize;
        long length = Math.min(run.blocks() * blockSize, fileSize - offset);
        long source = run.physicalBlock() * blockSize;
        long target = tar.position() + offset;
        long done = 0;
        while (done < length) {
            long n = image.channel()
                    .transferTo(source + done, length - done, tar.channel().position(target + done));
            if (n <= 0) {
                throw new Ext4FormatException("file data ends early at image offset " + (source + done));
            }
            done += n;
        }
        return length;
    }

    @Override
    public void hardLink(byte[] path, byte[] firstPath, Inode inode, ExpectedEntry entry) throws IOException {
        header(path, '1', entry, 0, firstPath);
    }

    @Override
    public byte[] symlink(byte[] path, byte[] target, Inode inode, ExpectedEntry entry) throws IOException {
        for (byte b : target) {
            if (b == 0) {
                return null; // mke2fs copies the target as a C string
            }
        }
        header(path, '2', entry, 0, target);
        return target;
    }

    @Override
    public void finish() throws IOException {
        tar.finish();
    }

    @Override
    public void close() throws IOException {
        tar.close();
    }

    private void header(byte[] path, char type, ExpectedEntry entry, long size, byte[] link) throws IOException {
        tar.header(
                path,
                type,
                entry.mode() & 07777,
                entry.owner().uid(),
                entry.owner().gid(),
                size,
                entry.mtime(),
                entry.atime(),
                link,
                List.of());
    }
}
