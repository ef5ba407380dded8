package io.workdisk.agent.engine.image;

import io.workdisk.agent.engine.ext4.Inode;
import java.util.SortedMap;

/**
 * One tar header as the archive states it, PAX and GNU extensions applied: the raw name and link name
 * (untrusted), the type flag, the data size, full mode, owners, times with nanoseconds, and the
 * extended attributes from {@code SCHILY.xattr.*} records as raw bytes. {@code name} is null when the
 * stored name is not valid UTF-8; {@code displayName} is always printable, for messages.
 */
public record TarEntry(
        String name,
        byte type,
        long size,
        int mode,
        long uid,
        long gid,
        Inode.Timestamp mtime,
        Inode.Timestamp atime,
        String linkName,
        SortedMap<String, byte[]> xattrs,
        String displayName) {
    public static final byte REGULAR = '0';
    public static final byte REGULAR_OLD = 0;
    public static final byte HARD_LINK = '1';
    public static final byte SYMLINK = '2';
    public static final byte CHAR_DEVICE = '3';
    public static final byte BLOCK_DEVICE = '4';
    public static final byte DIRECTORY = '5';
    public static final byte FIFO = '6';
    public static final byte CONTIGUOUS = '7';

    public boolean isRegular() {
        return type == REGULAR || type == REGULAR_OLD || type == CONTIGUOUS;
    }

    public boolean isDirectory() {
        return type == DIRECTORY;
    }
}
