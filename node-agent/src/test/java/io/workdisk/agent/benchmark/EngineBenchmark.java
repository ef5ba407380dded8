package io.workdisk.agent.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import io.workdisk.agent.engine.DiskEngine;
import io.workdisk.agent.engine.DiskEngine.MaterializeRequest;
import io.workdisk.agent.engine.DiskEngine.SeedRequest;
import io.workdisk.agent.engine.Mkfs;
import io.workdisk.agent.engine.SpaceCheck;
import io.workdisk.agent.engine.files.DataRoot;
import io.workdisk.agent.engine.seed.SeedSize;
import io.workdisk.agent.testing.Rootfs;
import io.workdisk.agent.testing.Shell;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine against the reference pipelines of the issue, on one generated tree, in one run: prints each
 * median, the ratios and the goals, and writes them to target/benchmarks/engine.md. Not part of the test
 * suite (tag "benchmark"); run with {@code ./mvnw -B -pl node-agent -am test -Pbenchmark}.
 */
@Tag("benchmark")
class EngineBenchmark {
    private static final long GIB = 1L << 30;
    private static final int RUNS = Integer.getInteger("bench.runs", 7);

    @TempDir
    Path tmp;

    private final DiskEngine engine = DiskEngine.standard();
    private final List<String> report = new ArrayList<>();
    private int counter;

    @Test
    void engineAgainstReferences() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        DataRoot root = DataRoot.of(data);
        Path rootfsTree = tmp.resolve("rootfs-tree");
        PayloadTree.Stats stats = PayloadTree.create(rootfsTree.resolve("root"), 1);
        Path rootfs = Rootfs.make(rootfsTree, data.resolve("rootfs.ext4"), 1024, Rootfs.Layout.EXT4_DEFAULT);
        line("# Engine benchmark");
        line("");
        line(
                "Tree: %d entries, %.1f MB apparent (one %d MiB sparse file); %d runs each, median; machine: %d cores, %s.",
                stats.entries(),
                stats.apparentBytes() / 1e6,
                PayloadTree.SPARSE_BYTES >> 20,
                RUNS,
                Runtime.getRuntime().availableProcessors(),
                Shell.ok("uname", "-sr").strip());
        line("");

        // Warm the JIT once so the engine is measured as a long-running agent runs it.
        Path warmSeed =
                Path.of(engine.buildSeed(root, new SeedRequest(rootfs, "/root", data.resolve("warm.seed"), "b", true))
                        .result()
                        .path());
        engine.materialize(root, new MaterializeRequest(warmSeed, data.resolve("warm.disk"), GIB, false, "b", true));

        // build-seed
        double perEntry = time(1, () -> perEntryDebugfs(rootfsTree.resolve("root"), data));
        double rdump = time(RUNS, () -> rdumpThenMkfs(rootfs, data));
        Path extracted = Files.createDirectory(tmp.resolve("extracted"));
        Shell.ok("debugfs", "-R", "rdump /root " + extracted, rootfs.toString());
        double mkfsOnly = time(RUNS, () -> mkfsFromTree(extracted.resolve("root"), data));
        double buildSeed = time(RUNS, () -> {
            Path out = data.resolve("seed-" + counter++ + ".ext4");
            engine.buildSeed(root, new SeedRequest(rootfs, "/root", out, "b", false));
            Files.delete(out);
        });
        line("## build-seed");
        line("");
        line("| pipeline | seconds | engine ÷ this |");
        line("|---|---:|---:|");
        row("one debugfs process per entry (banger's ingestion)", perEntry, buildSeed);
        row("debugfs rdump + one mkfs.ext4 -d (drops setuid/sticky, fills holes)", rdump, buildSeed);
        row("mkfs.ext4 -d from an already-extracted tree", mkfsOnly, buildSeed);
        row("**workdisk build-seed** (read in Java, staged, mkfs -d, fixups, e2fsck, fsync)", buildSeed, buildSeed);
        line("");
        line(
                "Goal: build-seed within 1.5× of rdump + mkfs -d: **%.2f×** (%s).",
                buildSeed / rdump, buildSeed / rdump <= 1.5 ? "met" : "NOT met");
        line("");

        // materialize
        Path seed =
                Path.of(engine.buildSeed(root, new SeedRequest(rootfs, "/root", data.resolve("bench.seed"), "b", true))
                        .result()
                        .path());
        line("## materialize");
        line("");
        line(
                "| target | reference: cp --sparse + resize2fs + tune2fs -U + fsync | workdisk materialize | ratio | disk allocated |");
        line("|---|---:|---:|---:|---:|");
        double ratio8 = 0;
        for (long size : new long[] {8 * GIB, 64 * GIB}) {
            if (SpaceCheck.usable(data) < size + GIB) {
                line(
                        "| %d GiB | skipped: %s has only %d GiB free | | | |",
                        size / GIB, data, SpaceCheck.usable(data) / GIB);
                continue;
            }
            double reference = time(RUNS, () -> copyResizeRetag(seed, data, size));
            long[] allocated = new long[1];
            double materialize = time(RUNS, () -> {
                Path out = data.resolve("disk-" + counter++ + ".ext4");
                allocated[0] = engine.materialize(root, new MaterializeRequest(seed, out, size, false, "b", false))
                        .result()
                        .allocatedBytes();
                Files.delete(out);
            });
            if (size == 8 * GIB) {
                ratio8 = materialize / reference;
            }
            line(
                    "| %d GiB | %.3f s | %.3f s | %.2f× | %.1f MiB |",
                    size / GIB, reference, materialize, materialize / reference, allocated[0] / 1048576.0);
        }
        line("");
        line(
                "Goal: materialize within 1.5× of the reference at 8 GiB: **%.2f×** (%s).",
                ratio8, ratio8 <= 1.5 ? "met" : "NOT met");
        line("");

        // payload growth
        line("## build-seed as the payload grows");
        line("");
        line("| entries | MB apparent | seconds | seconds per 1,000 entries |");
        line("|---:|---:|---:|---:|");
        for (int scale : new int[] {1, 2, 4}) {
            Path tree = tmp.resolve("scaled-" + scale);
            PayloadTree.Stats s = PayloadTree.create(tree.resolve("root"), scale);
            Path image = Rootfs.make(
                    tree, data.resolve("scaled-" + scale + ".ext4"), 1024 * scale, Rootfs.Layout.EXT4_DEFAULT);
            double seconds = time(Math.max(3, RUNS / 2), () -> {
                Path out = data.resolve("scaled-seed-" + counter++ + ".ext4");
                engine.buildSeed(root, new SeedRequest(image, "/root", out, "b", false));
                Files.delete(out);
            });
            line(
                    "| %d | %.1f | %.3f | %.3f |",
                    s.entries(), s.apparentBytes() / 1e6, seconds, seconds * 1000 / s.entries());
        }

        Path out = Path.of("target", "benchmarks", "engine.md");
        Files.createDirectories(out.getParent());
        Files.write(out, report);
        System.out.println("\n" + String.join("\n", report) + "\n\n(written to " + out.toAbsolutePath() + ")");
        assertThat(report).isNotEmpty();
    }

    /** banger's way: an empty image, then per entry one debugfs process that creates it and sets its owner and mode. */
    private void perEntryDebugfs(Path tree, Path data) throws IOException {
        Path image = data.resolve("per-entry-" + counter++ + ".ext4");
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(SeedSize.forPayload(PayloadTree.DENSE_BYTES + PayloadTree.SPARSE_BYTES, 0));
        }
        Shell.ok("mkfs.ext4", "-q", "-F", "-E", Mkfs.CANONICAL_EXTENDED_OPTIONS, image.toString());
        Path script = tmp.resolve("entry.cmds");
        try (Stream<Path> walk = Files.walk(tree)) {
            for (Path p : walk.skip(1).toList()) {
                String guest = "/" + tree.relativize(p);
                boolean dir = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
                String mode = dir ? "040755" : "0100644";
                Files.write(
                        script,
                        List.of(
                                dir ? "mkdir " + guest : "write " + p + " " + guest,
                                "sif " + guest + " mode " + mode,
                                "sif " + guest + " uid 0",
                                "sif " + guest + " gid 0"));
                Shell.ok("debugfs", "-w", "-f", script.toString(), image.toString());
            }
        }
        Files.delete(image);
    }

    private void rdumpThenMkfs(Path rootfs, Path data) throws IOException {
        Path stage = Files.createDirectory(tmp.resolve("rdump-" + counter++));
        Shell.ok("debugfs", "-R", "rdump /root " + stage, rootfs.toString());
        mkfsFromTree(stage.resolve("root"), data);
        Shell.ok("rm", "-rf", stage.toString());
    }

    private void mkfsFromTree(Path tree, Path data) throws IOException {
        Path image = data.resolve("mkfs-d-" + counter++ + ".ext4");
        long payload;
        try (Stream<Path> walk = Files.walk(tree)) {
            payload = walk.filter(Files::isRegularFile)
                    .mapToLong(p -> p.toFile().length())
                    .sum();
        }
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(SeedSize.forPayload(payload, 0));
        }
        Shell.ok(
                "mkfs.ext4",
                "-q",
                "-F",
                "-E",
                Mkfs.CANONICAL_EXTENDED_OPTIONS,
                "-d",
                tree.toString(),
                image.toString());
        Files.delete(image);
    }

    private void copyResizeRetag(Path seed, Path data, long size) throws IOException {
        Path disk = data.resolve("ref-" + counter++ + ".ext4");
        Shell.ok("cp", "--sparse=always", seed.toString(), disk.toString());
        try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
            f.setLength(size);
        }
        Shell.ok("resize2fs", disk.toString(), (size / 4096) + "");
        Shell.ok("tune2fs", "-U", "random", disk.toString());
        try (FileChannel ch = FileChannel.open(disk, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.delete(disk);
    }

    interface Step {
        void run() throws Exception;
    }

    private double time(int runs, Step step) throws Exception {
        double[] seconds = new double[runs];
        for (int i = 0; i < runs; i++) {
            // Flush earlier runs' dirty pages first: with ext4's ordered journal, a step that fsyncs would
            // otherwise pay for writing back whatever the previous pipeline left in the page cache.
            Shell.ok("sync");
            long start = System.nanoTime();
            step.run();
            seconds[i] = (System.nanoTime() - start) / 1e9;
        }
        Arrays.sort(seconds);
        return seconds[runs / 2];
    }

    private void row(String name, double seconds, double engineSeconds) {
        line("| %s | %.3f | %.2f× |", name, seconds, engineSeconds / seconds);
    }

    private void line(String format, Object... args) {
        report.add(String.format(Locale.ROOT, format, args));
    }
}
