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

    private static final int MAX_EXTENT_DEPTH = 5;
    private static final int EXTENT_MAGIC = 0xF30A;
    private static final int XATTR_MAGIC = 0xEA020000;

    private final FileChannel channel;
    private final Superblock superblock;
    private final long[] inodeTables;

    private Ext4Image(FileChannel channel, Superblock superblock, long[] inodeTables) {
        this.channel = channel;
        this.superblock = superblock;
        this.inodeTables = inodeTables;
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
        checkReadable(dir);
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
        byte[] tail = inodeXattrValue(inode, 7, "data").orElse(new byte[0]);
        byte[] all = Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        long size = Math.min(inode.size(), all.length);
        return inode.isDirectory() ? all : Arrays.copyOf(all, (int) size);
    }

    private record XattrName(int index, String name, int valueOffset, int valueSize, long valueInode) {}

    /**
     * An extended attribute: its full name ("security.capability") and value; the value is null when it
     * lives in an inode of its own (ea_inode), which this reader does not follow.
     */
    public record Xattr(String name, byte[] value) {}

    /** The inode's extended attributes, in the inode and in its attribute block, without inline data's. */
    public List<Xattr> xattrs(Inode inode) throws IOException {
        List<Xattr> out = new ArrayList<>();
        byte[] area = inode.inlineXattrArea();
        for (XattrName n : inodeXattrNames(inode)) {
            if (!(n.index() == 7 && n.name().equals("data"))) {
                out.add(xattr(n, area));
            }
        }
        long block = inode.externalXattrBlock();
        if (block != 0) {
            checkBlock(inode, block, 1);
            int bs = superblock.blockSize();
            byte[] data = readAt(channel, block * bs, bs);
            ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
            if (b.getInt(0) != XATTR_MAGIC) {
                throw new Ext4FormatException("inode " + inode.number() + " has a corrupt extended attribute block");
            }
            for (XattrName n : xattrEntries(inode, data, 32, 0)) {
                out.add(xattr(n, data));
            }
        }
        return out;
    }

    private static Xattr xattr(XattrName n, byte[] data) {
        String prefix = switch (n.index()) {
            case 0 -> "";
            case 1 -> "user.";
            case 2 -> "system.posix_acl_access";
            case 3 -> "system.posix_acl_default";
            case 4 -> "trusted.";
            case 6 -> "security.";
            case 7 -> "system.";
            case 8 -> "system.richacl";
            default -> "index" + n.index() + ".";
        };
        byte[] value =
                n.valueInode() != 0 ? null : Arrays.copyOfRange(data, n.valueOffset(), n.valueOffset() + n.valueSize());
        return new Xattr(prefix + n.name(), value);
    }

    private List<XattrName> inodeXattrNames(Inode inode) throws Ext4FormatException {
        byte[] area = inode.inlineXattrArea();
        if (area.length < 4) {
            return new ArrayList<>();
        }
        ByteBuffer b = ByteBuffer.wrap(area).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(0) != XATTR_MAGIC) {
            return new ArrayList<>();
        }
        // In the inode, values are placed from the first entry on; in a block, from the block's start.
        return xattrEntries(inode, area, 4, 4);
    }

    private static List<XattrName> xattrEntries(Inode inode, byte[] area, int first, int valueBase)
            throws Ext4FormatException {
        ByteBuffer b = ByteBuffer.wrap(area).order(ByteOrder.LITTLE_ENDIAN);
        List<XattrName> names = new ArrayList<>();
        int pos = first;
        while (pos + 16 <= area.length && b.getInt(pos) != 0) {
            int nameLen = area[pos] & 0xFF;
            int index = area[pos + 1] & 0xFF;
            int valueOffset = b.getShort(pos + 2) & 0xFFFF;
            long valueInode = Superblock.u32(b, pos + 4);
            int valueSize = b.getInt(pos + 8);
            if (pos + 16 + nameLen > area.length
                    || valueSize < 0
                    || (valueInode == 0 && valueBase + valueOffset + (long) valueSize > area.length)) {
                throw new Ext4FormatException("inode " + inode.number() + " has malformed extended attributes");
            }
            String name = new String(area, pos + 16, nameLen, StandardCharsets.UTF_8);
            names.add(new XattrName(index, name, valueBase + valueOffset, valueSize, valueInode));
            pos += (16 + nameLen + 3) & ~3;
        }
        return names;
    }

    private Optional<byte[]> inodeXattrValue(Inode inode, int index, String name) throws Ext4FormatException {
        byte[] area = inode.inlineXattrArea();
        for (XattrName n : inodeXattrNames(inode)) {
            if (n.index() == index && n.name().equals(name)) {
                return Optional.of(Arrays.copyOfRange(area, n.valueOffset(), n.valueOffset() + n.valueSize()));
            }
        }
        return Optional.empty();
    }

    /**
     * Where a file's blocks are, as physical runs in logical order, clipped to the file's size.
     * Holes are absent; uninitialized extents are reported as such.
     */
    public List<DataRun> dataRuns(Inode inode) throws IOException {
        checkReadable(inode);
        if (inode.hasInlineData()) {
            return List.of();
        }
        long maxBlocks = Superblock.ceilDiv(inode.size(), superblock.blockSize());
        List<DataRun> runs = new ArrayList<>();
        if (inode.usesExtents()) {
            walkExtents(inode, inode.blockArea(), -1, maxBlocks, runs);
        } else {
            walkBlockMap(inode, maxBlocks, runs);
        }
        return merge(runs);
    }

    private void checkReadable(Inode inode) throws Ext4FormatException {
        if (inode.isEncrypted()) {
            throw new Ext4FormatException("inode " + inode.number() + " is encrypted; its contents cannot be copied");
        }
    }

    private void walkExtents(Inode inode, byte[] node, int expectedDepth, long maxBlocks, List<DataRun> out)
            throws IOException {
        ByteBuffer b = ByteBuffer.wrap(node).order(ByteOrder.LITTLE_ENDIAN);
        if ((b.getShort(0) & 0xFFFF) != EXTENT_MAGIC) {
            throw new Ext4FormatException("inode " + inode.number() + " has a corrupt extent tree");
        }
        int entries = b.getShort(2) & 0xFFFF;
        int depth = b.getShort(6) & 0xFFFF;
        if (depth > MAX_EXTENT_DEPTH
                || (expectedDepth >= 0 && depth != expectedDepth)
                || 12 + 12L * entries > node.length) {
            throw new Ext4FormatException("inode " + inode.number() + " has a corrupt extent tree");
        }
        for (int i = 0; i < entries; i++) {
            int e = 12 + 12 * i;
            long logical = Superblock.u32(b, e);
            if (depth == 0) {
                int len = b.getShort(e + 4) & 0xFFFF;
                boolean initialized = len <= 32768;
                long blocks = initialized ? len : len - 32768;
                long physical = ((b.getShort(e + 6) & 0xFFFFL) << 32) | Superblock.u32(b, e + 8);
                addRun(inode, logical, physical, blocks, initialized, maxBlocks, out);
            } else {
                long child = ((b.getShort(e + 8) & 0xFFFFL) << 32) | Superblock.u32(b, e + 4);
                checkBlock(inode, child, 1);
                walkExtents(
                        inode,
                        readAt(channel, child * superblock.blockSize(), superblock.blockSize()),
                        depth - 1,
                        maxBlocks,
                        out);
            }
        }
    }

    private void walkBlockMap(Inode inode, long maxBlocks, List<DataRun> out) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(inode.blockArea()).order(ByteOrder.LITTLE_ENDIAN);
        long perBlock = superblock.blockSize() / 4;
        long logical = 0;
        for (int i = 0; i < 12; i++, logical++) {
            addRun(inode, logical, Superblock.u32(b, i * 4), 1, true, maxBlocks, out);
        }
        long span = perBlock;
        for (int level = 1; level <= 3; level++) {
            long block = Superblock.u32(b, (11 + level) * 4);
            if (logical >= maxBlocks) {
                return;
            }
            walkIndirect(inode, block, level, logical, maxBlocks, out);
            logical += span;
            span *= perBlock;
        }
    }

    private void walkIndirect(Inode inode, long block, int level, long firstLogical, long maxBlocks, List<DataRun> out)
            throws IOException {
        if (block == 0 || firstLogical >= maxBlocks) {
            return;
        }
        checkBlock(inode, block, 1);
        ByteBuffer b = ByteBuffer.wrap(readAt(channel, block * superblock.blockSize(), superblock.blockSize()))
                .order(ByteOrder.LITTLE_ENDIAN);
        long perBlock = superblock.blockSize() / 4;
        long childSpan = 1;
        for (int i = 1; i < level; i++) {
            childSpan *= perBlock;
        }
        for (int i = 0; i < perBlock; i++) {
            long child = Superblock.u32(b, i * 4);
            long logical = firstLogical + i * childSpan;
            if (level == 1) {
                addRun(inode, logical, child, 1, true, maxBlocks, out);
            } else {
                walkIndirect(inode, child, level - 1, logical, maxBlocks, out);
            }
        }
    }

    private void addRun(
            Inode inode,
            long logical,
            long physical,
            long blocks,
            boolean initialized,
            long maxBlocks,
            List<DataRun> out)
            throws Ext4FormatException {
        if (physical == 0 || blocks == 0 || logical >= maxBlocks) {
            return;
        }
        long clipped = Math.min(blocks, maxBlocks - logical);
        checkBlock(inode, physical, clipped);
        out.add(new DataRun(logical, physical, clipped, initialized));
    }

    private void checkBlock(Inode inode, long block, long count) throws Ext4FormatException {
        if (block < superblock.firstDataBlock() || block + count > superblock.blocksCount()) {
            throw new Ext4FormatException(
                    "inode " + inode.number() + " points outside the filesystem (block " + block + ")");
        }
    }

    private static List<DataRun> merge(List<DataRun> runs) throws Ext4FormatException {
        runs.sort((a, b) -> Long.compare(a.logicalBlock(), b.logicalBlock()));
        List<DataRun> merged = new ArrayList<>();
        for (DataRun r : runs) {
            if (!merged.isEmpty()) {
                DataRun last = merged.get(merged.size() - 1);
                if (r.logicalBlock() < last.logicalBlock() + last.blocks()) {
                    throw new Ext4FormatException("a file maps the same block twice (corrupt block map)");
                }
                if (last.initialized() == r.initialized()
                        && last.logicalBlock() + last.blocks() == r.logicalBlock()
                        && last.physicalBlock() + last.blocks() == r.physicalBlock()) {
                    merged.set(
                            merged.size() - 1,
                            new DataRun(
                                    last.logicalBlock(),
                                    last.physicalBlock(),
                                    last.blocks() + r.blocks(),
                                    last.initialized()));
                    continue;
                }
            }
            merged.add(r);
        }
        return merged;
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
