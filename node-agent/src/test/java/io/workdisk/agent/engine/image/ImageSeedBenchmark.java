package io.workdisk.agent.engine.image;

import io.workdisk.agent.benchmark.PayloadTree;
import io.workdisk.agent.engine.DiskEngine;
import io.workdisk.agent.engine.files.ConfinedRoot;
import io.workdisk.agent.engine.oci.Platform;
import io.workdisk.agent.engine.seed.SeedOwnership;
import io.workdisk.agent.testing.Shell;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * build-seed --oci-archive --subtree / --ownership preserve against the script it replaces for archives,
 * umoci raw unpack + mkfs.ext4 -d, on one generated three-layer image (gzip, as Debian's umoci needs), in
 * one run: medians and the ratio, also written to target/benchmarks/image-seed.md. Ours also verifies
 * every digest, applies owners/xattrs/ns times and runs e2fsck -fn; the script does none of that. Not in
 * the suite (tag "benchmark"); {@code ./mvnw -B -pl node-agent -am test -Pbenchmark -Dtest=ImageSeedBenchmark}.
 */
@Tag("benchmark")
class ImageSeedBenchmark {
    private static final int RUNS = Integer.getInteger("bench.runs", 5);

    @TempDir
    Path tmp;

    @Test
    void archiveSeedAgainstUmociAndMkfs() throws Exception {
        List<OciLayouts.LayerFile> layers = new ArrayList<>();
        long entries = 0;
        for (String top : List.of("usr", "opt", "srv")) {
            Path tree = tmp.resolve("layer-" + top);
            entries += PayloadTree.create(tree.resolve(top), 1).entries();
            layers.add(new OciLayouts.LayerFile(OciLayouts.tarOf(tree, tmp.resolve(top + ".tar")), "gzip"));
        }
        Path layout = Files.createDirectories(tmp.resolve("layout"));
        OciLayouts.layout(layout, layers, Platform.host().architecture());
        Path archive = OciLayouts.pack(layout, tmp.resolve("image.oci.tar"));
        Path data = Files.createDirectories(tmp.resolve("data"));
        DiskEngine engine = DiskEngine.standard();

        List<Double> ours = new ArrayList<>();
        List<Double> script = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            long t0 = System.nanoTime();
            ImageSeeds.fromArchive(
                    engine, ConfinedRoot.of(data), archive, SeedOwnership.PRESERVE, data.resolve("s" + i), "b");
            ours.add((System.nanoTime() - t0) / 1e9);
            Files.delete(data.resolve("s" + i));

            Path unpacked = tmp.resolve("umoci-" + i);
            Path image = tmp.resolve("script-" + i + ".img");
            long t1 = System.nanoTime();
            Shell.ok("umoci", "raw", "unpack", "--image", layout + ":latest", unpacked.toString());
            Shell.ok("truncate", "-s", "2G", image.toString());
            Shell.ok("mkfs.ext4", "-q", "-F", "-b", "4096", "-I", "256", "-d", unpacked.toString(), image.toString());
            script.add((System.nanoTime() - t1) / 1e9);
            Shell.ok("rm", "-rf", unpacked.toString(), image.toString());
        }
        double o = median(ours);
        double s = median(script);
        List<String> report = List.of(
                "# Image seed benchmark",
                "",
                String.format(
                        "Image: 3 gzip layers, %d entries, %.1f MB compressed; %d runs each, median; %d cores.",
                        entries,
                        Files.size(archive) / 1e6,
                        RUNS,
                        Runtime.getRuntime().availableProcessors()),
                "",
                "| pipeline | seconds |",
                "|---|---:|",
                String.format("| build-seed --oci-archive --subtree / --ownership preserve | %.2f |", o),
                String.format("| umoci raw unpack + mkfs.ext4 -d | %.2f |", s),
                "",
                String.format("Ratio (ours ÷ script): %.2f", o / s));
        report.forEach(System.out::println);
        Path out = Files.createDirectories(Path.of("target/benchmarks")).resolve("image-seed.md");
        Files.write(out, report);
    }

    private static double median(List<Double> xs) {
        List<Double> sorted = xs.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }
}
