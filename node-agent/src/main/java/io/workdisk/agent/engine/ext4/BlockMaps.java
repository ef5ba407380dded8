package io.workdisk.agent.engine.ext4;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Where an inode's data is, for {@link Ext4Image}: its extent tree (ext4) or its direct and indirect
 * block map (ext2/3) walked into runs of blocks. The image is untrusted: the tree's depth, every entry
 * count and every block is checked, and runs that overlap are refused.
 */
final class BlockMaps {
    private static final int MAX_EXTENT_DEPTH = 5;
    private static final int EXTENT_MAGIC = 0xF30A;

    private final FileChannel channel;
    private final Superblock superblock;

    BlockMaps(FileChannel channel, Superblock superblock) {
        this.channel = channel;
        this.superblock = superblock;
    }

    /**
     * Where a file's blocks are, as physical runs in logical order, clipped to the file's size.
     * Holes are absent; uninitialized extents are reported as such.
     */
    List<DataRun> dataRuns(Inode inode) throws IOException {
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

    void checkReadable(Inode inode) throws Ext4FormatException {
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
                        Ext4Image.readAt(channel, child * superblock.blockSize(), superblock.blockSize()),
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
        ByteBuffer b = ByteBuffer.wrap(
                        Ext4Image.readAt(channel, block * superblock.blockSize(), superblock.blockSize()))
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

    void checkBlock(Inode inode, long block, long count) throws Ext4FormatException {
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
}
