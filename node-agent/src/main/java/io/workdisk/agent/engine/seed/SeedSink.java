package io.workdisk.agent.engine.seed;

import io.workdisk.agent.engine.ext4.Ext4Image;
import io.workdisk.agent.engine.ext4.Inode;
import java.io.Closeable;
import java.io.IOException;
import java.util.List;

/**
 * Where {@link SubtreeWalker} puts the entries it reads: a staging tree for {@code mkfs.ext4 -d DIR}, one
 * tar streamed into {@code mkfs.ext4 -d -}, or nowhere, to size the seed first. Paths are bytes below the
 * seed root, parents before children; a sink may refuse what it cannot represent, and the walker then
 * skips and reports the entry.
 */
interface SeedSink extends Closeable {
    /** Why an entry of this name cannot be written, or null when it can. */
    String refusesName(byte[] name);

    /** A directory, before its children. */
    void startDirectory(byte[] path, Inode inode, ExpectedEntry entry) throws IOException;

    /** The same directory, after its children. */
    void endDirectory(byte[] path, Inode inode, ExpectedEntry entry) throws IOException;

    /** Whether an extended attribute of this name reaches mkfs this way; the fix-ups set the others kept. */
    boolean keepsXattr(String name);

    /**
     * A regular file's first name, with its data and the extended attributes {@link #keepsXattr} accepted;
     * returns the bytes of data written.
     */
    long file(byte[] path, Inode inode, ExpectedEntry entry, List<Ext4Image.Xattr> xattrs) throws IOException;

    /** Another name of a file already written at {@code firstPath}. */
    void hardLink(byte[] path, byte[] firstPath, Inode inode, ExpectedEntry entry) throws IOException;

    /**
     * A symlink to {@code target}; returns the target as it will be stored (a staging tree may normalize
     * it), or null when the sink cannot represent it.
     */
    byte[] symlink(byte[] path, byte[] target, Inode inode, ExpectedEntry entry) throws IOException;

    /** Everything has been written. */
    void finish() throws IOException;

    @Override
    default void close() throws IOException {}
}
