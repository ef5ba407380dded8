package io.workdisk.agent.engine.image;

import io.workdisk.agent.engine.ext4.Inode;
import io.workdisk.agent.engine.image.EntryNames.HostileEntryException;
import io.workdisk.agent.engine.seed.EntryOwner;
import io.workdisk.agent.engine.seed.SeedOwnership;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.ErrorText;
import io.workdisk.agent.engine.shared.Problem;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;

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
    private int replayed;

    private final ExecutorService readers;

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

    /**
     * {@code now} dates the directories no entry describes (the root, parents made on the way); {@code
     * readers} is the node's pool of layer-reading threads ({@link LayerReaders#pool}).
     */
    public LayerIndex(SeedOwnership ownership, LayerLimits limits, Inode.Timestamp now, ExecutorService readers) {
        this.readers = readers;
        this.ownership = ownership;
        this.limits = limits;
        this.budget = new LayerStream.Budget(limits.maxOutputBytes());
        this.now = now;
        this.root = Node.directory(implicitMeta());
    }

    /**
     * Applies the layers in order, lowest first, while the reader pool decompresses and parses the layers
     * ahead ({@link LayerReaders}). Each layer's digests are checked before the next one is applied.
     */
    public void applyAll(List<Layer> all) throws EngineException {
        try (LayerReaders reading = LayerReaders.start(readers, all, budget)) {
            for (int i = 0; i < all.size(); i++) {
                apply(all.get(i), reading, i);
            }
            replayed = reading.replayed();
        }
    }

    private void apply(Layer layer, LayerReaders reading, int index) throws EngineException {
        String which = "layer " + (layers + 1) + " (" + layer.digest() + ")";
        layerPaths = new HashSet<>();
        layerAncestors = new HashSet<>();
        try {
            long ordinal = 0;
            for (TarEntry e = reading.next(index); e != null; e = reading.next(index)) {
                if (++entries > limits.maxEntries()) {
                    throw new LayerStream.LimitException(
                            "the image's layers hold more than " + limits.maxEntries() + " entries");
                }
                applyEntry(e, ordinal++);
            }
            layers++;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineException(Problem.IO_ERROR, "interrupted while applying " + which, e);
        } catch (IOException e) {
            throw LayerStream.failure(which, "reading", e);
        }
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
        return new Stats(layers, entries, budget.used(), whiteouts, opaqueDirectories, replayed);
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
