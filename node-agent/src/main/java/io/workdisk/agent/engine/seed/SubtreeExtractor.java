package io.workdisk.agent.engine.seed;

import io.workdisk.agent.engine.EngineException;
import io.workdisk.agent.engine.ext4.DataRun;
import io.workdisk.agent.engine.ext4.DirEntry;
import io.workdisk.agent.engine.ext4.Ext4FormatException;
import io.workdisk.agent.engine.ext4.Ext4Image;
import io.workdisk.agent.engine.ext4.Inode;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
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
 * Copies a directory of an ext4 image into a staging directory, entry by entry, in user space: full mode
 * bits, symlinks as symlinks (never followed), hard links as links, file data run by run so holes stay
 * holes and no file is ever held in memory. Device nodes, fifos and sockets are skipped and counted.
 * Every name comes from untrusted metadata and every staged path is created fresh (O_EXCL), so nothing
 * in the image can make a write land outside the stage.
 */
public final class SubtreeExtractor {
    private static final int MAX_DEPTH = 1024;

    private final Ext4Image image;
    private final Path stageRoot;
    private final SeedOwnership ownership;
    private final int blockSize;
    private final List<ExpectedEntry> entries = new ArrayList<>();
    private final Map<Long, Path> linkedFiles = new HashMap<>();
    private final Set<Long> visitedDirectories = new HashSet<>();
    private final Map<String, Integer> skipped = new TreeMap<>();
    private final List<String> warnings = new ArrayList<>();
    private long payloadBytes;
    private long metadataBytes;
    private int files;
    private int directories;
    private int symlinks;
    private int hardLinks;

    private SubtreeExtractor(Ext4Image image, Path stageRoot, SeedOwnership ownership) {
        this.image = image;
        this.stageRoot = stageRoot;
        this.ownership = ownership;
        this.blockSize = image.superblock().blockSize();
    }

    /** Extracts the directory {@code root} of {@code image} into the existing, empty {@code stageRoot}. */
    public static Extraction extract(Ext4Image image, Inode root, Path stageRoot, SeedOwnership ownership)
            throws IOException, EngineException {
        SubtreeExtractor x = new SubtreeExtractor(image, stageRoot, ownership);
        x.visitedDirectories.add(root.number());
        x.entries.add(new ExpectedEntry("", root.mode(), root.mtime(), root.atime(), null, x.owner(root, "")));
        x.copyChildren(root, stageRoot, "", 1);
        return x.result();
    }

    /** The seed for a rootfs that lacks the subtree: an empty root directory owned by root. */
    public static Extraction empty(String warning) {
        Inode.Timestamp now = new Inode.Timestamp(Instant.now().getEpochSecond(), 0);
        return new Extraction(
                List.of(ExpectedEntry.rootOwned("", Inode.S_IFDIR | 0700, now, now, null)),
                0,
                0,
                0,
                0,
                0,
                0,
                Map.of(),
                List.of(warning));
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

    private void copyChildren(Inode dir, Path stageDir, String relDir, int depth) throws IOException, EngineException {
        if (depth > MAX_DEPTH) {
            throw new Ext4FormatException("directory nesting deeper than " + MAX_DEPTH + " levels at /" + relDir);
        }
        Set<String> seen = new HashSet<>();
        for (DirEntry entry : image.list(dir)) {
            byte[] rawName = entry.name();
            checkName(rawName, relDir);
            String name = decode(rawName);
            if (name == null) {
                skip("unrepresentable name", "/" + relDir + escaped(rawName) + " (name is not valid UTF-8)");
                continue;
            }
            if (!seen.add(name)) {
                throw new Ext4FormatException("directory /" + relDir + " lists '" + name + "' twice");
            }
            if (depth == 1 && name.equals("lost+found")) {
                continue;
            }
            String rel = relDir + name;
            copyEntry(image.inode(entry.inode()), stageDir.resolve(name), rel, depth);
        }
        metadataBytes += dir.size();
    }

    private void copyEntry(Inode inode, Path target, String rel, int depth) throws IOException, EngineException {
        switch (inode.type()) {
            case Inode.S_IFDIR -> {
                if (!visitedDirectories.add(inode.number())) {
                    throw new Ext4FormatException(
                            "directory /" + rel + " loops back to an ancestor (inode " + inode.number() + ")");
                }
                Files.createDirectory(target);
                directories++;
                copyChildren(inode, target, rel + "/", depth + 1);
                finish(inode, target, rel, null);
            }
            case Inode.S_IFREG -> copyFile(inode, target, rel);
            case Inode.S_IFLNK -> copySymlink(inode, target, rel);
            case 0x2000 -> skip("character device", "/" + rel);
            case 0x6000 -> skip("block device", "/" + rel);
            case 0x1000 -> skip("fifo", "/" + rel);
            case 0xC000 -> skip("socket", "/" + rel);
            default -> skip("unknown type", "/" + rel);
        }
    }

    private void copyFile(Inode inode, Path target, String rel) throws IOException, EngineException {
        if (inode.linksCount() > 1) {
            Path first = linkedFiles.get(inode.number());
            if (first != null) {
                Files.createLink(target, first);
                hardLinks++;
                return;
            }
            linkedFiles.put(inode.number(), target);
        }
        Files.createFile(target);
        try (RandomAccessFile file = new RandomAccessFile(target.toFile(), "rw")) {
            FileChannel out = file.getChannel();
            if (inode.hasInlineData()) {
                byte[] data = image.inlineData(inode);
                out.write(ByteBuffer.wrap(data), 0);
                payloadBytes += data.length;
            } else {
                for (DataRun run : image.dataRuns(inode)) {
                    if (run.initialized()) {
                        copyRun(run, inode.size(), out);
                    }
                }
            }
            // Extending to the full size leaves every unwritten range a hole, as it was in the image.
            file.setLength(inode.size());
        }
        files++;
        finish(inode, target, rel, null);
    }

    private void copyRun(DataRun run, long fileSize, FileChannel out) throws IOException {
        long offset = run.logicalBlock() * blockSize;
        long length = Math.min(run.blocks() * blockSize, fileSize - offset);
        long source = run.physicalBlock() * blockSize;
        long done = 0;
        while (done < length) {
            long n = image.channel().transferTo(source + done, length - done, out.position(offset + done));
            if (n <= 0) {
                throw new Ext4FormatException("file data ends early at image offset " + (source + done));
            }
            done += n;
        }
        payloadBytes += length;
    }

    private void copySymlink(Inode inode, Path target, String rel) throws IOException, EngineException {
        byte[] raw = image.symlinkTarget(inode);
        String decoded = decode(raw);
        if (decoded == null || decoded.indexOf('\0') >= 0) {
            skip("unrepresentable symlink", "/" + rel + " (target is not valid UTF-8)");
            return;
        }
        Files.createSymbolicLink(target, Path.of(decoded));
        byte[] staged = Files.readSymbolicLink(target).toString().getBytes(StandardCharsets.UTF_8);
        if (!Arrays.equals(staged, raw)) {
            warnings.add("symlink /" + rel + " target '" + decoded + "' was normalized to '"
                    + new String(staged, StandardCharsets.UTF_8) + "'");
        }
        symlinks++;
        if (inode.size() >= 60) {
            metadataBytes += inode.size();
        }
        finish(inode, target, rel, staged);
    }

    /** Permissions and times go on last: a directory's times change while its children are written. */
    private void finish(Inode inode, Path target, String rel, byte[] symlinkTarget) throws IOException {
        if (!inode.isSymlink()) {
            Files.setAttribute(target, "unix:mode", inode.permissions(), LinkOption.NOFOLLOW_LINKS);
        }
        Files.getFileAttributeView(target, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setTimes(fileTime(inode.mtime()), fileTime(inode.atime()), null);
        entries.add(
                new ExpectedEntry(rel, inode.mode(), inode.mtime(), inode.atime(), symlinkTarget, owner(inode, rel)));
    }

    /**
     * The entry's owner under the seed's rule. With ROOT, attributes are dropped and said so (for regular
     * files, as before); with PRESERVE, those a seed can hold are kept and the rest are named.
     */
    private EntryOwner owner(Inode inode, String rel) throws IOException {
        if (ownership == SeedOwnership.ROOT) {
            if (inode.isRegular() && image.hasUserVisibleXattrs(inode)) {
                warnings.add("extended attributes of /" + rel + " were not copied");
            }
            return EntryOwner.root();
        }
        SortedMap<String, byte[]> kept = new TreeMap<>();
        for (Map.Entry<String, byte[]> x : image.xattrs(inode).entrySet()) {
            if (EntryOwner.carriable(x.getKey())) {
                kept.put(x.getKey(), x.getValue());
            } else {
                warnings.add("extended attribute " + x.getKey() + " of /" + rel + " was not copied");
            }
        }
        return EntryOwner.preserved(inode.uid(), inode.gid(), kept);
    }

    private void skip(String kind, String what) {
        skipped.merge(kind, 1, Integer::sum);
        warnings.add("skipped " + kind + " " + what);
    }

    private static void checkName(byte[] name, String relDir) throws Ext4FormatException {
        for (byte c : name) {
            if (c == '/' || c == 0) {
                throw new Ext4FormatException("directory /" + relDir + " holds a name containing '/' or NUL");
            }
        }
    }

    private static String decode(byte[] raw) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static String escaped(byte[] raw) {
        StringBuilder sb = new StringBuilder();
        for (byte b : raw) {
            int c = b & 0xFF;
            sb.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        return sb.toString();
    }

    private static FileTime fileTime(Inode.Timestamp t) {
        return FileTime.from(Instant.ofEpochSecond(t.seconds(), t.nanos()));
    }
}
