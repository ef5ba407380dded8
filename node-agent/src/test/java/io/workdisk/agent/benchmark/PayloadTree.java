package io.workdisk.agent.benchmark;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * The benchmark's /root: by default 1,557 entries and 84 MB (apparent), one of them a 64 MiB sparse file,
 * the rest directories and small-to-medium regular files as a developer's home holds them. Deterministic:
 * the same seed gives the same tree on every machine. {@code scale} multiplies the dense payload and the
 * entry count, to show how cost grows with payload.
 */
public final class PayloadTree {
    static final int DIRECTORIES = 100;
    static final int FILES = 1_456;
    static final long SPARSE_BYTES = 64L << 20;
    static final long DENSE_BYTES = 84_000_000L - SPARSE_BYTES;

    private PayloadTree() {}

    public record Stats(int entries, long apparentBytes) {}

    /**
     * The materialize seed: {@code files} small regular files of {@code bytes} in all (sizes drawn
     * around the mean), spread over a hundred directories; no sparse file.
     */
    public static Stats smallFiles(Path root, int files, long bytes) throws IOException {
        Random random = new Random(1500);
        Files.createDirectories(root);
        Path[] dirs = new Path[DIRECTORIES];
        for (int i = 0; i < dirs.length; i++) {
            dirs[i] = Files.createDirectory(root.resolve("dir-" + i));
        }
        long budget = bytes;
        for (int i = 0; i < files; i++) {
            int size = (int)
                    (i == files - 1
                            ? budget
                            : Math.min(budget, (long) (random.nextDouble() * 2 * budget / (files - i))));
            byte[] data = new byte[size];
            random.nextBytes(data);
            Files.write(dirs[i % dirs.length].resolve("file-" + i + ".dat"), data);
            budget -= size;
        }
        return new Stats(DIRECTORIES + files, bytes);
    }

    public static Stats create(Path root, int scale) throws IOException {
        Random random = new Random(1557);
        Files.createDirectories(root);
        int dirs = DIRECTORIES * scale;
        int files = FILES * scale;
        Path[] dirPaths = new Path[dirs];
        for (int i = 0; i < dirs; i++) {
            Path parent = i < 10 ? root : dirPaths[random.nextInt(i)];
            dirPaths[i] = Files.createDirectory(parent.resolve("dir-" + i));
        }
        long budget = DENSE_BYTES * scale;
        long apparent = 0;
        byte[] buffer = new byte[1 << 20];
        for (int i = 0; i < files; i++) {
            long size =
                    i == files - 1 ? budget : Math.min(budget, (long) (random.nextDouble() * 2 * budget / (files - i)));
            budget -= size;
            Path dir = random.nextInt(5) == 0 ? root : dirPaths[random.nextInt(dirs)];
            try (var out = Files.newOutputStream(dir.resolve("file-" + i + ".dat"))) {
                for (long left = size; left > 0; ) {
                    int n = (int) Math.min(left, buffer.length);
                    random.nextBytes(buffer);
                    out.write(buffer, 0, n);
                    left -= n;
                }
            }
            apparent += size;
        }
        try (RandomAccessFile sparse =
                new RandomAccessFile(root.resolve("vm-scratch.img").toFile(), "rw")) {
            sparse.setLength(SPARSE_BYTES);
            sparse.seek(SPARSE_BYTES / 2);
            sparse.write(new byte[] {1, 2, 3, 4});
        }
        apparent += SPARSE_BYTES;
        return new Stats(dirs + files + 1, apparent);
    }
}
