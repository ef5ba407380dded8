package io.workdisk.agent.engine.seed;

import io.workdisk.agent.engine.ext4.Inode;

/**
 * Who owns the seed's entries. A seed becomes the guest's home directory, whose user is root, so every
 * entry is 0:0 by default; keeping the rootfs's owners is the other choice, ready for a request option.
 */
public enum SeedOwners {
    ROOT,
    PRESERVE;

    public long uid(Inode inode) {
        return this == PRESERVE ? inode.uid() : 0;
    }

    public long gid(Inode inode) {
        return this == PRESERVE ? inode.gid() : 0;
    }
}
