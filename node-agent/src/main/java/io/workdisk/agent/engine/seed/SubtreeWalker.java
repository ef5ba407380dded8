package io.workdisk.agent.engine.seed;

import io.workdisk.agent.engine.ext4.DirEntry;
import io.workdisk.agent.engine.ext4.Ext4FormatException;
import io.workdisk.agent.engine.ext4.Ext4Image;
import io.workdisk.agent.engine.ext4.Inode;
import io.workdisk.agent.engine.shared.EngineException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Reads a directory of an ext4 image entry by entry, in user space, and hands each entry to a
 * {@link SeedSink}: full mode bits, symlinks as symlinks (never followed), hard links as links, file data
 * run by run. Device nodes, fifos and sockets are skipped and counted, as is whatever the sink cannot
 * represent. Every name comes from untrusted metadata: names with '/' or NUL, duplicate names, loops and
 * absurd nesting are refused as a corrupt image.
 */
public final class SubtreeWalker {
    private static final int MAX_DEPTH = 1024;
    private static final byte[] LOST_FOUND = "lost+found".getBytes(StandardCharsets.US_ASCII);

    private final Ext4Image image;
    private final SeedSink sink;
    private final SeedOwnership ownership;
    /** Owners of files with more than one name, so a file's attributes are read and reported once. */
    private final Map<Long, EntryOwner> linkedOwners = new HashMap<>();

    private final List<ExpectedEntry> entries = new ArrayList<>();
    private final Map<Long, byte[]> linkedFiles = new HashMap<>();
    private final Set<Long> visitedDirectories = new HashSet<>();
    private final Map<String, Integer> skipped = new TreeMap<>();
    private final List<String> warnings = new ArrayList<>();
    private long payloadBytes;
    private long metadataBytes;
    private int files;
    private int directories;
    private int symlinks;
    private int hardLinks;

    private SubtreeWalker(Ext4Image image, SeedSink sink, SeedOwnership ownership) {
        this.image = image;
        this.sink = sink;
        this.ownership = ownership;
    }

    /** Walks the directory {@code root} of {@code image} into {@code sink}. */
    static Extraction walk(Ext4Image image, Inode root, SeedSink sink, SeedOwnership ownership)
            throws IOException, EngineException {
        SubtreeWalker w = new SubtreeWalker(image, sink, ownership);
        w.visitedDirectories.add(root.number());
        ExpectedEntry top = ExpectedEntry.of("", root, w.owner(root, new byte[0]), null);
        sink.startDirectory(new byte[0], root, top);
        w.walkChildren(root, new byte[0], 1);
        sink.endDirectory(new byte[0], root, top);
        w.entries.add(top);
        sink.finish();
        return w.result();
    }

    /** The seed for a rootfs that lacks the subtree: an empty root directory owned by root, dated {@code at}. */
    public static Extraction empty(String warning, Instant at) {
        return Extraction.emptySeed(new Inode.Timestamp(at.getEpochSecond(), 0), Map.of(), List.of(warning));
    }

    private Extraction result() {
        return new Extraction(
                List.copyOf(entries),
                payloadBytes,
                metadataBytes,
                files,
                directories,
                symlinks,
                hardLinks,
                Map.copyOf(skipped),
                List.copyOf(warnings));
    }

    private void walkChildren(Inode dir, byte[] dirPath, int depth) throws IOException, EngineException {
        if (depth > MAX_DEPTH) {
            throw new Ext4FormatException(
                    "directory nesting deeper than " + MAX_DEPTH + " levels at /" + SeedPaths.printable(dirPath));
        }
        Set<String> seen = new HashSet<>();
        for (DirEntry entry : image.list(dir)) {
            byte[] name = entry.name();
            checkName(name, dirPath);
            byte[] path = child(dirPath, name);
            if (!seen.add(SeedPaths.key(name))) {
                throw new Ext4FormatException("directory /" + SeedPaths.printable(dirPath) + " lists '"
                        + SeedPaths.printable(name) + "' twice");
            }
            if (depth == 1 && Arrays.equals(name, LOST_FOUND)) {
                continue;
            }
            String refused = sink.refusesName(name);
            if (refused != null) {
                skip("unrepresentable name", "/" + SeedPaths.printable(path) + " (" + refused + ")");
                continue;
            }
            walkEntry(image.inode(entry.inode()), path, depth);
        }
        metadataBytes += dir.size();
    }

    private static byte[] child(byte[] dirPath, byte[] name) {
        if (dirPath.length == 0) {
            return name.clone();
        }
        byte[] path = Arrays.copyOf(dirPath, dirPath.length + 1 + name.length);
        path[dirPath.length] = '/';
        System.arraycopy(name, 0, path, dirPath.length + 1, name.length);
        return path;
    }

    private void walkEntry(Inode inode, byte[] path, int depth) throws IOException, EngineException {
        String shown = "/" + SeedPaths.printable(path);
        switch (inode.type()) {
            case Inode.S_IFDIR -> {
                if (!visitedDirectories.add(inode.number())) {
                    throw new Ext4FormatException(
                            "directory " + shown + " loops back to an ancestor (inode " + inode.number() + ")");
                }
                ExpectedEntry entry = ExpectedEntry.of(SeedPaths.key(path), inode, owner(inode, path), null);
                sink.startDirectory(path, inode, entry);
                directories++;
                walkChildren(inode, path, depth + 1);
                sink.endDirectory(path, inode, entry);
                entries.add(entry);
            }
            case Inode.S_IFREG -> walkFile(inode, path);
            case Inode.S_IFLNK -> walkSymlink(inode, path);
            case 0x2000 -> skip("character device", shown);
            case 0x6000 -> skip("block device", shown);
            case 0x1000 -> skip("fifo", shown);
            case 0xC000 -> skip("socket", shown);
            default -> skip("unknown type", shown);
        }
    }

    private void walkFile(Inode inode, byte[] path) throws IOException {
        ExpectedEntry entry = ExpectedEntry.of(SeedPaths.key(path), inode, owner(inode, path), null);
        if (inode.linksCount() > 1) {
            byte[] first = linkedFiles.get(inode.number());
            if (first != null) {
                sink.hardLink(path, first, inode, entry);
                hardLinks++;
                entries.add(entry);
                return;
            }
            linkedFiles.put(inode.number(), path);
        }
        // What the sink cannot carry to mkfs, the fix-ups set afterwards.
        List<Ext4Image.Xattr> carried = new ArrayList<>();
        for (Map.Entry<String, byte[]> x : entry.owner().xattrs().entrySet()) {
            if (sink.keepsXattr(x.getKey())) {
                carried.add(new Ext4Image.Xattr(x.getKey(), x.getValue()));
            }
        }
        payloadBytes += sink.file(path, inode, entry, carried);
        files++;
        entries.add(entry);
    }

    private void walkSymlink(Inode inode, byte[] path) throws IOException {
        byte[] raw = image.symlinkTarget(inode);
        EntryOwner owner = owner(inode, path);
        ExpectedEntry asRead = ExpectedEntry.of(SeedPaths.key(path), inode, owner, raw);
        byte[] stored = sink.symlink(path, raw, inode, asRead);
        if (stored == null) {
            skip("unrepresentable symlink", "/" + SeedPaths.printable(path) + " (target is not valid UTF-8)");
            return;
        }
        if (!Arrays.equals(stored, raw)) {
            warnings.add("symlink /" + SeedPaths.printable(path) + " target '" + SeedPaths.printable(raw)
                    + "' was normalized to '" + SeedPaths.printable(stored) + "'");
        }
        symlinks++;
        if (inode.size() >= 60) {
            metadataBytes += inode.size();
        }
        entries.add(ExpectedEntry.of(SeedPaths.key(path), inode, owner, stored));
    }

    /**
     * The entry's owner under the seed's rule. ROOT: 0:0 and no attributes, a regular file's dropped ones
     * named. PRESERVE: uid, gid and every attribute a seed can hold (user, trusted, security, with its value
     * in the inode or its block); the rest are named.
     */
    private EntryOwner owner(Inode inode, byte[] path) throws IOException {
        if (inode.isRegular() && inode.linksCount() > 1) {
            EntryOwner known = linkedOwners.get(inode.number());
            if (known != null) {
                return known;
            }
        }
        List<String> dropped = new ArrayList<>();
        EntryOwner owner;
        if (ownership == SeedOwnership.ROOT) {
            if (inode.isRegular()) {
                image.xattrs(inode).forEach(x -> dropped.add(x.name()));
            }
            owner = EntryOwner.root();
        } else {
            SortedMap<String, byte[]> kept = new TreeMap<>();
            for (Ext4Image.Xattr x : image.xattrs(inode)) {
                if (x.value() != null && EntryOwner.carriable(x.name())) {
                    kept.put(x.name(), x.value());
                } else {
                    dropped.add(x.name());
                }
            }
            owner = EntryOwner.preserved(inode.uid(), inode.gid(), kept);
        }
        if (!dropped.isEmpty()) {
            warnings.add("extended attributes of /" + SeedPaths.printable(path) + " were not copied: "
                    + String.join(", ", dropped));
        }
        if (inode.isRegular() && inode.linksCount() > 1) {
            linkedOwners.put(inode.number(), owner);
        }
        return owner;
    }

    private void skip(String kind, String what) {
        skipped.merge(kind, 1, Integer::sum);
        warnings.add("skipped " + kind + " " + what);
    }

    private static void checkName(byte[] name, byte[] dirPath) throws Ext4FormatException {
        for (byte c : name) {
            if (c == '/' || c == 0) {
                throw new Ext4FormatException(
                        "directory /" + SeedPaths.printable(dirPath) + " holds a name containing '/' or NUL");
            }
        }
    }
}
