package io.workdisk.agent.engine.image;

import io.workdisk.agent.engine.files.StagedAttributes;
import io.workdisk.agent.engine.image.LayerIndex.Meta;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The entries as a directory tree for {@code mkfs.ext4 -d DIR}, in a private directory of this build.
 * Every path comes from the planned tree, whose names were reduced to plain components and whose
 * parents are directories made here first, and every entry is created exclusively, so nothing is
 * written outside the root or through a link. Directories stay writable until the end, when their
 * modes and times go on, deepest first.
 */
final class ImageTreeSink implements FlatImage.Sink {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
    private final Path root;
    private final List<Map.Entry<Path, Meta>> directories = new ArrayList<>();

    ImageTreeSink(Path root) {
        this.root = root;
    }

    private Path at(byte[] path) {
        String rel = new String(path, StandardCharsets.UTF_8);
        return rel.equals(".") ? root : root.resolve(rel);
    }

    @Override
    public void directory(byte[] path, Meta meta) throws IOException {
        Path dir = at(path);
        if (!dir.equals(root)) {
            Files.createDirectory(dir);
        }
        StagedAttributes.setMode(dir, 0700); // writable by us alone until finish() sets its own mode
        directories.add(Map.entry(dir, meta));
    }

    @Override
    public void symlink(byte[] path, Meta meta, byte[] target) throws IOException {
        Path link = Files.createSymbolicLink(at(path), Path.of(new String(target, StandardCharsets.UTF_8)));
        times(link, meta);
    }

    @Override
    public void file(byte[] path, Meta meta, long size, InputStream content) throws IOException {
        Path file = at(path);
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, NOFOLLOW)) {
            content.transferTo(out);
        }
        StagedAttributes.setMode(file, meta.mode());
        times(file, meta);
    }

    @Override
    public void hardLink(byte[] path, Meta meta, byte[] firstName) throws IOException {
        Files.createLink(at(path), at(firstName));
    }

    @Override
    public void finish() throws IOException {
        for (int i = directories.size() - 1; i >= 0; i--) {
            Path dir = directories.get(i).getKey();
            Meta meta = directories.get(i).getValue();
            StagedAttributes.setMode(dir, meta.mode());
            times(dir, meta);
        }
    }

    private static void times(Path p, Meta meta) throws IOException {
        StagedAttributes.setTimes(p, meta.mtime(), meta.atime());
    }
}
