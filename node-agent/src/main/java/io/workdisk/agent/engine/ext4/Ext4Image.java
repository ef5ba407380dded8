package io.workdisk.agent.engine.ext4;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Reads an ext2/3/4 image in user space, read-only. The image is untrusted: every offset, count and
 * length it contains is checked before use, so a hostile image yields {@link Ext4FormatException}
 * rather than a wild read or an endless walk. The kernel never mounts it.
 */
public final class Ext4Image implements Closeable {
    /** Directories and symlink targets are read whole; no honest one comes near this. */
    private static final long MAX_METADATA_BYTES = 256L * 1024 * 1024;

    private final FileChannel channel;
    private final Superblock superblock;
    private final long[] inodeTables;
    private final BlockMaps blockMaps;
    private final XattrAreas xattrAreas;

    private Ext4Image(FileChannel channel, Superblock superblock, long[] inodeTables) {
        this.channel = channel;
        this.superblock = superblock;
        this.inodeTables = inodeTables;
        this.blockMaps = new BlockMaps(channel, superblock);
        this.xattrAreas = new XattrAreas(channel, superblock, blockMaps);
    }

    public static Ext4Image open(Path path) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        try {
            Superblock sb = wholeSuperblock(channel);
            return new Ext4Image(channel, sb, readInodeTableLocations(channel, sb));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Reads only the superblock: cheap enough for inspecting a disk or vetting a seed. */
    public static Superblock readSuperblock(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            return wholeSuperblock(channel);
        }
    }

    /** The superblock of an image whose file holds the whole filesystem it describes. */
    private static Superblock wholeSuperblock(FileChannel channel) throws IOException {
        long fileSize = channel.size();
        if (fileSize < Superblock.OFFSET + Superblock.SIZE) {
            throw new Ext4FormatException("too small to hold an ext4 filesystem (" + fileSize + " bytes)");
        }
        Superblock sb = Superblock.parse(readAt(channel, Superblock.OFFSET, Superblock.SIZE));
        if (sb.sizeBytes() > fileSize) {
            throw new Ext4FormatException("image is truncated: the filesystem spans " + sb.sizeBytes()
                    + " bytes but the file holds " + fileSize);
        }
        return sb;
    }

    public Superblock superblock() {
        return superblock;
    }

    public static final long ROOT_INODE = 2;

    public Inode inode(long number) throws IOException {
        if (number < 1 || number > superblock.inodesCount()) {
            throw new Ext4FormatException("inode number " + number + " out of range");
        }
        long group = (number - 1) / superblock.inodesPerGroup();
        long index = (number - 1) % superblock.inodesPerGroup();
        long tableBlock = inodeTables[(int) group];
        long offset = tableBlock * superblock.blockSize() + index * superblock.inodeSize();
        return new Inode(number, readAt(channel, offset, superblock.inodeSize()));
    }

    /** Resolves an absolute path without following symlinks; empty when a component is missing. */
    public Optional<Inode> lookup(String absolutePath) throws IOException {
        Inode current = inode(ROOT_INODE);
        for (String part : absolutePath.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            if (!current.isDirectory()) {
                return Optional.empty();
            }
            byte[] wanted = part.getBytes(StandardCharsets.UTF_8);
            DirEntry found = null;
            for (DirEntry e : list(current)) {
                if (Arrays.equals(e.name(), wanted)) {
                    found = e;
                    break;
                }
            }
            if (found == null) {
                return Optional.empty();
            }
            current = inode(found.inode());
        }
        return Optional.of(current);
    }

    /** The entries of a directory, without "." and "..". */
    public List<DirEntry> list(Inode dir) throws IOException {
        if (!dir.isDirectory()) {
            throw new Ext4FormatException("inode " + dir.number() + " is not a directory");
        }
        blockMaps.checkReadable(dir);
        List<DirEntry> entries = new ArrayList<>();
        if (dir.hasInlineData()) {
            byte[] inline = inlineData(dir);
            // The first four bytes of an inline directory hold the parent's inode number, not an entry.
            if (inline.length > 4) {
                parseEntries(dir, inline, 4, inline.length, entries);
            }
            return entries;
        }
        int bs = superblock.blockSize();
        for (DataRun run : dataRuns(dir)) {
            for (long i = 0; i < run.blocks(); i++) {
                if (!run.initialized()) {
                    continue;
                }
                byte[] block = readAt(channel, (run.physicalBlock() + i) * bs, bs);
                parseEntries(dir, block, 0, bs, entries);
            }
        }
        return entries;
    }

    private void parseEntries(Inode dir, byte[] data, int start, int end, List<DirEntry> out)
            throws Ext4FormatException {
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        int pos = start;
        while (pos + 8 <= end) {
            long ino = Superblock.u32(b, pos);
            int recLen = b.getShort(pos + 4) & 0xFFFF;
            if (recLen == 0 && superblock.blockSize() == 65536) {
                recLen = 65536;
            }
            int nameLen = superblock.hasFileType() ? data[pos + 6] & 0xFF : b.getShort(pos + 6) & 0xFFFF;
            if (recLen < 8 || recLen % 4 != 0 || pos + recLen > end || 8 + nameLen > recLen) {
                throw new Ext4FormatException("directory inode " + dir.number() + " has a malformed entry");
            }
            if (ino != 0 && nameLen > 0) {
                byte[] name = Arrays.copyOfRange(data, pos + 8, pos + 8 + nameLen);
                if (!isDotOrDotDot(name)) {
                    out.add(new DirEntry(name, ino));
                }
            }
            pos += recLen;
        }
    }

    private static boolean isDotOrDotDot(byte[] name) {
        return (name.length == 1 && name[0] == '.') || (name.length == 2 && name[0] == '.' && name[1] == '.');
    }

    /** The target of a symlink, as the bytes stored. */
    public byte[] symlinkTarget(Inode link) throws IOException {
        long size = link.size();
        if (size <= 0 || size >= 4096 * 16L) {
            throw new Ext4FormatException("symlink inode " + link.number() + " has implausible length " + size);
        }
        if (link.hasInlineData()) {
            return Arrays.copyOf(inlineData(link), (int) size);
        }
        if (size < 60 && !link.usesExtents()) {
            byte[] fast = link.blockArea();
            return Arrays.copyOf(fast, (int) size);
        }
        return readWhole(link);
    }

    /** The contents of an inline-data file: the i_block area followed by the system.data attribute. */
    public byte[] inlineData(Inode inode) throws IOException {
        byte[] head = inode.blockArea();
        byte[] tail = xattrAreas.inodeValue(inode, 7, "data").orElse(new byte[0]);
        byte[] all = Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        long size = Math.min(inode.size(), all.length);
        return inode.isDirectory() ? all : Arrays.copyOf(all, (int) size);
    }

    /**
     * An extended attribute: its full name ("security.capability") and value; the value is null when it
     * lives in an inode of its own (ea_inode), which this reader does not follow.
     */
    public record Xattr(String name, byte[] value) {}

    /** The inode's extended attributes, in the inode and in its attribute block, without inline data's. */
    public List<Xattr> xattrs(Inode inode) throws IOException {
        return xattrAreas.xattrs(inode);
    }

    /**
     * Where a file's blocks are, as physical runs in logical order, clipped to the file's size.
     * Holes are absent; uninitialized extents are reported as such.
     */
    public List<DataRun> dataRuns(Inode inode) throws IOException {
        return blockMaps.dataRuns(inode);
    }

    /** Reads a small file (a slow symlink) whole. */
    private byte[] readWhole(Inode inode) throws IOException {
        if (inode.size() > MAX_METADATA_BYTES) {
            throw new Ext4FormatException("inode " + inode.number() + " is implausibly large");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] zeros = new byte[superblock.blockSize()];
        long next = 0;
        for (DataRun run : dataRuns(inode)) {
            for (; next < run.logicalBlock(); next++) {
                out.write(zeros);
            }
            byte[] data = run.initialized()
                    ? readAt(
                            channel,
                            run.physicalBlock() * superblock.blockSize(),
                            Math.toIntExact(run.blocks() * superblock.blockSize()))
                    : new byte[Math.toIntExact(run.blocks() * superblock.blockSize())];
            out.write(data);
            next = run.logicalBlock() + run.blocks();
        }
        return Arrays.copyOf(out.toByteArray(), (int) inode.size());
    }

    /** The channel over the image, for streaming file data out run by run. */
    public FileChannel channel() {
        return channel;
    }

    private static long[] readInodeTableLocations(FileChannel channel, Superblock sb) throws IOException {
        long groups = sb.groupCount();
        if (groups > Integer.MAX_VALUE || groups * sb.inodesPerGroup() < sb.inodesCount()) {
            throw new Ext4FormatException("inode count does not fit the block groups");
        }
        int descSize = sb.descriptorSize();
        int perBlock = sb.blockSize() / descSize;
        long[] tables = new long[(int) groups];
        byte[] block = null;
        long loadedBlock = -1;
        for (int g = 0; g < groups; g++) {
            long descBlock = descriptorBlock(sb, g, perBlock);
            if (descBlock >= sb.blocksCount()) {
                throw new Ext4FormatException("group descriptor table lies outside the filesystem");
            }
            if (descBlock != loadedBlock) {
                block = readAt(channel, descBlock * sb.blockSize(), sb.blockSize());
                loadedBlock = descBlock;
            }
            ByteBuffer b = ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN);
            int off = (g % perBlock) * descSize;
            long table = Superblock.u32(b, off + 8);
            if (sb.is64Bit() && descSize >= 64) {
                table |= Superblock.u32(b, off + 0x28) << 32;
            }
            long tableBlocks = Superblock.ceilDiv(sb.inodesPerGroup() * sb.inodeSize(), sb.blockSize());
            if (table < sb.firstDataBlock() || table + tableBlocks > sb.blocksCount()) {
                throw new Ext4FormatException("group " + g + " has its inode table outside the filesystem");
            }
            tables[g] = table;
        }
        return tables;
    }

    private static long descriptorBlock(Superblock sb, long group, int perBlock) {
        long first = superblockBlock(sb, sb.firstDataBlock()) + 1;
        long metaGroup = group / perBlock;
        if (!sb.metaBg() || metaGroup < sb.firstMetaBlockGroup()) {
            return first + metaGroup;
        }
        long leader = metaGroup * perBlock;
        long groupStart = superblockBlock(sb, sb.firstDataBlock() + leader * sb.blocksPerGroup());
        return groupStart + (hasSuperblockBackup(sb, leader) ? 1 : 0);
    }

    /**
     * The block a group's superblock (copy) is in, given the group's first block: with bigalloc and 1 KiB
     * blocks the first data block is 0 while the superblock still sits at byte 1024, block 1.
     */
    private static long superblockBlock(Superblock sb, long groupStart) {
        return groupStart == 0 && sb.blockSize() == 1024 ? 1 : groupStart;
    }

    private static boolean hasSuperblockBackup(Superblock sb, long group) {
        if (group <= 1 || !sb.sparseSuper()) {
            return true;
        }
        return isPowerOf(group, 3) || isPowerOf(group, 5) || isPowerOf(group, 7);
    }

    private static boolean isPowerOf(long n, int base) {
        while (n % base == 0) {
            n /= base;
        }
        return n == 1;
    }

    static byte[] readAt(FileChannel channel, long offset, int length) throws IOException {
        if (offset < 0 || offset + length > channel.size()) {
            throw new Ext4FormatException("read beyond the end of the image at offset " + offset);
        }
        ByteBuffer buf = ByteBuffer.allocate(length);
        while (buf.hasRemaining()) {
            int n = channel.read(buf, offset + buf.position());
            if (n < 0) {
                throw new Ext4FormatException("unexpected end of image at offset " + offset);
            }
        }
        return buf.array();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
