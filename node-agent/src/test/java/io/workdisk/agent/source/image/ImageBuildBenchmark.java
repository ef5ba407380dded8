package io.workdisk.agent.source.image;

import static io.workdisk.agent.testing.Shell.ok;

import io.workdisk.agent.engine.DiskEngine;
import io.workdisk.agent.engine.files.ConfinedRoot;
import io.workdisk.agent.engine.oci.Compression;
import io.workdisk.agent.engine.oci.Platform;
import io.workdisk.agent.engine.seed.SeedMethod;
import io.workdisk.agent.engine.seed.SeedOwnership;
import io.workdisk.agent.engine.tools.E2fsTools;
import io.workdisk.agent.source.ImageSeeds;
import io.workdisk.agent.source.RegistryImageSeeds;
import io.workdisk.api.task.ImageSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10's goal, measured: a Debian bookworm minbase root filesystem (mmdebstrap, cached under
 * target/bench-rootfs) pushed as three gzip layers to a local docker-registry, built into a whole-rootfs
 * seed with ownership Preserve by {@link RegistryImageSeeds#buildFromRegistry} on a cold and on a warm layer
 * cache, against the script {@code skopeo copy} + {@code umoci raw unpack} + {@code mkfs.ext4 -d}, interleaved
 * in one run, page cache synced before each. Medians, ratios and the seed's phaseSeconds are printed and
 * written to target/benchmarks/image-build.md. Not in the suite (tag "benchmark");
 * {@code ./mvnw -B -pl node-agent -am test -Pbenchmark -Dtest=ImageBuildBenchmark -Dsurefire.failIfNoSpecifiedTests=false}
 * [{@code -Dbench.runs=N}] [{@code -Dbench.method=STAGING_TREE}].
 */
@Tag("benchmark")
class ImageBuildBenchmark {
    private static final int RUNS = Integer.getInteger("bench.runs", 3);
    /** AUTO (the tar where mke2fs reads one), or STAGING_TREE to measure the way older e2fsprogs get. */
    private static final SeedMethod METHOD = SeedMethod.valueOf(System.getProperty("bench.method", "AUTO"));

    private static final Path ROOTFS = Path.of("target/bench-rootfs");

    @TempDir
    Path tmp;

    @Test
    void buildFromRegistryAgainstSkopeoUmociMkfs() throws Exception {
        Path rootfs = debianRootfs();
        try (TestRegistry registry = TestRegistry.start(tmp.resolve("registry"), TestRegistry.Setup.plain())) {
            TestImages images = TestImages.anonymous(registry, tmp.resolve("work"));
            List<TestImages.Layer> layers = new ArrayList<>();
            long blobBytes = 0;
            for (List<String> part : List.of(List.of("usr"), List.of("var", "etc"), List.<String>of())) {
                TestImages.Layer layer = images.layerOfTree(split(rootfs, part), Compression.GZIP);
                blobBytes += layer.blob().length;
                layers.add(layer);
            }
            images.image("debian", "bookworm", Platform.host(), layers);
            String ref = registry.host() + "/debian:bookworm";
            ImageSource source = new ImageSource(ref, null, true);
            DiskEngine engine = new DiskEngine(E2fsTools.fromEnvironment(), System::nanoTime, METHOD);
            Path data = Files.createDirectories(tmp.resolve("data"));

            List<Double> cold = new ArrayList<>();
            List<Double> warm = new ArrayList<>();
            List<Double> script = new ArrayList<>();
            RegistryImageSeeds.PulledSeedReport last = null;
            RegistryImageSeeds.PulledSeedReport lastWarm = null;
            for (int run = 0; run < RUNS; run++) {
                Path cache = tmp.resolve("layers-" + run);
                RegistryImageSeeds seeds = RegistryImageSeeds.open(
                        engine, cache, 1L << 34, ImageSeeds.RegistryAccess.none(), Clock.systemUTC());
                ok("sync");
                long t0 = System.nanoTime();
                last = seeds.buildFromRegistry(
                        ConfinedRoot.of(data),
                        source,
                        "/",
                        SeedOwnership.PRESERVE,
                        data.resolve("cold-" + run),
                        "bench",
                        false,
                        ImageSeeds.Progress.NONE);
                cold.add((System.nanoTime() - t0) / 1e9);
                ok("sync");
                t0 = System.nanoTime();
                lastWarm = seeds.buildFromRegistry(
                        ConfinedRoot.of(data),
                        source,
                        "/",
                        SeedOwnership.PRESERVE,
                        data.resolve("warm-" + run),
                        "bench",
                        false,
                        ImageSeeds.Progress.NONE);
                warm.add((System.nanoTime() - t0) / 1e9);
                if (lastWarm.layersCached() != layers.size()) {
                    throw new AssertionError("warm run fetched layers: " + lastWarm);
                }
                ok(
                        "rm",
                        "-rf",
                        cache.toString(),
                        data.resolve("cold-" + run).toString(),
                        data.resolve("warm-" + run).toString());

                Path layout = tmp.resolve("oci-" + run);
                Path unpacked = tmp.resolve("unpacked-" + run);
                Path image = tmp.resolve("script-" + run + ".img");
                ok("sync");
                t0 = System.nanoTime();
                ok(
                        "skopeo",
                        "copy",
                        "--quiet",
                        "--src-tls-verify=false",
                        "docker://" + ref,
                        "oci:" + layout + ":bookworm");
                ok("umoci", "raw", "unpack", "--image", layout + ":bookworm", unpacked.toString());
                ok("truncate", "-s", Long.toString(last.seed().seed().sizeBytes()), image.toString());
                ok("mkfs.ext4", "-q", "-F", "-b", "4096", "-d", unpacked.toString(), image.toString());
                script.add((System.nanoTime() - t0) / 1e9);
                ok("rm", "-rf", layout.toString(), unpacked.toString(), image.toString());
            }
            double c = median(cold);
            double w = median(warm);
            double s = median(script);
            List<String> report = new ArrayList<>(List.of(
                    "# Image build benchmark (issue 10)",
                    "",
                    String.format(
                            "Image: Debian bookworm minbase (mmdebstrap), 3 gzip layers (/usr; /var+/etc; the rest),"
                                    + " %d entries, %.1f MB uncompressed, %.1f MB compressed; seed %.1f MB;"
                                    + " median of %d runs; %d cores.",
                            last.seed().entries(),
                            last.seed().uncompressedBytes() / 1e6,
                            blobBytes / 1e6,
                            last.seed().seed().sizeBytes() / 1e6,
                            RUNS,
                            Runtime.getRuntime().availableProcessors()),
                    "",
                    "| pipeline | seconds | ÷ script |",
                    "|---|---:|---:|",
                    String.format("| (a) workdisk, cold layer cache | %.2f | %.2f |", c, c / s),
                    String.format("| (b) workdisk, every layer cached | %.2f | %.2f |", w, w / s),
                    String.format("| (c) skopeo copy + umoci raw unpack + mkfs.ext4 -d | %.2f | 1.00 |", s),
                    "",
                    "Goal: (a) ≤ 1.0, (b) ≤ 0.5.",
                    "",
                    String.format("Each run (s): cold %s; warm %s; script %s.", runs(cold), runs(warm), runs(script)),
                    "",
                    "Method: " + lastWarm.seed().seed().method() + "; fix-ups in the last warm run: "
                            + lastWarm.seed().seed().fixups() + ".",
                    "",
                    "phaseSeconds, last cold run: " + phases(last.seed().seed().phaseSeconds()),
                    "",
                    "phaseSeconds, last warm run: "
                            + phases(lastWarm.seed().seed().phaseSeconds())));
            report.forEach(System.out::println);
            Files.write(Files.createDirectories(Path.of("target/benchmarks")).resolve("image-build.md"), report);
        }
    }

    /** The Debian root filesystem, made once by mmdebstrap (as root) and kept for reruns. */
    private static Path debianRootfs() throws Exception {
        if (!Files.isDirectory(ROOTFS)) {
            Path partial = Path.of("target/bench-rootfs.tmp");
            ok("rm", "-rf", partial.toString());
            ok("mmdebstrap", "--quiet", "--variant=minbase", "bookworm", partial.toString());
            Files.move(partial, ROOTFS);
        }
        return ROOTFS;
    }

    /**
     * A layer's tree: hard links of the rootfs's top-level entries {@code tops}, or, when empty, of every
     * top-level entry but /usr, /var and /etc.
     */
    private Path split(Path rootfs, List<String> tops) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("split-" + (tops.isEmpty() ? "rest" : String.join("-", tops))));
        List<String> names = tops;
        if (tops.isEmpty()) {
            try (var entries = Files.list(rootfs)) {
                names = entries.map(p -> p.getFileName().toString())
                        .filter(n -> !List.of("usr", "var", "etc").contains(n))
                        .toList();
            }
        }
        for (String name : names) {
            ok("cp", "-al", rootfs.resolve(name).toString(), dir.toString());
        }
        return dir;
    }

    private static String runs(List<Double> seconds) {
        return String.join(
                " ", seconds.stream().map(t -> String.format("%.2f", t)).toList());
    }

    private static String phases(Map<String, Double> phases) {
        StringBuilder out = new StringBuilder();
        phases.forEach((k, v) -> out.append(String.format("%s %.2f s; ", k, v)));
        return out.toString();
    }

    private static double median(List<Double> xs) {
        List<Double> sorted = xs.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }
}
