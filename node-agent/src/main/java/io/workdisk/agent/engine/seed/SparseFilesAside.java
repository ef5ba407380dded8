package io.workdisk.agent.engine.seed;

import io.workdisk.agent.engine.ext4.Inode;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Keeps mostly-hole files out of the tar streamed into mke2fs. mke2fs's tar reader gets a file's holes from
 * libarchive as zeros and compares every block of them with zero before it skips it, so a 64 MiB file of
 * a few blocks costs it 64 MiB of reading. Such a file's data runs go instead into a sparse file in the
 * private staging directory (its holes cost nothing there), and debugfs {@code write} adds it to the seed
 * after mkfs: it copies only the data (SEEK_DATA/SEEK_HOLE) and sets the exact size, holes at the end
 * included. The fix-ups then give it its mode, owner, times and attributes as for any other entry.
 *
 * <p>Only a file with one name whose every path component debugfs's command parser passes unchanged is
 * taken; any other stays in the tar, which is exact too, only slower.
 */
final class SparseFilesAside {
    /** Holes worth a debugfs write: below this, reading them as zeros costs mke2fs less than it saves. */
    static final long MIN_HOLE_BYTES = 1L << 20;

    private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z0-9_+,.@%=:][A-Za-z0-9_+,.@%=:-]*");

    private final Path directory;
    private final List<String> commands = new ArrayList<>();
    private int count;

    /** Files put aside go into {@code directory}, which must be private to this build. */
    SparseFilesAside(Path directory) {
        this.directory = directory;
    }

    /** Whether the file at {@code path}, with {@code dataBytes} of data, is better written by debugfs. */
    static boolean takes(byte[] path, Inode inode, long dataBytes) {
        long holes = inode.size() - dataBytes;
        return inode.linksCount() == 1 && holes >= MIN_HOLE_BYTES && dataBytes <= holes && plainPath(path);
    }

    /** Copies the file's data ({@code spans}) into a new sparse file here and notes the debugfs commands that add it. */
    void put(byte[] path, Inode inode, FileSpans spans) throws IOException {
        Path host = directory.resolve("sparse-" + count++);
        // the rootfs's data, readable by the agent alone until debugfs has copied it
        try (FileChannel out = FileChannel.open(
                host,
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            spans.copyInto(out);
        }
        try (RandomAccessFile file = new RandomAccessFile(host.toFile(), "rw")) {
            file.setLength(inode.size()); // a hole at the end, without writing a byte
        }
        String p = new String(path, StandardCharsets.US_ASCII);
        int slash = p.lastIndexOf('/');
        commands.add("cd /" + (slash < 0 ? "" : p.substring(0, slash)));
        commands.add("write \"" + host + "\" " + p.substring(slash + 1));
    }

    /** The debugfs commands that add every file put aside, in the order they were put. */
    List<String> commands() {
        return List.copyOf(commands);
    }

    private static boolean plainPath(byte[] path) {
        for (String part : new String(path, StandardCharsets.ISO_8859_1).split("/")) {
            if (!PLAIN_NAME.matcher(part).matches() || part.equals(".") || part.equals("..")) {
                return false;
            }
        }
        return true;
    }
}
