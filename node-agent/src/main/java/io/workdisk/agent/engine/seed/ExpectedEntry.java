package io.workdisk.agent.engine.seed;

import io.workdisk.agent.engine.ext4.Inode;

/**
 * What one entry of the seed must look like, taken from the rootfs: its path below the seed root
 * ("" for the root itself), full mode, times and, for symlinks, the exact target.
 */
public record ExpectedEntry(
        String path, int mode, Inode.Timestamp mtime, Inode.Timestamp atime, byte[] symlinkTarget) {}
