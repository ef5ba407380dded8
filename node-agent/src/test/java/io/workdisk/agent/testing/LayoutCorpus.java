package io.workdisk.agent.testing;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The ways files get into a filesystem, beyond what a tree of ordinary files exercises: made by
 * {@code fallocate} (all of it, past the end, a punched hole, a zeroed range), grown by {@code truncate}
 * beyond their data, written after a seek past the end, empty, exactly the 60 bytes of an inode's block
 * area and one more, as large as an inline inode holds, symlinks on both sides of the fast-link limit,
 * directories with few entries (inline, where the filesystem has {@code inline_data}) and with many. The
 * same calls write it into a host directory for {@code mke2fs -d} and into a mounted image for the kernel.
 */
public final class LayoutCorpus {
    /** Files {@code fallocate} made: mke2fs stores such a file on an inline_data filesystem as an inline inode. */
    public static final long FALLOCATED_SIZE = 8L << 20;

    public static final int MANY_ENTRIES = 300;

    /** Data blocks of the fragmented file, each with a hole after it: more extents than an inode holds. */
    public static final int FRAGMENTS = 300;

    private LayoutCorpus() {}

    /** Writes the corpus under {@code root} (created), with fixed times, children before their directories. */
    public static void write(Path root) throws IOException {
        Files.createDirectories(root);
        fallocate(root.resolve("fallocated"), FALLOCATED_SIZE, "-l", Long.toString(FALLOCATED_SIZE));
        fallocate(root.resolve("fallocated-one-block"), 4096, "-l", "4096");
        bytes(root.resolve("truncated-beyond-data"), text("data before a long hole\n"));
        setLength(root.resolve("truncated-beyond-data"), 3L << 20);
        try (RandomAccessFile f =
                new RandomAccessFile(root.resolve("seek-past-end").toFile(), "rw")) {
            f.seek(2L << 20);
            f.write(text("after a hole at the start"));
        }
        try (RandomAccessFile f =
                new RandomAccessFile(root.resolve("seek-inline-size").toFile(), "rw")) {
            f.seek(100); // a hole smaller than a block, then data: stays inline where it fits
            f.write(text("x"));
        }
        bytes(root.resolve("empty"), new byte[0]);
        bytes(root.resolve("exactly-60"), filled(60, 'a'));
        bytes(root.resolve("exactly-61"), filled(61, 'b'));
        bytes(root.resolve("inline-full-150"), filled(150, 'c'));
        bytes(root.resolve("zeros-written"), new byte[8192]);
        bytes(root.resolve("kept-size-preallocated"), text("ten bytes!"));
        fallocate(root.resolve("kept-size-preallocated"), -1, "-n", "-o", "0", "-l", "1M");
        bytes(root.resolve("punched"), filled(3 * 4096, 'p'));
        fallocate(root.resolve("punched"), -1, "-p", "-o", "4096", "-l", "4096");
        bytes(root.resolve("zero-range"), filled(3 * 4096, 'z'));
        fallocate(root.resolve("zero-range"), -1, "-z", "-o", "4096", "-l", "4096");

        try (RandomAccessFile f =
                new RandomAccessFile(root.resolve("fragmented").toFile(), "rw")) {
            for (int block = 0; block < FRAGMENTS * 2; block += 2) { // data, hole, data, ...: an extent tree of depth 1
                f.seek(block * 4096L);
                f.write(filled(4096, (char) ('A' + block % 26)));
            }
        }
        try (RandomAccessFile f = new RandomAccessFile(root.resolve("far-data").toFile(), "rw")) {
            f.seek(70L << 20); // past what direct and single indirect blocks map: a double indirect block
            f.write(text("far"));
        }
        // an attribute beside inline data in the inode's space, or in a block of its own where it does not fit
        Files.getFileAttributeView(root.resolve("inline-full-150"), UserDefinedFileAttributeView.class)
                .write("user.note", ByteBuffer.wrap(filled(40, 'n')));
        Path few = Files.createDirectory(root.resolve("few-entries"));
        bytes(few.resolve("one"), text("1\n"));
        bytes(few.resolve("two"), text("2\n"));
        Path many = Files.createDirectory(root.resolve("many-entries"));
        for (int i = 0; i < MANY_ENTRIES; i++) {
            bytes(many.resolve("entry-with-a-longish-name-" + i), text(i + "\n"));
        }
        Files.createDirectory(root.resolve("empty-dir"));
        for (int length : new int[] {59, 60, 61, 200}) {
            Files.createSymbolicLink(root.resolve("link-" + length), Path.of("t".repeat(length)));
        }
        Files.createLink(root.resolve("second-name"), root.resolve("exactly-61"));

        stampTimes(root);
    }

    /**
     * {@code fallocate ARGS FILE}. A filesystem without extents cannot allocate ahead (the kernel says "not
     * supported"): there the file gets the same content another way, zeros written where the range was to
     * be zeroed or punched, or a sparse file of {@code newSize} when {@code newSize >= 0}.
     */
    private static void fallocate(Path file, long newSize, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("fallocate"));
        cmd.addAll(List.of(args));
        cmd.add(file.toString());
        Shell.Result r = Shell.run(cmd);
        if (r.exitCode() == 0) {
            return;
        }
        if (!r.stderr().contains("not supported") && !r.stderr().contains("unsupported")) {
            throw new AssertionError(String.join(" ", cmd) + " failed: " + r.stderr());
        }
        if (newSize >= 0) {
            setLength(file, newSize);
            return;
        }
        List<String> range = List.of(args);
        if (range.contains("-n")) {
            return; // blocks past the end only: the content does not change
        }
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(Long.parseLong(range.get(range.indexOf("-o") + 1)));
            f.write(new byte[Integer.parseInt(range.get(range.indexOf("-l") + 1))]);
        }
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] filled(int length, char c) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) c);
        return b;
    }

    private static void bytes(Path file, byte[] content) throws IOException {
        Files.write(file, content);
    }

    private static void setLength(Path file, long length) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(length);
        }
    }

    /** Distinct whole-second times, deepest first so a directory's time is set after its children change it. */
    private static void stampTimes(Path root) throws IOException {
        long t = 1_000_000_000L;
        List<Path> all;
        try (var walk = Files.walk(root)) {
            all = walk.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path p : all) {
            FileTime time = FileTime.from(Instant.ofEpochSecond(t++));
            Files.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setTimes(time, time, null);
        }
    }
}
