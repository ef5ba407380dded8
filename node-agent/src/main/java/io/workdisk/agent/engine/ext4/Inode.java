package io.workdisk.agent.engine.ext4;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/** One on-disk inode, decoded: type, permissions, owners, size, times and where its data lives. */
public final class Inode {
    public static final int S_IFMT = 0xF000;
    public static final int S_IFDIR = 0x4000;
    public static final int S_IFREG = 0x8000;
    public static final int S_IFLNK = 0xA000;

    static final int FL_ENCRYPT = 0x800;
    static final int FL_EXTENTS = 0x80000;
    static final int FL_INLINE_DATA = 0x10000000;
    static final int FL_HUGE_FILE = 0x40000;

    private final long number;
    private final byte[] raw;
    private final ByteBuffer b;
    private final int extraEnd;

    Inode(long number, byte[] raw) {
        this.number = number;
        this.raw = raw;
        this.b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        int extraIsize = raw.length > 128 ? b.getShort(128) & 0xFFFF : 0;
        this.extraEnd = raw.length > 128 ? Math.min(raw.length, 128 + extraIsize) : 128;
    }

    public long number() {
        return number;
    }

    /** The full mode: type bits plus permissions, including setuid, setgid and sticky. */
    public int mode() {
        return b.getShort(0) & 0xFFFF;
    }

    public int permissions() {
        return mode() & 07777;
    }

    public int type() {
        return mode() & S_IFMT;
    }

    public boolean isDirectory() {
        return type() == S_IFDIR;
    }

    public boolean isRegular() {
        return type() == S_IFREG;
    }

    public boolean isSymlink() {
        return type() == S_IFLNK;
    }

    public long uid() {
        return (b.getShort(2) & 0xFFFFL) | ((b.getShort(120) & 0xFFFFL) << 16);
    }

    public long gid() {
        return (b.getShort(24) & 0xFFFFL) | ((b.getShort(122) & 0xFFFFL) << 16);
    }

    public long size() {
        return Superblock.u32(b, 4) | (Superblock.u32(b, 108) << 32);
    }

    public int linksCount() {
        return b.getShort(26) & 0xFFFF;
    }

    public int flags() {
        return b.getInt(32);
    }

    public boolean usesExtents() {
        return (flags() & FL_EXTENTS) != 0;
    }

    public boolean hasInlineData() {
        return (flags() & FL_INLINE_DATA) != 0;
    }

    public boolean isEncrypted() {
        return (flags() & FL_ENCRYPT) != 0;
    }

    /** The 60-byte i_block area: extent root, block map, inline data or a fast symlink target. */
    public byte[] blockArea() {
        return Arrays.copyOfRange(raw, 40, 100);
    }

    public long externalXattrBlock() {
        return Superblock.u32(b, 104) | ((b.getShort(118) & 0xFFFFL) << 32);
    }

    public Timestamp mtime() {
        return time(16, 136);
    }

    public Timestamp atime() {
        return time(8, 140);
    }

    /** Decodes seconds with the extra epoch bits and nanoseconds, where the inode is large enough to hold them. */
    private Timestamp time(int baseOffset, int extraOffset) {
        long seconds = b.getInt(baseOffset);
        long nanos = 0;
        if (extraOffset + 4 <= extraEnd) {
            long extra = Superblock.u32(b, extraOffset);
            seconds += (extra & 3L) << 32;
            nanos = extra >>> 2;
            if (nanos > 999_999_999L) {
                nanos = 0;
            }
        }
        return new Timestamp(seconds, nanos);
    }

    /** The in-inode extended attribute area (after i_extra_isize), empty when the inode has none. */
    byte[] inlineXattrArea() {
        if (extraEnd + 4 > raw.length) {
            return new byte[0];
        }
        return Arrays.copyOfRange(raw, extraEnd, raw.length);
    }

    /** A point in time as ext4 records it: seconds since the epoch and nanoseconds. */
    public record Timestamp(long seconds, long nanos) {}
}
