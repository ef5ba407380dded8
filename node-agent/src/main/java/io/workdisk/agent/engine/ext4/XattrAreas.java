package io.workdisk.agent.engine.ext4;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * An inode's extended attributes for {@link Ext4Image}: those in the inode's own spare space and those in
 * its attribute block, each entry's name length, value offset and size checked against its area.
 */
final class XattrAreas {
    private static final int XATTR_MAGIC = 0xEA020000;

    private final FileChannel channel;
    private final Superblock superblock;
    private final BlockMaps blockMaps;

    XattrAreas(FileChannel channel, Superblock superblock, BlockMaps blockMaps) {
        this.channel = channel;
        this.superblock = superblock;
        this.blockMaps = blockMaps;
    }

    private record XattrName(int index, String name, int valueOffset, int valueSize, long valueInode) {}

    /** The inode's extended attributes, in the inode and in its attribute block, without inline data's. */
    List<Ext4Image.Xattr> xattrs(Inode inode) throws IOException {
        List<Ext4Image.Xattr> out = new ArrayList<>();
        byte[] area = inode.inlineXattrArea();
        for (XattrName n : inodeXattrNames(inode)) {
            if (!(n.index() == 7 && n.name().equals("data"))) {
                out.add(xattr(n, area));
            }
        }
        long block = inode.externalXattrBlock();
        if (block != 0) {
            blockMaps.checkBlock(inode, block, 1);
            int bs = superblock.blockSize();
            byte[] data = Ext4Image.readAt(channel, block * bs, bs);
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

    private static Ext4Image.Xattr xattr(XattrName n, byte[] data) {
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
        return new Ext4Image.Xattr(prefix + n.name(), value);
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

    Optional<byte[]> inodeValue(Inode inode, int index, String name) throws Ext4FormatException {
        byte[] area = inode.inlineXattrArea();
        for (XattrName n : inodeXattrNames(inode)) {
            if (n.index() == index && n.name().equals(name)) {
                return Optional.of(Arrays.copyOfRange(area, n.valueOffset(), n.valueOffset() + n.valueSize()));
            }
        }
        return Optional.empty();
    }
}
