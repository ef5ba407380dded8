package io.workdisk.agent.engine.seed;

import io.workdisk.agent.engine.ext4.Ext4Image;
import io.workdisk.agent.engine.ext4.Inode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * One PAX tar streamed into {@code mke2fs -d -} (e2fsprogs 1.47.1 and later) as it is read, written
 * straight from the ext4 reader: exact mode bits, owners, nanosecond times, symlinks and hard links, names
 * and link targets as the bytes they are. File data is copied run by run from the image into the pipe (in
 * the kernel where it can be); a file's holes go through as zeros, which mke2fs, writing no all-zero block,
 * turns back into holes. Paths are relative, the root being ".", so mke2fs applies the root's mode, owner
 * and times to the seed's root directory.
 */
final class TarSink implements SeedSink {
    private static final byte[] ROOT = ".".getBytes(StandardCharsets.US_ASCII);

    private final Ext4Image image;
    private final PaxTarWriter tar;
    private final SparseFilesAside aside;

    private TarSink(Ext4Image image, PaxTarWriter tar, SparseFilesAside aside) {
        this.image = image;
        this.tar = tar;
        this.aside = aside;
    }

    /**
     * A tar written in order to {@code tar} (a pipe into {@code mke2fs -d -}): a file's holes go through
     * as zeros, which mke2fs still turns back into holes, except for files that are mostly holes: those go
     * into {@code asideDirectory} for debugfs to add ({@link SparseFilesAside}, {@link #asideCommands}).
     */
    static TarSink streaming(Ext4Image image, PaxTarWriter tar, Path asideDirectory) {
        return new TarSink(image, tar, new SparseFilesAside(asideDirectory));
    }

    /** The debugfs commands that add the files kept out of the tar, once mkfs has made the seed. */
    List<String> asideCommands() {
        return aside.commands();
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
        return carriesXattr(name);
    }

    static boolean carriesXattr(String name) {
        return name.equals("security.capability");
    }

    /** mke2fs copies a symlink's target as a C string: one with a NUL cannot go through. */
    static boolean carriesSymlink(byte[] target) {
        for (byte b : target) {
            if (b == 0) {
                return false;
            }
        }
        return true;
    }

    /** The bytes of data a file puts in the tar: what its spans hold within its size. */
    static long dataBytes(Ext4Image image, Inode inode) throws IOException {
        return FileSpans.of(image, inode).dataBytes();
    }

    @Override
    public long file(byte[] path, Inode inode, ExpectedEntry entry, List<Ext4Image.Xattr> xattrs) throws IOException {
        long size = inode.size();
        FileSpans spans = FileSpans.of(image, inode);
        if (SparseFilesAside.takes(path, inode, spans.dataBytes())) {
            aside.put(path, inode, spans);
            return spans.dataBytes();
        }
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
        stream(spans, size);
        tar.endData(size);
        return spans.dataBytes();
    }

    /** The file's bytes in order: its spans copied, everything between and after them as zeros. */
    private void stream(FileSpans spans, long size) throws IOException {
        long at = 0;
        for (FileSpans.Span span : spans.spans()) {
            tar.zeros(span.offset() - at);
            if (span.isInline()) {
                tar.data(ByteBuffer.wrap(span.inline()));
            } else {
                tar.dataFrom(image.channel(), span.imageOffset(), span.length());
            }
            at = span.offset() + span.length();
        }
        tar.zeros(size - at);
    }

    @Override
    public void hardLink(byte[] path, byte[] firstPath, Inode inode, ExpectedEntry entry) throws IOException {
        header(path, '1', entry, 0, firstPath);
    }

    @Override
    public byte[] symlink(byte[] path, byte[] target, Inode inode, ExpectedEntry entry) throws IOException {
        if (!carriesSymlink(target)) {
            return null;
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
