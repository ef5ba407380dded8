package io.workdisk.agent.engine.image;

import io.workdisk.agent.engine.ext4.Inode;
import io.workdisk.agent.engine.image.LayerIndex.FileObject;
import io.workdisk.agent.engine.image.LayerIndex.Meta;
import io.workdisk.agent.engine.image.LayerIndex.Node;
import io.workdisk.agent.engine.seed.EntryOwner;
import io.workdisk.agent.engine.seed.ExpectedEntry;
import io.workdisk.agent.engine.seed.Extraction;
import io.workdisk.agent.engine.seed.PaxTarWriter;
import io.workdisk.agent.engine.seed.SeedOwnership;
import io.workdisk.agent.engine.seed.SeedPaths;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

/**
 * The flattened image's subtree, as the first read of the layers planned it, written by a second read
 * either as one PAX tar for {@code mke2fs -d -} or as a private directory tree for {@code mkfs.ext4 -d
 * DIR} (e2fsprogs without a tar reader). The order is the one mke2fs's tar reader needs, which also suits
 * a tree: it creates each entry in a directory that must already exist and links a hard link to the path it
 * names, so all directories come first (parents before children, the root as "."), then symlinks, then
 * each file once with its data, in the order its content appears in the layers (the second read streams
 * them once, lowest first), and last every further name of a file as a hard link to the name written with
 * the data. Owners, modes and whole-second times travel in the tar's headers; mke2fs applies file
 * capabilities from the tar and nothing else, so sub-second times and other attributes are left to the
 * fix-ups; a tree gets modes and times, and the fix-ups set owners and attributes.
 */
public final class FlatImage {
    private static final byte[] ROOT = {'.'};

    private final Extraction extraction;
    private final List<Out> directories;
    private final List<Out> symlinks;
    private final TreeMap<Integer, List<Content>> contentByLayer;
    private final List<Out> hardLinks;
    private final SeedOwnership ownership;

    /** One header to write: a path, whose owner, mode and times, and a symlink's target or a link's first name. */
    private record Out(byte[] path, Meta meta, byte[] link) {}

    /** A file to write with its data, taken from entry {@code ordinal} of its layer. */
    private record Content(long ordinal, FileObject file, byte[] path) {}

    private FlatImage(
            Extraction extraction,
            List<Out> directories,
            List<Out> symlinks,
            TreeMap<Integer, List<Content>> contentByLayer,
            List<Out> hardLinks,
            SeedOwnership ownership) {
        this.extraction = extraction;
        this.directories = directories;
        this.symlinks = symlinks;
        this.contentByLayer = contentByLayer;
        this.hardLinks = hardLinks;
        this.ownership = ownership;
    }

    /** No subtree: an empty seed owned by root, no tar at all. */
    static FlatImage empty(List<String> warnings, Map<String, Integer> skipped, Inode.Timestamp now) {
        Extraction none = Extraction.emptySeed(now, skipped, warnings);
        return new FlatImage(none, List.of(), List.of(), new TreeMap<>(), List.of(), SeedOwnership.ROOT);
    }

    static FlatImage of(
            Node top,
            SeedOwnership ownership,
            Map<String, Integer> skipped,
            Consumer<String> warn,
            Supplier<List<String>> warnings) {
        Walk walk = new Walk(ownership, warn);
        walk.directory(top, "", 0);
        for (List<Content> contents : walk.contentByLayer.values()) {
            contents.sort(Comparator.comparingLong(Content::ordinal));
        }
        Extraction extraction = new Extraction(
                List.copyOf(walk.expected),
                walk.payloadBytes,
                walk.metadataBytes,
                walk.files,
                walk.directories.size() - 1,
                walk.symlinks.size(),
                walk.hardLinks.size(),
                Map.copyOf(skipped),
                warnings.get());
        return new FlatImage(
                extraction, walk.directories, walk.symlinks, walk.contentByLayer, walk.hardLinks, ownership);
    }

    /** What the seed must hold, entry by entry, for the size, the fix-ups and the check. */
    public Extraction extraction() {
        return extraction;
    }

    /** Whether there is nothing to write: the subtree is missing and the seed is empty. */
    public boolean isEmpty() {
        return directories.isEmpty();
    }

    /** Where the second read puts each entry: a tar for mke2fs ({@link ImageTarSink}), or a tree ({@link ImageTreeSink}). */
    interface Sink {
        void directory(byte[] path, Meta meta) throws IOException;

        void symlink(byte[] path, Meta meta, byte[] target) throws IOException;

        /** {@code content} holds exactly {@code size} bytes: the tar reader's entry data ends there or fails. */
        void file(byte[] path, Meta meta, long size, InputStream content) throws IOException;

        void hardLink(byte[] path, Meta meta, byte[] firstName) throws IOException;

        void finish() throws IOException;
    }

    /**
     * The second read, as one tar: streams each layer that holds a surviving file's content once more, its
     * digests checked again, and the entries checked to be those the first read saw.
     */
    public void writeTar(List<Layer> layers, LayerLimits limits, PaxTarWriter tar, LongConsumer written)
            throws IOException, EngineException {
        write(layers, limits, new ImageTarSink(tar, ownership), written);
    }

    /**
     * The second read, as a tree under {@code root} (an empty, private directory), checked as for the tar.
     * Owners and extended attributes are not applied (the host would honour a capability): the fix-ups set
     * them in the seed.
     */
    public void writeTree(List<Layer> layers, LayerLimits limits, Path root, LongConsumer written)
            throws IOException, EngineException {
        write(layers, limits, new ImageTreeSink(root), written);
    }

    private void write(List<Layer> layers, LayerLimits limits, Sink sink, LongConsumer written)
            throws IOException, EngineException {
        for (Out d : directories) {
            sink.directory(d.path(), d.meta());
        }
        for (Out s : symlinks) {
            sink.symlink(s.path(), s.meta(), s.link());
        }
        long entries = directories.size() + symlinks.size();
        written.accept(entries);
        LayerStream.Budget budget = new LayerStream.Budget(limits.maxOutputBytes());
        for (Map.Entry<Integer, List<Content>> c : contentByLayer.entrySet()) {
            entries = copyFiles(layers.get(c.getKey()), c.getKey(), c.getValue(), budget, sink, entries, written);
        }
        for (Out h : hardLinks) {
            sink.hardLink(h.path(), h.meta(), h.link());
        }
        sink.finish();
        written.accept(entries + hardLinks.size());
    }

    /** Copies one layer's surviving files; returns the entries written so far, {@code before} and these. */
    private long copyFiles(
            Layer layer,
            int index,
            List<Content> contents,
            LayerStream.Budget budget,
            Sink sink,
            long before,
            LongConsumer written)
            throws IOException, EngineException {
        String which = "layer " + (index + 1) + " (" + layer.digest() + ")";
        // The stored digest is checked again, which proves the same uncompressed bytes: the first read
        // checked the diff ID, and hashing 100s of MB again would only slow mke2fs's feed.
        try (LayerStream stream = LayerStream.open(layer.storedOnly(), budget)) {
            TarReader reader = new TarReader(stream.tar());
            int next = 0;
            long ordinal = 0;
            for (TarEntry e = reader.next(); e != null; e = reader.next(), ordinal++) {
                if (next == contents.size() || contents.get(next).ordinal() != ordinal) {
                    continue;
                }
                FileObject file = contents.get(next++).file();
                if (!e.isRegular()
                        || e.name() == null
                        || file.nameHash != e.name().hashCode()
                        || file.size != e.size()) {
                    throw new EngineException(
                            Problem.CORRUPT_IMAGE,
                            which + " changed between its two reads: entry " + ordinal + " is no longer /"
                                    + SeedPaths.printable(contents.get(next - 1).path()));
                }
                sink.file(contents.get(next - 1).path(), file.meta, file.size, reader.content());
                written.accept(before + next);
            }
            if (next != contents.size()) {
                throw new EngineException(
                        Problem.CORRUPT_IMAGE, which + " changed between its two reads: it ends early");
            }
            stream.finish();
            return before + next;
        } catch (LayerStream.LimitException
                | TarReader.TarFormatException
                | LayerStream.UnreadableLayerException
                | ArrivingInputStream.DownloadException e) {
            // the image's faults; any other failure (mke2fs gone from the pipe, say) is the caller's to name
            throw LayerStream.failure(which, "reading", e);
        }
    }

    /** Depth first, children in name order: the tar's lists and what each entry of the seed must be. */
    private static final class Walk {
        private final SeedOwnership ownership;
        private final Consumer<String> warn;
        final List<ExpectedEntry> expected = new ArrayList<>();
        final List<Out> directories = new ArrayList<>();
        final List<Out> symlinks = new ArrayList<>();
        final List<Out> hardLinks = new ArrayList<>();
        final TreeMap<Integer, List<Content>> contentByLayer = new TreeMap<>();
        final Map<FileObject, byte[]> firstNames = new IdentityHashMap<>();
        long payloadBytes;
        long metadataBytes;
        int files;

        Walk(SeedOwnership ownership, Consumer<String> warn) {
            this.ownership = ownership;
            this.warn = warn;
        }

        void directory(Node dir, String rel, int depth) {
            directories.add(new Out(rel.isEmpty() ? ROOT : utf8(rel), dir.meta, null));
            expect(rel, Inode.S_IFDIR, dir.meta, null);
            long listing = 0;
            for (Map.Entry<String, Node> c : dir.children.entrySet()) {
                String name = c.getKey();
                listing += 8 + ((utf8(name).length + 3) & ~3);
                if (depth == 0 && name.equals("lost+found")) {
                    warn.accept("/lost+found of the image was left out: the seed has its own");
                    continue;
                }
                String path = rel.isEmpty() ? name : rel + "/" + name;
                Node n = c.getValue();
                if (n.isDirectory()) {
                    directory(n, path, depth + 1);
                } else if (n.kind == TarEntry.SYMLINK) {
                    byte[] target = utf8(n.target);
                    symlinks.add(new Out(utf8(path), n.meta, target));
                    expect(path, Inode.S_IFLNK, n.meta, target);
                    if (target.length >= 60) {
                        metadataBytes += target.length;
                    }
                } else {
                    file(n.file, path);
                }
            }
            metadataBytes += Math.max(4096, (listing + 4095) / 4096 * 4096);
        }

        private void file(FileObject file, String path) {
            byte[] raw = utf8(path);
            byte[] first = firstNames.putIfAbsent(file, raw);
            if (first != null) {
                hardLinks.add(new Out(raw, file.meta, first));
            } else {
                files++;
                payloadBytes += file.size;
                contentByLayer
                        .computeIfAbsent(file.layer, l -> new ArrayList<>())
                        .add(new Content(file.ordinal, file, raw));
            }
            expect(path, Inode.S_IFREG, file.meta, null);
        }

        private void expect(String rel, int type, Meta m, byte[] target) {
            EntryOwner owner = ownership == SeedOwnership.ROOT
                    ? EntryOwner.root()
                    : EntryOwner.preserved(m.uid(), m.gid(), m.xattrs());
            int mode = type | (type == Inode.S_IFLNK ? 0777 : m.mode() & 07777);
            expected.add(new ExpectedEntry(SeedPaths.key(utf8(rel)), mode, m.mtime(), m.atime(), target, owner));
        }

        private static byte[] utf8(String s) {
            return s.getBytes(StandardCharsets.UTF_8);
        }
    }
}
