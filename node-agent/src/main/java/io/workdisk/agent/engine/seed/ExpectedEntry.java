package io.workdisk.agent.engine.seed;

import io.workdisk.agent.engine.ext4.Inode;

/**
 * What one entry of the seed must look like, taken from the rootfs: its path below the seed root ("" for
 * the root itself) as {@link SeedPaths#key bytes}, full mode, owner, times and, for symlinks, the exact
 * target.
 */
public record ExpectedEntry(
        String path, int mode, long uid, long gid, Inode.Timestamp mtime, Inode.Timestamp atime, byte[] symlinkTarget) {

    /** The entry for {@code inode} at {@code path}, owned as {@code owners} says. */
    public static ExpectedEntry of(String path, Inode inode, SeedOwners owners, byte[] symlinkTarget) {
        return new ExpectedEntry(
                path, inode.mode(), owners.uid(inode), owners.gid(inode), inode.mtime(), inode.atime(), symlinkTarget);
    }
}
