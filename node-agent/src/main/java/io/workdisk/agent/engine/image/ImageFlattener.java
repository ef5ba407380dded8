package io.workdisk.agent.engine.image;

import io.workdisk.agent.engine.EngineException;
import io.workdisk.agent.engine.Problem;
import io.workdisk.agent.engine.ext4.Inode;
import io.workdisk.agent.engine.image.StagedTree.HostileEntryException;
import io.workdisk.agent.engine.seed.EntryOwner;
import io.workdisk.agent.engine.seed.ExpectedEntry;
import io.workdisk.agent.engine.seed.Extraction;
import io.workdisk.agent.engine.seed.SeedOwnership;
import io.workdisk.agent.engine.seed.SeedPaths;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Applies an image's layers, lowest first, into a staging directory exactly as a container runtime
 * builds its root filesystem: later entries replace earlier ones (a directory over a directory merges,
 * any other pair replaces, whatever the types), {@code .wh.NAME} removes NAME from lower layers,
 * {@code .wh..wh..opq} empties its directory of what lower layers put there, hard links may point at
 * files of lower layers, every mode bit and nanosecond time is kept, device nodes and fifos are skipped
 * and counted. Owners and extended attributes are recorded rather than applied (the host would honour
 * them); the seed gets them from the fix-ups. Directory modes and times go on last, as the runtime does,
 * so adding a child in a later layer does not change its parent's recorded time.
 */
public final class ImageFlattener {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
    private static final String OPAQUE = ".wh..wh..opq";
    private static final int MAX_WARNINGS = 1000;

    private final StagedTree tree;
    private final SeedOwnership ownership;
    private final LayerLimits limits;
    private final LayerStream.Budget budget;
    private final TreeMap<String, DirMeta> dirMeta = new TreeMap<>();
    private final Map<Object, EntryOwner> owners = new HashMap<>();
    private final Map<String, Integer> skipped = new TreeMap<>();
    private final List<String> warnings = new ArrayList<>();
    private final byte[] buffer = new byte[1 << 16];
    private Set<String> layerPaths = new HashSet<>();
    private Set<String> layerAncestors = new HashSet<>();
    private long entries;
    private int whiteouts;
    private int opaqueDirectories;
    private int layers;
    private int droppedWarnings;

    private record DirMeta(int mode, FileTime mtime, FileTime atime) {}

    /** Facts about the flattening as a whole, for the report. */
    /** {@code headersReplayed}: layers whose headers came from an earlier read's {@link LayerHeaders} record. */
    public record Stats(
            int layers,
            long entries,
            long uncompressedBytes,
            int whiteouts,
            int opaqueDirectories,
            int headersReplayed) {}

    public ImageFlattener(Path root, SeedOwnership ownership, LayerLimits limits) throws IOException {
        this.tree = new StagedTree(root);
        this.ownership = ownership;
        this.limits = limits;
        this.budget = new LayerStream.Budget(limits.maxOutputBytes());
        Files.setAttribute(root, "unix:mode", 0755, NOFOLLOW);
        recordOwner(root, 0, 0, new TreeMap<>(), "");
    }

    /** Entries of the layers applied so far, for progress reports. */
    public long entriesApplied() {
        return entries;
    }

    /** Applies one layer on top of those applied so far; its digests are checked before it returns. */
    public void apply(Layer layer) throws EngineException {
        String which = "layer " + (layers + 1) + " (" + layer.digest() + ")";
        layerPaths = new HashSet<>();
        layerAncestors = new HashSet<>();
        try (LayerStream stream = LayerStream.open(layer, budget)) {
            TarReader reader = new TarReader(stream.tar());
            for (TarEntry e = reader.next(); e != null; e = reader.next()) {
                if (++entries > limits.maxEntries()) {
                    throw new LayerStream.LimitException(
                            "the image's layers hold more than " + limits.maxEntries() + " entries");
                }
                applyEntry(e, reader);
            }
            stream.finish();
            layers++;
        } catch (IOException e) {
            throw LayerStream.failure(which, "applying", e);
        }
    }

    private void applyEntry(TarEntry e, TarReader reader) throws IOException {
        if (e.name() == null) {
            skip("unrepresentable name", e.displayName() + " (name is not valid UTF-8)");
            return;
        }
        List<String> parts = StagedTree.components(e.name());
        if (parts.isEmpty()) {
            if (e.isDirectory()) {
                dirMeta.put("", meta(e));
                recordOwner(tree.root(), e.uid(), e.gid(), e.xattrs(), "");
            }
            return;
        }
        String base = parts.get(parts.size() - 1);
        if (base.startsWith(".wh.")) {
            whiteout(parts, base);
            return;
        }
        String rel = StagedTree.join(parts);
        List<Path> made = new ArrayList<>();
        Path parent = tree.parentOf(parts, true, made);
        for (Path dir : made) {
            Files.setAttribute(dir, "unix:mode", 0755, NOFOLLOW);
            recordOwner(dir, 0, 0, new TreeMap<>(), rel);
        }
        Path target = parent.resolve(base);
        BasicFileAttributes existing = StagedTree.attributes(target);
        switch (e.type()) {
            case TarEntry.DIRECTORY -> {
                if (existing != null && !existing.isDirectory()) {
                    replace(target, rel);
                    existing = null;
                }
                if (existing == null) {
                    Files.createDirectory(target);
                }
                dirMeta.put(rel, meta(e));
                recordOwner(target, e.uid(), e.gid(), e.xattrs(), rel);
            }
            case TarEntry.REGULAR, TarEntry.REGULAR_OLD, TarEntry.CONTIGUOUS -> {
                replace(target, rel);
                writeFile(target, reader.content(), e.size());
                finish(target, e, rel);
            }
            case TarEntry.SYMLINK -> {
                replace(target, rel);
                writeSymlink(target, e, rel);
            }
            case TarEntry.HARD_LINK -> hardLink(parts, target, e, rel);
            case TarEntry.CHAR_DEVICE -> skipReplacing(target, rel, "character device");
            case TarEntry.BLOCK_DEVICE -> skipReplacing(target, rel, "block device");
            case TarEntry.FIFO -> skipReplacing(target, rel, "fifo");
            default -> skip("unsupported tar entry type '" + (char) e.type() + "'", "/" + rel);
        }
        layerPaths.add(rel);
        for (int i = 1; i < parts.size(); i++) {
            layerAncestors.add(StagedTree.join(parts.subList(0, i)));
        }
    }

    /** What a whiteout names goes, from lower layers only (the same layer's entries stay). */
    private void whiteout(List<String> parts, String base) throws IOException {
        Path dir = tree.parentOf(parts, false, new ArrayList<>());
        String dirRel = StagedTree.join(parts.subList(0, parts.size() - 1));
        if (base.equals(OPAQUE)) {
            opaqueDirectories++;
            if (dir == null || !isRealDirectory(dir)) {
                return;
            }
            try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
                for (Path child : children) {
                    String childRel = child(dirRel, child.getFileName().toString());
                    if (!layerPaths.contains(childRel) && !layerAncestors.contains(childRel)) {
                        forget(childRel);
                        StagedTree.remove(child);
                    }
                }
            }
            return;
        }
        if (base.startsWith(".wh..wh.")) {
            return; // aufs bookkeeping (.wh..wh.plnk and the like), as runtimes ignore it
        }
        String name = base.substring(".wh.".length());
        if (name.isEmpty() || name.equals(".") || name.equals("..")) {
            throw new HostileEntryException("whiteout '" + StagedTree.join(parts) + "' names no entry");
        }
        whiteouts++;
        String victim = child(dirRel, name);
        if (dir == null || layerPaths.contains(victim)) {
            return;
        }
        forget(victim);
        StagedTree.remove(dir.resolve(name));
    }

    private void hardLink(List<String> parts, Path target, TarEntry e, String rel) throws IOException {
        List<String> to = StagedTree.components(e.linkName());
        if (to.isEmpty()) {
            throw new HostileEntryException("hard link '" + rel + "' points at the image's root");
        }
        if (to.equals(parts)) {
            return; // a link to itself changes nothing
        }
        Path toParent = tree.parentOf(to, false, new ArrayList<>());
        Path source = toParent == null ? null : toParent.resolve(to.get(to.size() - 1));
        BasicFileAttributes a = source == null ? null : StagedTree.attributes(source);
        if (a == null) {
            throw new HostileEntryException(
                    "hard link '" + rel + "' points at /" + StagedTree.join(to) + ", which no earlier entry made");
        }
        if (a.isDirectory()) {
            throw new HostileEntryException("hard link '" + rel + "' points at the directory /" + StagedTree.join(to));
        }
        replace(target, rel);
        // link(2) on Linux links a symlink itself, never what it points at.
        Files.createLink(target, source);
    }

    private void skipReplacing(Path target, String rel, String kind) throws IOException {
        replace(target, rel);
        skip(kind, "/" + rel);
    }

    /** Removes whatever is at {@code target} (not a directory kept for a directory: the caller decides). */
    private void replace(Path target, String rel) throws IOException {
        if (StagedTree.attributes(target) != null) {
            forget(rel);
            StagedTree.remove(target);
        }
    }

    private void writeFile(Path target, InputStream content, long size) throws IOException {
        try (FileChannel out =
                FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, NOFOLLOW)) {
            long written = 0;
            for (int n = content.read(buffer); n >= 0; n = content.read(buffer)) {
                ByteBuffer b = ByteBuffer.wrap(buffer, 0, n);
                while (b.hasRemaining()) {
                    out.write(b);
                }
                written += n;
            }
            if (written != size) {
                throw new TarReader.TarFormatException("entry data is " + written + " bytes, not the declared " + size);
            }
        }
    }

    private void writeSymlink(Path target, TarEntry e, String rel) throws IOException {
        if (e.linkName().isEmpty() || e.linkName().indexOf('\0') >= 0) {
            throw new HostileEntryException("symlink '" + rel + "' has no target");
        }
        Files.createSymbolicLink(target, Path.of(e.linkName()));
        String staged = Files.readSymbolicLink(target).toString();
        if (!staged.equals(e.linkName())) {
            warn("symlink /" + rel + " target '" + e.linkName() + "' was normalized to '" + staged + "'");
        }
        finish(target, e, rel);
    }

    /** Mode and times (not for symlinks' modes, which Linux does not keep), then the recorded owner. */
    private void finish(Path target, TarEntry e, String rel) throws IOException {
        if (e.type() != TarEntry.SYMLINK) {
            Files.setAttribute(target, "unix:mode", e.mode(), NOFOLLOW);
        }
        Files.getFileAttributeView(target, BasicFileAttributeView.class, NOFOLLOW)
                .setTimes(fileTime(e.mtime()), fileTime(e.atime()), null);
        recordOwner(target, e.uid(), e.gid(), e.xattrs(), rel);
    }

    private void recordOwner(Path target, long uid, long gid, SortedMap<String, byte[]> xattrs, String rel)
            throws IOException {
        if (ownership == SeedOwnership.ROOT) {
            if (!xattrs.isEmpty()) {
                warn("extended attributes of /" + rel + " were not copied (ownership Root)");
            }
            return;
        }
        SortedMap<String, byte[]> kept = new TreeMap<>();
        for (Map.Entry<String, byte[]> x : xattrs.entrySet()) {
            if (EntryOwner.carriable(x.getKey())) {
                kept.put(x.getKey(), x.getValue());
            } else {
                warn("extended attribute " + x.getKey() + " of /" + rel + " was not copied");
            }
        }
        owners.put(Files.getAttribute(target, "unix:ino", NOFOLLOW), EntryOwner.preserved(uid, gid, kept));
    }

    /** Drops what was recorded for a path and everything below it. */
    private void forget(String rel) {
        dirMeta.remove(rel);
        dirMeta.subMap(rel + "/", rel + "0").clear();
    }

    /** Puts the directories' recorded modes and times on, once no more entries will be written. */
    public Stats finish() throws EngineException {
        try {
            for (Map.Entry<String, DirMeta> d : dirMeta.entrySet()) {
                Path dir = locate(d.getKey());
                if (dir == null || !isRealDirectory(dir)) {
                    continue;
                }
                Files.setAttribute(dir, "unix:mode", d.getValue().mode(), NOFOLLOW);
                Files.getFileAttributeView(dir, BasicFileAttributeView.class, NOFOLLOW)
                        .setTimes(d.getValue().mtime(), d.getValue().atime(), null);
            }
        } catch (IOException e) {
            throw new EngineException(Problem.IO_ERROR, "cannot finish the flattened image: " + e, e);
        }
        return new Stats(layers, entries, budget.used(), whiteouts, opaqueDirectories, 0);
    }

    /**
     * What the seed must hold: every entry below {@code subtree} of the flattened image, as staged, with
     * its recorded owner. A missing subtree gives an empty seed and a warning, like a rootfs without it.
     */
    public Extraction describe(String subtree) throws EngineException {
        try {
            Path top = tree.root();
            for (String part : StagedTree.components(subtree.replaceFirst("^/+", ""))) {
                top = top.resolve(part);
                BasicFileAttributes a = StagedTree.attributes(top);
                if (a == null) {
                    return emptyExtraction("the image has no " + subtree + "; the seed is empty");
                }
                if (!a.isDirectory()) {
                    throw new EngineException(
                            Problem.INVALID_PATH,
                            "subtree " + subtree + " in the image is "
                                    + (a.isSymbolicLink() ? "a symlink" : "not a directory")
                                    + "; it must be a directory");
                }
            }
            return new Walk(top).run();
        } catch (IOException e) {
            throw new EngineException(Problem.IO_ERROR, "cannot read the flattened image: " + e, e);
        }
    }

    /** The directory mkfs reads for {@code subtree}. */
    public Path treeOf(String subtree) throws HostileEntryException {
        Path top = tree.root();
        for (String part : StagedTree.components(subtree.replaceFirst("^/+", ""))) {
            top = top.resolve(part);
        }
        return top;
    }

    private Extraction emptyExtraction(String warning) {
        Inode.Timestamp now = new Inode.Timestamp(Instant.now().getEpochSecond(), 0);
        List<String> all = new ArrayList<>(warnings);
        all.add(warning);
        return new Extraction(
                List.of(ExpectedEntry.rootOwned("", Inode.S_IFDIR | 0700, now, now, null)),
                0,
                0,
                0,
                0,
                0,
                0,
                Map.copyOf(skipped),
                List.copyOf(all));
    }

    /** Walks the staged subtree, never following a link, into the entries the seed must hold. */
    private final class Walk extends SimpleFileVisitor<Path> {
        private final Path top;
        private final List<ExpectedEntry> expected = new ArrayList<>();
        private final Set<Object> seenInodes = new HashSet<>();
        private long payloadBytes;
        private long metadataBytes;
        private int files;
        private int directories;
        private int symlinks;
        private int hardLinks;

        Walk(Path top) {
            this.top = top;
        }

        Extraction run() throws IOException {
            Files.walkFileTree(top, this);
            List<String> all = new ArrayList<>(warnings);
            if (droppedWarnings > 0) {
                all.add("... and " + droppedWarnings + " more warnings");
            }
            return new Extraction(
                    List.copyOf(expected),
                    payloadBytes,
                    metadataBytes,
                    files,
                    directories,
                    symlinks,
                    hardLinks,
                    Map.copyOf(skipped),
                    List.copyOf(all));
        }

        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
            String rel = top.relativize(dir).toString();
            if (rel.equals("lost+found")) {
                warn("/lost+found of the image was left out: the seed has its own");
                return FileVisitResult.SKIP_SUBTREE;
            }
            if (!rel.isEmpty()) {
                directories++;
            }
            metadataBytes += attrs.size();
            add(dir, rel, null);
            return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
            String rel = top.relativize(file).toString();
            if (attrs.isSymbolicLink()) {
                symlinks++;
                if (attrs.size() >= 60) {
                    metadataBytes += attrs.size();
                }
                add(file, rel, Files.readSymbolicLink(file).toString().getBytes(StandardCharsets.UTF_8));
            } else if (attrs.isRegularFile()) {
                int links = ((Number) Files.getAttribute(file, "unix:nlink", NOFOLLOW)).intValue();
                if (links > 1 && !seenInodes.add(Files.getAttribute(file, "unix:ino", NOFOLLOW))) {
                    hardLinks++;
                    return FileVisitResult.CONTINUE;
                }
                files++;
                payloadBytes += attrs.size();
                add(file, rel, null);
            }
            return FileVisitResult.CONTINUE;
        }

        private void add(Path p, String rel, byte[] symlinkTarget) throws IOException {
            Map<String, Object> a = Files.readAttributes(p, "unix:mode,ino,lastModifiedTime,lastAccessTime", NOFOLLOW);
            EntryOwner owner = ownership == SeedOwnership.ROOT
                    ? EntryOwner.root()
                    : owners.getOrDefault(a.get("ino"), EntryOwner.preserved(0, 0, new TreeMap<>()));
            expected.add(new ExpectedEntry(
                    SeedPaths.key(rel.getBytes(StandardCharsets.UTF_8)),
                    (Integer) a.get("mode"),
                    timestamp((FileTime) a.get("lastModifiedTime")),
                    timestamp((FileTime) a.get("lastAccessTime")),
                    symlinkTarget,
                    owner));
        }
    }

    /** Where an entry recorded by path is now, reached through real directories only; null if gone. */
    private Path locate(String rel) throws IOException {
        List<String> parts = StagedTree.components(rel);
        if (parts.isEmpty()) {
            return tree.root();
        }
        Path parent = tree.parentOf(parts, false, new ArrayList<>());
        return parent == null ? null : parent.resolve(parts.get(parts.size() - 1));
    }

    private boolean isRealDirectory(Path p) throws IOException {
        BasicFileAttributes a = StagedTree.attributes(p);
        return a != null && a.isDirectory();
    }

    private static String child(String dirRel, String name) {
        return dirRel.isEmpty() ? name : dirRel + "/" + name;
    }

    private static DirMeta meta(TarEntry e) {
        return new DirMeta(e.mode(), fileTime(e.mtime()), fileTime(e.atime()));
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

    private static FileTime fileTime(Inode.Timestamp t) {
        return FileTime.from(Instant.ofEpochSecond(t.seconds(), t.nanos()));
    }

    private static Inode.Timestamp timestamp(FileTime t) {
        Instant i = t.toInstant();
        return new Inode.Timestamp(i.getEpochSecond(), i.getNano());
    }
}
