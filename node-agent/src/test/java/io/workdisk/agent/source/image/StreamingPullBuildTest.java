package io.workdisk.agent.source.image;

import static io.workdisk.agent.source.image.HostileRegistryTest.noise;
import static io.workdisk.agent.source.image.HostileRegistryTest.waitFor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.workdisk.agent.engine.DiskEngine;
import io.workdisk.agent.engine.files.ConfinedRoot;
import io.workdisk.agent.engine.oci.Compression;
import io.workdisk.agent.engine.oci.Platform;
import io.workdisk.agent.engine.seed.SeedMethod;
import io.workdisk.agent.engine.seed.SeedOwnership;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.tools.E2fsTools;
import io.workdisk.agent.source.ImageSeeds;
import io.workdisk.agent.source.RegistryImageSeeds;
import io.workdisk.agent.testing.DebugfsTree;
import io.workdisk.agent.testing.Shell;
import io.workdisk.api.task.ImageSource;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A seed built from a registry image while its layers download, on a real registry behind a test
 * server: the build reads a layer before a later one has arrived, a download that fails part way and
 * starts over still gives the right seed, and a download that fails for good fails the build with the
 * pull's own error, leaving neither seed nor unverified blob.
 */
class StreamingPullBuildTest {
    static final Platform AMD64 = new Platform("linux", "amd64", null);

    @TempDir
    static Path shared;

    static TestRegistry registry;
    static TestImages.Pushed image;
    /** A first layer that is not the gzip its media type says, then the same upper layer as {@link #image}. */
    static TestImages.Pushed broken;

    @TempDir
    Path dir;

    RegistryFront front;
    final CountDownLatch release = new CountDownLatch(1);

    @BeforeAll
    static void start() throws Exception {
        registry = TestRegistry.start(shared.resolve("registry"), TestRegistry.Setup.plain());
        TestImages images = TestImages.anonymous(registry, shared.resolve("work"));
        image = images.image(
                "app",
                "v1",
                AMD64,
                List.of(
                        images.layer(
                                Map.of("root/big.txt", noise(1, 600_000), "root/keep.txt", "lower\n"),
                                Compression.GZIP),
                        images.layer(
                                Map.of("root/more.txt", noise(2, 300_000), "root/keep.txt", "upper\n"),
                                Compression.ZSTD)));
        byte[] notGzip = "this is not gzip data at all".getBytes(StandardCharsets.UTF_8);
        TestImages.Layer bad = new TestImages.Layer(
                notGzip,
                image.layers().get(0).mediaType(),
                RegistryClient.sha256(notGzip),
                image.layers().get(0).diffId());
        broken = images.image("broken", "v1", AMD64, List.of(bad, image.layers().get(1)));
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    @BeforeEach
    void open() throws Exception {
        front = RegistryFront.start(registry.base());
    }

    @AfterEach
    void close() {
        release.countDown();
        front.close();
    }

    String blobPath(int i) {
        return "/blobs/" + image.layers().get(i).digest();
    }

    Path layers() {
        return dir.resolve("layers");
    }

    RegistryImageSeeds.PulledSeedReport build(String name) throws Exception {
        return build(name, "/app:v1");
    }

    RegistryImageSeeds.PulledSeedReport build(String name, String repoAndTag) throws Exception {
        RegistryImageSeeds seeds = RegistryImageSeeds.open(
                new DiskEngine(E2fsTools.fromEnvironment(), System::nanoTime, SeedMethod.AUTO),
                layers(),
                1L << 30,
                ImageSeeds.RegistryAccess.none(),
                Clock.systemUTC());
        Path data = Files.createDirectories(dir.resolve("data"));
        return seeds.buildFromRegistry(
                ConfinedRoot.of(data),
                new ImageSource(front.host() + repoAndTag, "linux/amd64", true),
                "/root",
                SeedOwnership.ROOT,
                data.resolve(name + ".seed"),
                "test",
                false,
                ImageSeeds.Progress.NONE);
    }

    void assertSeedHoldsTheImage(String name) throws Exception {
        Path seed = dir.resolve("data").resolve(name + ".seed");
        Shell.assertFsckClean(seed);
        var tree = DebugfsTree.read(seed, dir);
        assertThat(new String(tree.get("keep.txt").content(), StandardCharsets.UTF_8))
                .isEqualTo("upper\n");
        assertThat(new String(tree.get("big.txt").content(), StandardCharsets.UTF_8))
                .isEqualTo(noise(1, 600_000));
        assertThat(new String(tree.get("more.txt").content(), StandardCharsets.UTF_8))
                .isEqualTo(noise(2, 300_000));
    }

    @Test
    void theBuildReadsTheLowerLayerWhileTheUpperOneIsStillDownloading() throws Exception {
        front.on("GET", blobPath(1), ex -> {
            waitFor(release); // the upper layer arrives only once the test lets it
            RegistryFront.Upstream u = front.upstream(ex);
            RegistryFront.send(ex, u.status(), u.headers(), u.body());
        });
        CompletableFuture<RegistryImageSeeds.PulledSeedReport> built = CompletableFuture.supplyAsync(() -> {
            try {
                return build("streamed");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        // The record of the lower layer's headers is written by the build's read of that layer, after its
        // digests matched: it appears while the upper layer cannot have arrived yet.
        Path lowerRecord = layers().resolve(
                        "headers/sha256/" + image.layers().get(0).digest().hex());
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(lowerRecord));
        assertThat(built).isNotDone();
        assertThat(layers().resolve(
                                "blobs/sha256/" + image.layers().get(1).digest().hex()))
                .doesNotExist();

        release.countDown();
        RegistryImageSeeds.PulledSeedReport report = built.get();
        assertThat(report.layersFetched()).isEqualTo(2);
        assertSeedHoldsTheImage("streamed");
    }

    @Test
    void aDownloadThatFailsPartWayAndStartsOverStillGivesTheRightSeed() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        front.on("GET", blobPath(0), ex -> {
            byte[] body = front.upstream(ex).body();
            if (requests.incrementAndGet() == 1) {
                ex.sendResponseHeaders(200, 0); // chunked, cut off half way: a truncated attempt
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body, 0, body.length / 2);
                }
                return;
            }
            RegistryFront.send(ex, 200, Map.of(), body);
        });

        RegistryImageSeeds.PulledSeedReport report = build("restarted");

        assertThat(requests).hasValue(2);
        assertThat(report.layersFetched()).isEqualTo(2);
        assertSeedHoldsTheImage("restarted");
        assertNothingIncoming();
    }

    @Test
    void aDownloadThatFailsForGoodFailsTheBuildWithThePullsErrorAndLeavesNothing() throws Exception {
        front.on("GET", blobPath(1), ex -> {
            byte[] body = front.upstream(ex).body();
            ex.sendResponseHeaders(200, 0);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body, 0, body.length / 3);
            }
        });

        assertThatThrownBy(() -> build("failed"))
                .isInstanceOf(EngineException.class)
                .hasMessageContaining("blob " + image.layers().get(1).digest() + " ended after")
                .hasMessageContaining("(truncated)");
        assertThat(dir.resolve("data").resolve("failed.seed")).doesNotExist();
        try (Stream<Path> s = Files.list(dir.resolve("data"))) {
            assertThat(s.toList()).as("no staging left in the data root").isEmpty();
        }
        assertThat(layers().resolve(
                                "blobs/sha256/" + image.layers().get(1).digest().hex()))
                .doesNotExist();
        assertNothingIncoming();
    }

    @Test
    void aLayerThatFailsTheBuildEndsItWithoutWaitingForTheRestOfThePull() throws Exception {
        front.on("GET", blobPath(1), ex -> waitFor(release)); // the upper layer never comes while the test runs
        CompletableFuture<Throwable> failed = CompletableFuture.supplyAsync(() -> {
            try {
                build("broken", "/broken:v1");
                return null;
            } catch (Exception e) {
                return e;
            }
        });

        await().atMost(Duration.ofSeconds(30)).until(failed::isDone);
        assertThat(failed.get()).isInstanceOf(EngineException.class).hasMessageContaining("cannot be decompressed");
        assertThat(dir.resolve("data").resolve("broken.seed")).doesNotExist();
    }

    void assertNothingIncoming() throws Exception {
        try (Stream<Path> s = Files.list(layers().resolve("incoming"))) {
            assertThat(s.toList()).isEmpty();
        }
    }
}
