package io.workdisk.agent.engine.image;

import io.workdisk.agent.engine.ext4.Inode;
import io.workdisk.agent.engine.image.EntryNames.HostileEntryException;
import io.workdisk.agent.engine.seed.EntryOwner;
import io.workdisk.agent.engine.seed.SeedOwnership;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.ErrorText;
import io.workdisk.agent.engine.shared.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The first of two reads of an image's layers on the way to a seed: every layer's headers, lowest layer
 * first, applied to a tree held in memory by the rules a container runtime applies (later entries replace
 * earlier ones whatever the types, a directory over a directory merges, {@code .wh.NAME} and
 * {@code .wh..wh..opq} remove what lower layers made, hard links may name lower layers' files, device nodes
 * and fifos are skipped and counted) and with refusals for what a hostile image tries (names with ".." or
 * absolute, writing through a symlink, links out of the tree, the entry and byte limits, sizes that lie).
 * File data is read past, not kept: each surviving file remembers which entry of which layer holds its
 * content, for {@link FlatImage} to copy on the second read.
 */
public final class LayerIndex {
    private static final String OPAQUE = ".wh..wh..opq";
    private static final int MAX_WARNINGS = 1000;
    /** Headers a reader may get ahead of the applier per layer: a few MB of heap, enough to keep inflating. */
    private static final int READ_AHEAD = 8192;

    private final SeedOwnership ownership;
    private final LayerLimits limits;
    private final LayerStream.Budget budget;
    private final Node root;
    private final Inode.Timestamp now;
    private final Map<String, Integer> skipped = new TreeMap<>();
    private final List<String> warnings = new ArrayList<>();
    private Set<String> layerPaths = new HashSet<>();
    private Set<String> layerAncestors = new HashSet<>();
    private long entries;
    private int whiteouts;
    private int opaqueDirectories;
    private int layers;
    private int droppedWarnings;
    /** Layers whose headers came from an earlier read's record rather than the layer itself. */
    private final AtomicInteger replayed = new AtomicInteger();

    /** Owner, mode bits (no type), times and the attributes kept, as the entry that made a node said. */
    record Meta(
            int mode,
            long uid,
            long gid,
            Inode.Timestamp mtime,
            Inode.Timestamp atime,
            SortedMap<String, byte[]> xattrs) {}

    /** A regular file: one per inode, shared by its hard links; its content is entry {@code ordinal} of {@code layer}. */
    static final class FileObject {
        final int layer;
        final long ordinal;
        /** The entry name's hash, to check on the second read that the entry is still this one. */
        final int nameHash;

        final long size;
        final Meta meta;

        FileObject(int layer, long ordinal, int nameHash, long size, Meta meta) {
            this.layer = layer;
            this.ordinal = ordinal;
            this.nameHash = nameHash;
            this.size = size;
            this.meta = meta;
        }
    }

    /** One name in the tree: a directory, a regular file (a name of a {@link FileObject}) or a symlink. */
    static final class Node {
        final byte kind;
        final TreeMap<String, Node> children;
        final FileObject file;
        final String target;
        Meta meta;

        private Node(byte kind, Meta meta, FileObject file, String target) {
            this.kind = kind;
            this.meta = meta;
            this.file = file;
            this.target = target;
            this.children = kind == TarEntry.DIRECTORY ? new TreeMap<>() : null;
        }

        static Node directory(Meta meta) {
            return new Node(TarEntry.DIRECTORY, meta, null, null);
        }

        static Node file(FileObject file) {
            return new Node(TarEntry.REGULAR, file.meta, file, null);
        }

        static Node symlink(String target, Meta meta) {
            return new Node(TarEntry.SYMLINK, meta, null, target);
        }

        boolean isDirectory() {
            return kind == TarEntry.DIRECTORY;
        }
    }

    /** {@code now} dates the directories no entry describes (the root, parents made on the way). */
    public LayerIndex(SeedOwnership ownership, LayerLimits limits, Inode.Timestamp now) {
        this.ownership = ownership;
        this.limits = limits;
        this.budget = new LayerStream.Budget(limits.maxOutputBytes());
        this.now = now;
        this.root = Node.directory(implicitMeta());
    }

    /**
     * Applies the layers in order, lowest first, while up to one reader per core decompresses and parses
     * the layers ahead (headers are small; {@link #READ_AHEAD} of them wait at most per layer). Each
     * layer's digests are checked before the next one is applied.
     */
    public void applyAll(List<Layer> all) throws EngineException {
        int readers = Math.max(1, Math.min(all.size(), Runtime.getRuntime().availableProcessors()));
        ExecutorService pool = Executors.newFixedThreadPool(readers, task -> {
            Thread t = new Thread(task, "layer-reader");
            t.setDaemon(true);
            return t;
        });
        try {
            List<BlockingQueue<Item>> queues = new ArrayList<>();
            for (Layer layer : all) {
                BlockingQueue<Item> queue = new LinkedBlockingQueue<>(READ_AHEAD);
                queues.add(queue);
                // Readers start in layer order, so the one the applier waits for always has a thread.
                pool.execute(() -> read(layer, queue));
            }
            for (int i = 0; i < all.size(); i++) {
                applyQueued(all.get(i), queues.get(i));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** What a layer's reader hands over: a header, the end of the layer with its digests checked, or why it failed. */
    private sealed interface Item permits Header, End, Failed {}

    private record Header(TarEntry entry) implements Item {}

    private record End() implements Item {}

    private record Failed(Exception cause) implements Item {}

    private void read(Layer layer, BlockingQueue<Item> out) {
        try {
            Optional<LayerHeaders.Replay> recorded = layer.headers().flatMap(file -> LayerHeaders.open(file, layer));
            if (recorded.isPresent()) {
                replay(recorded.get(), layer.headers().get(), out);
            } else {
                readAndRecord(layer, out);
            }
            out.put(new End());
        } catch (InterruptedException e) {
            // the build has stopped: nobody reads this layer any more
        } catch (EngineException | IOException | RuntimeException e) {
            hand(out, new Failed(e));
        } catch (Error e) {
            // The applier waits for this layer's last item: it must get one, or it would wait forever.
            hand(out, new Failed(new IOException("reading the layer failed: " + e, e)));
            throw e;
        }
    }

    /** The headers an earlier read of this very layer recorded, in its tar's order. */
    private void replay(LayerHeaders.Replay recorded, Path file, BlockingQueue<Item> out)
            throws IOException, InterruptedException {
        try (recorded) {
            for (TarEntry e = recorded.next(); e != null; e = recorded.next()) {
                out.put(new Header(e));
            }
        } catch (IOException e) {
            // Whole by its hash yet unreadable: a record this code cannot read. The build fails (entries
            // were applied); without the record, the next one reads the layer itself.
            Files.deleteIfExists(file);
            throw e;
        }
        budget.charge(recorded.tarBytes());
        replayed.incrementAndGet();
    }

    /** Reads the layer itself, recording its headers for later builds where its store keeps them. */
    private void readAndRecord(Layer layer, BlockingQueue<Item> out)
            throws IOException, InterruptedException, EngineException {
        try (LayerStream stream = LayerStream.open(layer, budget);
                LayerHeaders.Recorder record = recorder(layer)) {
            TarReader reader = new TarReader(stream.tar());
            for (TarEntry e = reader.next(); e != null; e = reader.next()) {
                if (record != null) {
                    record.add(e);
                }
                out.put(new Header(e));
            }
            stream.finish();
            if (record != null) {
                record.commit(stream.tarBytes());
            }
        }
    }

    /** A recorder for the layer's headers, or null where none is kept or it cannot be written (a cache, not a need). */
    private static LayerHeaders.Recorder recorder(Layer layer) {
        if (layer.headers().isEmpty()) {
            return null;
        }
        try {
            return LayerHeaders.record(layer.headers().get(), layer);
        } catch (IOException e) {
            return null;
        }
    }

    private static void hand(BlockingQueue<Item> out, Item last) {
        try {
            out.put(last);
        } catch (InterruptedException stopped) {
            // the build has stopped: nobody reads this layer any more
        }
    }

    private void applyQueued(Layer layer, BlockingQueue<Item> in) throws EngineException {
        String which = "layer " + (layers + 1) + " (" + layer.digest() + ")";
        layerPaths = new HashSet<>();
        layerAncestors = new HashSet<>();
        try {
            long ordinal = 0;
            for (Item item = in.take(); !(item instanceof End); item = in.take()) {
                if (item instanceof Failed f) {
                    rethrow(f.cause());
                }
                if (++entries > limits.maxEntries()) {
                    throw new LayerStream.LimitException(
                            "the image's layers hold more than " + limits.maxEntries() + " entries");
                }
                applyEntry(((Header) item).entry(), ordinal++);
            }
            layers++;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineException(Problem.IO_ERROR, "interrupted while applying " + which, e);
        } catch (IOException e) {
            throw LayerStream.failure(which, "reading", e);
        }
    }

    private static void rethrow(Exception e) throws IOException, EngineException {
        if (e instanceof IOException io) {
            throw io;
        }
        if (e instanceof EngineException engine) {
            throw engine;
        }
        throw (RuntimeException) e;
    }

    private void applyEntry(TarEntry e, long ordinal) throws IOException {
        if (e.name() == null) {
            skip("unrepresentable name", e.displayName() + " (name is not valid UTF-8)");
            return;
        }
        List<String> parts = EntryNames.components(e.name());
        if (parts.isEmpty()) {
            if (e.isDirectory()) {
                root.meta = meta(e, "");
            }
            return;
        }
        String base = parts.get(parts.size() - 1);
        if (base.startsWith(".wh.")) {
            whiteout(parts, base);
            return;
        }
        String rel = EntryNames.join(parts);
        Node parent = parentOf(parts, true);
        Node existing = parent.children.get(base);
        switch (e.type()) {
            case TarEntry.DIRECTORY -> {
                if (existing != null && existing.isDirectory()) {
                    existing.meta = meta(e, rel);
                } else {
                    parent.children.put(base, Node.directory(meta(e, rel)));
                }
            }
            case TarEntry.REGULAR, TarEntry.REGULAR_OLD, TarEntry.CONTIGUOUS ->
                parent.children.put(
                        base, Node.file(new FileObject(layers, ordinal, e.name().hashCode(), e.size(), meta(e, rel))));
            case TarEntry.SYMLINK -> {
                if (e.linkName().isEmpty() || e.linkName().indexOf('\0') >= 0) {
                    throw new HostileEntryException("symlink '" + rel + "' has no target");
                }
                parent.children.put(base, Node.symlink(e.linkName(), meta(e, rel)));
            }
            case TarEntry.HARD_LINK -> hardLink(parts, parent, base, e, rel);
            case TarEntry.CHAR_DEVICE -> skipReplacing(parent, base, rel, "character device");
            case TarEntry.BLOCK_DEVICE -> skipReplacing(parent, base, rel, "block device");
            case TarEntry.FIFO -> skipReplacing(parent, base, rel, "fifo");
            default -> skip("unsupported tar entry type '" + (char) e.type() + "'", "/" + rel);
        }
        layerPaths.add(rel);
        for (int i = 1; i < parts.size(); i++) {
            layerAncestors.add(EntryNames.join(parts.subList(0, i)));
        }
    }

    /** What a whiteout names goes, from lower layers only (the same layer's entries stay). */
    private void whiteout(List<String> parts, String base) throws IOException {
        Node dir = parentOf(parts, false);
        String dirRel = EntryNames.join(parts.subList(0, parts.size() - 1));
        if (base.equals(OPAQUE)) {
            opaqueDirectories++;
            if (dir == null) {
                return;
            }
            dir.children.keySet().removeIf(name -> {
                String childRel = child(dirRel, name);
                return !layerPaths.contains(childRel) && !layerAncestors.contains(childRel);
            });
            return;
        }
        if (base.startsWith(".wh..wh.")) {
            return; // aufs bookkeeping (.wh..wh.plnk and the like), as runtimes ignore it
        }
        String name = base.substring(".wh.".length());
        if (name.isEmpty() || name.equals(".") || name.equals("..")) {
            throw new HostileEntryException("whiteout '" + EntryNames.join(parts) + "' names no entry");
        }
        whiteouts++;
        if (dir == null || layerPaths.contains(child(dirRel, name))) {
            return;
        }
        dir.children.remove(name);
    }

    /** A new name for a file already in the tree: it shares that file's inode, content and owner. */
    private void hardLink(List<String> parts, Node parent, String base, TarEntry e, String rel) throws IOException {
        List<String> to = EntryNames.components(e.linkName());
        if (to.isEmpty()) {
            throw new HostileEntryException("hard link '" + rel + "' points at the image's root");
        }
        if (to.equals(parts)) {
            return; // a link to itself changes nothing
        }
        Node toParent = parentOf(to, false);
        Node source = toParent == null ? null : toParent.children.get(to.get(to.size() - 1));
        if (source == null) {
            throw new HostileEntryException(
                    "hard link '" + rel + "' points at /" + EntryNames.join(to) + ", which no earlier entry made");
        }
        if (source.isDirectory()) {
            throw new HostileEntryException("hard link '" + rel + "' points at the directory /" + EntryNames.join(to));
        }
        // link(2) on Linux links a symlink itself, never what it points at: another symlink, alike.
        parent.children.put(
                base, source.file != null ? Node.file(source.file) : Node.symlink(source.target, source.meta));
    }

    private void skipReplacing(Node parent, String base, String rel, String kind) {
        parent.children.remove(base);
        skip(kind, "/" + rel);
    }

    /**
     * The directory that holds {@code parts}' last component, a real directory all the way down. Missing
     * directories are made (0755, root's) when {@code create}; otherwise a missing one gives null.
     */
    private Node parentOf(List<String> parts, boolean create) throws HostileEntryException {
        Node dir = root;
        for (int i = 0; i < parts.size() - 1; i++) {
            Node next = dir.children.get(parts.get(i));
            if (next == null) {
                if (!create) {
                    return null;
                }
                next = Node.directory(implicitMeta());
                dir.children.put(parts.get(i), next);
            } else if (next.kind == TarEntry.SYMLINK) {
                throw new HostileEntryException("entry '" + EntryNames.join(parts)
                        + "' would be written through the symlink /" + EntryNames.join(parts.subList(0, i + 1)));
            } else if (!next.isDirectory()) {
                throw new HostileEntryException("entry '" + EntryNames.join(parts) + "' lies below /"
                        + EntryNames.join(parts.subList(0, i + 1)) + ", which is not a directory");
            }
            dir = next;
        }
        return dir;
    }

    /** The entry's owner, mode and times under the seed's ownership rule; attributes it cannot keep are named. */
    private Meta meta(TarEntry e, String rel) {
        SortedMap<String, byte[]> kept = new TreeMap<>();
        if (ownership == SeedOwnership.ROOT) {
            if (!e.xattrs().isEmpty()) {
                warn("extended attributes of /" + rel + " were not copied (ownership Root)");
            }
            return new Meta(e.mode(), 0, 0, e.mtime(), e.atime(), Collections.emptySortedMap());
        }
        for (Map.Entry<String, byte[]> x : e.xattrs().entrySet()) {
            if (EntryOwner.carriable(x.getKey())) {
                kept.put(x.getKey(), x.getValue());
            } else {
                warn("extended attribute " + x.getKey() + " of /" + rel + " was not copied");
            }
        }
        return new Meta(e.mode(), e.uid(), e.gid(), e.mtime(), e.atime(), Collections.unmodifiableSortedMap(kept));
    }

    private Meta implicitMeta() {
        return new Meta(0755, 0, 0, now, now, Collections.emptySortedMap());
    }

    /**
     * Facts about the layers as a whole, for the report; {@code headersReplayed} counts the layers whose
     * headers came from an earlier read's {@link LayerHeaders} record.
     */
    public record Stats(
            int layers,
            long entries,
            long uncompressedBytes,
            int whiteouts,
            int opaqueDirectories,
            int headersReplayed) {}

    /** Facts about the layers as a whole, for the report. */
    public Stats finish() {
        return new Stats(layers, entries, budget.used(), whiteouts, opaqueDirectories, replayed.get());
    }

    /**
     * What the seed of {@code subtree} must hold and how to write it: a missing subtree gives an empty seed
     * and a warning, like a rootfs without it; one that is not a directory is refused.
     */
    public FlatImage plan(String subtree) throws EngineException {
        Node top = root;
        try {
            for (String part : EntryNames.components(subtree.replaceFirst("^/+", ""))) {
                Node next = top.children.get(part);
                if (next == null) {
                    warn("the image has no " + subtree + "; the seed is empty");
                    return FlatImage.empty(warnings(), skipped, now);
                }
                if (!next.isDirectory()) {
                    throw new EngineException(
                            Problem.INVALID_PATH,
                            "subtree " + subtree + " in the image is "
                                    + (next.kind == TarEntry.SYMLINK ? "a symlink" : "not a directory")
                                    + "; it must be a directory");
                }
                top = next;
            }
        } catch (HostileEntryException e) {
            throw new EngineException(Problem.INVALID_PATH, "subtree " + subtree + ": " + ErrorText.of(e), e);
        }
        return FlatImage.of(top, ownership, skipped, this::warn, this::warnings);
    }

    private List<String> warnings() {
        List<String> all = new ArrayList<>(warnings);
        if (droppedWarnings > 0) {
            all.add("... and " + droppedWarnings + " more warnings");
        }
        return List.copyOf(all);
    }

    private static String child(String dirRel, String name) {
        return dirRel.isEmpty() ? name : dirRel + "/" + name;
    }

    private void skip(String kind, String what) {
        skipped.merge(kind, 1, Integer::sum);
        warn("skipped " + kind + " " + what);
    }

    private void warn(String warning) {
        if (warnings.size() < MAX_WARNINGS) {
            warnings.add(warning);
        } else {
            droppedWarnings++;
        }
    }
}
