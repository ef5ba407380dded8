package io.workdisk.agent.source.image;

import static io.workdisk.agent.testing.Shell.ok;
import static org.assertj.core.api.Assertions.assertThat;

import io.workdisk.agent.engine.oci.Compression;
import io.workdisk.agent.source.retry.RetryPolicy;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pulling an image of three 64 MiB gzip layers from a local docker-registry: the puller (cold cache,
 * then every layer cached) against {@code skopeo copy} to an OCI layout, which also verifies every blob,
 * in the same run. Prints the medians and ratios. Not part of the suite; run with
 * {@code ./mvnw -B -pl node-agent -am test -Pbenchmark -Dtest=PullBenchmark -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("benchmark")
class PullBenchmark {
    private static final int RUNS = Integer.getInteger("bench.runs", 5);
    private static final int LAYER_BYTES = 64 << 20;

    @TempDir
    Path tmp;

    @Test
    void pullAgainstSkopeoCopy() throws Exception {
        try (TestRegistry registry = TestRegistry.start(tmp.resolve("registry"), TestRegistry.Setup.plain())) {
            ImagePusher pusher = new ImagePusher(registry.base(), HttpClient.newHttpClient(), repo -> null);
            TestImages images = new TestImages(pusher, tmp.resolve("work"));
            List<TestImages.Layer> layers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Path raw = tmp.resolve("raw-" + i);
                byte[] chunk = new byte[1 << 20];
                Random random = new Random(i);
                try (OutputStream out = Files.newOutputStream(raw)) {
                    for (int m = 0; m < LAYER_BYTES >> 20; m++) {
                        random.nextBytes(chunk);
                        out.write(chunk);
                    }
                }
                layers.add(images.layerOfFile(raw, Compression.GZIP));
            }
            images.image("big", "v1", RegistryPullTest.AMD64, layers);
            ImageReference ref = ImageReference.parse(registry.host() + "/big:v1");

            List<Double> cold = new ArrayList<>();
            List<Double> warm = new ArrayList<>();
            List<Double> skopeo = new ArrayList<>();
            try (RegistryClient client = RegistryClient.create(
                    RegistrySettings.standard().withStallTimeout(Duration.ofSeconds(60)), Clock.systemUTC())) {
                for (int run = 0; run < RUNS; run++) {
                    Path cacheDir = tmp.resolve("cache-" + run);
                    LayerCache cache = LayerCache.open(cacheDir, 1L << 32, Clock.systemUTC());
                    ImagePuller puller = new ImagePuller(client, cache, RetryPolicy.immediate(3), 3);
                    long t0 = System.nanoTime();
                    try (PulledImage pulled = puller.pull(ref, RegistryPullTest.AMD64, true, PullProgress.NONE)) {
                        assertThat(pulled.layersCached()).isZero();
                    }
                    cold.add((System.nanoTime() - t0) / 1e9);
                    t0 = System.nanoTime();
                    try (PulledImage pulled = puller.pull(ref, RegistryPullTest.AMD64, true, PullProgress.NONE)) {
                        assertThat(pulled.layersCached()).isEqualTo(3);
                    }
                    warm.add((System.nanoTime() - t0) / 1e9);
                    ok("rm", "-rf", cacheDir.toString());

                    Path layout = tmp.resolve("skopeo-" + run);
                    t0 = System.nanoTime();
                    ok(
                            "skopeo",
                            "copy",
                            "--quiet",
                            "--src-tls-verify=false",
                            "docker://" + ref,
                            "oci:" + layout + ":v1");
                    skopeo.add((System.nanoTime() - t0) / 1e9);
                    ok("rm", "-rf", layout.toString());
                }
            }
            double c = median(cold);
            double w = median(warm);
            double s = median(skopeo);
            System.out.printf(
                    "%nPullBenchmark: 3 x 64 MiB gzip layers from a local docker-registry, median of %d runs%n"
                            + "  puller, cold cache:   %.2f s%n  puller, all cached:   %.3f s%n"
                            + "  skopeo copy (oci:):   %.2f s%n  ratio cold/skopeo:    %.2f%n",
                    RUNS, c, w, s, c / s);
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
