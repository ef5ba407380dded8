package io.workdisk.agent.engine.seed;

import io.workdisk.agent.engine.ext4.Ext4Image;
import io.workdisk.agent.engine.ext4.Inode;
import java.io.IOException;
import java.util.List;

/**
 * Takes a subtree as {@link TarSink} would, by the same rules, but writes nothing: the walk through it says
 * how large the seed must be before mke2fs starts reading the tar streamed into it (its size is fixed when
 * it formats), at the cost of reading metadata and data maps only.
 */
final class TarPlanSink implements SeedSink {
    private final Ext4Image image;

    TarPlanSink(Ext4Image image) {
        this.image = image;
    }

    @Override
    public String refusesName(byte[] name) {
        return null;
    }

    @Override
    public void startDirectory(byte[] path, Inode inode, ExpectedEntry entry) {}

    @Override
    public void endDirectory(byte[] path, Inode inode, ExpectedEntry entry) {}

    @Override
    public boolean keepsXattr(String name) {
        return TarSink.carriesXattr(name);
    }

    @Override
    public long file(byte[] path, Inode inode, ExpectedEntry entry, List<Ext4Image.Xattr> xattrs) throws IOException {
        return TarSink.dataBytes(image, inode);
    }

    @Override
    public void hardLink(byte[] path, byte[] firstPath, Inode inode, ExpectedEntry entry) {}

    @Override
    public byte[] symlink(byte[] path, byte[] target, Inode inode, ExpectedEntry entry) {
        return TarSink.carriesSymlink(target) ? target : null;
    }

    @Override
    public void finish() {}
}
