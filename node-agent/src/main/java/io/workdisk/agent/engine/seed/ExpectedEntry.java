package io.workdisk.agent.engine.seed;

import io.workdisk.agent.engine.ext4.Inode;

/**
 * What one entry of the seed must look like, taken from the source: its path below the seed root ("" for
 * the root itself) as a {@link SeedPaths#key}, full mode, times, for symlinks the exact target, and its
 * owner and attributes.
 */
public record ExpectedEntry(
        String path, int mode, Inode.Timestamp mtime, Inode.Timestamp atime, byte[] symlinkTarget, EntryOwner owner) {

    /** An entry under the ROOT rule. */
    public static ExpectedEntry rootOwned(
            String path, int mode, Inode.Timestamp mtime, Inode.Timestamp atime, byte[] symlinkTarget) {
        return new ExpectedEntry(path, mode, mtime, atime, symlinkTarget, EntryOwner.root());
    }

    /** The entry for an ext4 {@code inode} at {@code path}, owned as {@code owner} says. */
    public static ExpectedEntry of(String path, Inode inode, EntryOwner owner, byte[] symlinkTarget) {
        return new ExpectedEntry(path, inode.mode(), inode.mtime(), inode.atime(), symlinkTarget, owner);
    }
}
