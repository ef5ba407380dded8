package io.workdisk.agent.engine.image;

import io.workdisk.agent.engine.ext4.Ext4Image;
import io.workdisk.agent.engine.image.LayerIndex.Meta;
import io.workdisk.agent.engine.seed.PaxTarWriter;
import io.workdisk.agent.engine.seed.SeedOwnership;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** The entries as one PAX tar for {@code mke2fs -d -}. */
final class ImageTarSink implements FlatImage.Sink {
    private final PaxTarWriter tar;
    private final SeedOwnership ownership;
    private final byte[] buffer = new byte[1 << 16];

    ImageTarSink(PaxTarWriter tar, SeedOwnership ownership) {
        this.tar = tar;
        this.ownership = ownership;
    }

    @Override
    public void directory(byte[] path, Meta meta) throws IOException {
        header(path, meta, '5', 0, null);
    }

    @Override
    public void symlink(byte[] path, Meta meta, byte[] target) throws IOException {
        header(path, meta, '2', 0, target);
    }

    @Override
    public void file(byte[] path, Meta meta, long size, InputStream content) throws IOException {
        header(path, meta, '0', size, null);
        for (int n = content.read(buffer); n >= 0; n = content.read(buffer)) {
            tar.data(ByteBuffer.wrap(buffer, 0, n));
        }
        tar.endData(size);
    }

    @Override
    public void hardLink(byte[] path, Meta meta, byte[] firstName) throws IOException {
        header(path, meta, '1', 0, firstName);
    }

    @Override
    public void finish() throws IOException {
        tar.finish();
    }

    private void header(byte[] path, Meta m, char type, long size, byte[] link) throws IOException {
        List<Ext4Image.Xattr> carried = new ArrayList<>();
        byte[] cap = type == '0' ? m.xattrs().get("security.capability") : null;
        if (cap != null && ownership == SeedOwnership.PRESERVE) {
            // the one attribute mke2fs takes from a tar; the fix-ups set the others
            carried.add(new Ext4Image.Xattr("security.capability", cap));
        }
        tar.header(
                path,
                type,
                type == '2' ? 0777 : m.mode() & 07777,
                m.uid(),
                m.gid(),
                size,
                m.mtime(),
                m.atime(),
                link,
                carried);
    }
}
