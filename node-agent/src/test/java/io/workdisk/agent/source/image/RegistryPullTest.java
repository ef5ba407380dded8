package io.workdisk.agent.source.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.workdisk.agent.engine.image.Layer;
import io.workdisk.agent.engine.oci.Compression;
import io.workdisk.agent.engine.oci.Digest;
import io.workdisk.agent.engine.oci.MediaTypes;
import io.workdisk.agent.engine.oci.Platform;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.Problem;
import io.workdisk.agent.source.retry.RetryPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pulls from a real registry (Debian's docker-registry) over plain HTTP: indexes, platforms, the cache. */
class RegistryPullTest {
    static final Platform AMD64 = new Platform("linux", "amd64", null);
    static final Platform ARM64 = new Platform("linux", "arm64", null);

    @TempDir
    static Path shared;

    static TestRegistry registry;
    static TestImages images;
    static TestImages.Pushed amd64;
    static TestImages.Pushed arm64;
    static Digest index;

    @TempDir
    Path dir;

    RegistryClient client;
    LayerCache cache;
    ImagePuller puller;

    @BeforeAll
    static void startRegistry() throws Exception {
        registry = TestRegistry.start(shared.resolve("registry"), TestRegistry.Setup.plain());
        images = TestImages.anonymous(registry, shared.resolve("work"));
        TestImages.Layer base =
                images.layer(Map.of("etc/os-release", "ID=test\n", "bin/sh", "#!shell\n"), Compression.GZIP);
        TestImages.Layer zstd = images.layer(Map.of("usr/share/zstd.txt", "compressed with zstd\n"), Compression.ZSTD);
        TestImages.Layer plain = images.layer(Map.of("root/plain.txt", "not compressed\n"), Compression.NONE);
        TestImages.Layer armOnly = images.layer(Map.of("etc/arch", "arm64\n"), Compression.GZIP);
        amd64 = images.image("multi", "amd64-only", AMD64, List.of(base, zstd, plain));
        arm64 = images.image("multi", "arm64-only", ARM64, List.of(base, armOnly));
        Map<Platform, TestImages.Pushed> both = new LinkedHashMap<>();
        both.put(AMD64, amd64);
        both.put(ARM64, arm64);
        index = images.index("multi", "v1", both);
        // a second image on the same base layer, as Docker schema 2 with Docker's media types
        TestImages.Layer app = images.layer(Map.of("srv/app", "the app\n"), Compression.GZIP);
        images.image(
                "other",
                "v1",
                AMD64,
                List.of(
                        base.withMediaType(MediaTypes.DOCKER_LAYER_GZIP),
                        app.withMediaType(MediaTypes.DOCKER_LAYER_GZIP)),
                MediaTypes.DOCKER_MANIFEST,
                MediaTypes.DOCKER_CONFIG);
    }

    @AfterAll
    static void stopRegistry() {
        registry.close();
    }

    @BeforeEach
    void open() throws Exception {
        client = RegistryClient.create(
                RegistrySettings.standard()
                        .withStallTimeout(Duration.ofSeconds(10))
                        .withAttempts(1),
                Clock.systemUTC());
        cache = LayerCache.open(dir.resolve("layers"), 1L << 30, Clock.systemUTC());
        puller = new ImagePuller(client, cache, RetryPolicy.immediate(1), 3);
    }

    @AfterEach
    void close() {
        client.close();
    }

    ImageReference ref(String repoAndTag) throws EngineException {
        return ImageReference.parse(registry.host() + "/" + repoAndTag);
    }

    @Test
    void theIndexGivesThePlatformsManifestAndEveryBlobArrivesVerified() throws Exception {
        List<long[]> updates = new ArrayList<>();
        try (PulledImage pulled = puller.pull(ref("multi:v1"), AMD64, true, (f, t) -> updates.add(new long[] {f, t}))) {
            assertThat(pulled.resolvedDigest()).isEqualTo(index);
            assertThat(pulled.manifestDigest()).isEqualTo(amd64.digest());
            assertThat(pulled.platform()).isEqualTo(AMD64);
            assertThat(pulled.config().digest()).isEqualTo(amd64.config());
            assertThat(pulled.config().os()).isEqualTo("linux");
            assertThat(pulled.config().architecture()).isEqualTo("amd64");
            assertThat(pulled.config().diffIds())
                    .containsExactlyElementsOf(amd64.layers().stream()
                            .map(TestImages.Layer::diffId)
                            .toList());
            assertThat(pulled.layers()).hasSize(3);
            assertThat(pulled.layers())
                    .extracting(Layer::compression)
                    .containsExactly(Compression.GZIP, Compression.ZSTD, Compression.NONE);
            for (int i = 0; i < 3; i++) {
                Layer layer = pulled.layers().get(i);
                TestImages.Layer pushed = amd64.layers().get(i);
                assertThat(layer.digest()).isEqualTo(pushed.digest());
                assertThat(layer.mediaType()).isEqualTo(pushed.mediaType());
                assertThat(layer.size()).isEqualTo(pushed.blob().length);
                assertThat(layer.diffId()).contains(pushed.diffId());
                assertThat(pulled.cached(layer)).isFalse();
                assertThat(layer.file())
                        .isEqualTo(dir.resolve(
                                "layers/blobs/sha256/" + pushed.digest().hex()));
                assertThat(Files.readAllBytes(layer.file())).isEqualTo(pushed.blob());
            }
            long total = Files.size(pulled.config().path())
                    + amd64.layers().stream().mapToLong(l -> l.blob().length).sum();
            assertThat(updates).isNotEmpty();
            assertThat(updates.get(updates.size() - 1)).containsExactly(total, total);
            assertThat(updates).allSatisfy(u -> assertThat(u[0]).isBetween(0L, total));
            assertThat(pulled.layersCached()).isZero();
        }
        assertThat(incoming()).isEmpty();

        updates.clear();
        try (PulledImage again = puller.pull(ref("multi:v1"), AMD64, true, (f, t) -> updates.add(new long[] {f, t}))) {
            assertThat(again.layers())
                    .allSatisfy(l -> assertThat(again.cached(l)).isTrue());
            assertThat(again.layerBytesFetched()).isZero();
            assertThat(updates.get(updates.size() - 1)[0]).isEqualTo(updates.get(updates.size() - 1)[1]);
        }
    }

    @Test
    void thePlatformAskedForIsChosenAndAMissingOneIsNamedWithThoseOffered() throws Exception {
        try (PulledImage pulled =
                puller.pull(ref("multi:v1"), Platform.parse("linux/arm64/v8"), true, PullProgress.NONE)) {
            assertThat(pulled.manifestDigest()).isEqualTo(arm64.digest());
            assertThat(pulled.layers())
                    .extracting(Layer::digest)
                    .containsExactlyElementsOf(arm64.layers().stream()
                            .map(TestImages.Layer::digest)
                            .toList());
        }
        assertThatThrownBy(() -> puller.pull(ref("multi:v1"), Platform.parse("linux/riscv64"), true, PullProgress.NONE))
                .isInstanceOf(EngineException.class)
                .hasMessageContaining("has no manifest for linux/riscv64; it has linux/amd64, linux/arm64")
                .extracting(e -> ((EngineException) e).problem())
                .isEqualTo(Problem.SOURCE_INVALID);
        // a single manifest for another platform is refused rather than built for the wrong machine
        assertThatThrownBy(() -> puller.pull(ref("multi:amd64-only"), ARM64, true, PullProgress.NONE))
                .hasMessageContaining("is for linux/amd64 only");
        assertThat(blobs()).doesNotContain(amd64.layers().get(1).digest().hex());
    }

    @Test
    void aTagResolvesToTheIndexDigestAndThatDigestPullsTheSameImage() throws Exception {
        Resolver resolver = new Resolver(client);
        Digest resolved = resolver.resolve(ref("multi:v1"), true);
        assertThat(resolved).isEqualTo(index);
        ImageReference pinned = ref("multi:v1").withDigest(resolved);
        assertThat(resolver.resolve(pinned, true)).isEqualTo(index);
        try (PulledImage pulled = puller.pull(
                ImageReference.parse(registry.host() + "/multi@" + resolved), AMD64, true, PullProgress.NONE)) {
            assertThat(pulled.resolvedDigest()).isEqualTo(index);
            assertThat(pulled.manifestDigest()).isEqualTo(amd64.digest());
        }
        assertThatThrownBy(() -> resolver.resolve(ref("multi:no-such-tag"), true))
                .hasMessageContaining("HTTP 404");
    }

    @Test
    void aSecondImageOnTheSameBaseFetchesOnlyItsOwnLayers() throws Exception {
        try (PulledImage first = puller.pull(ref("multi:v1"), AMD64, true, PullProgress.NONE)) {
            assertThat(first.layersCached()).isZero();
        }
        try (PulledImage second = puller.pull(ref("other:v1"), AMD64, true, PullProgress.NONE)) {
            assertThat(second.layers()).extracting(second::cached).containsExactly(true, false);
            assertThat(second.layers().get(0).mediaType()).isEqualTo(MediaTypes.DOCKER_LAYER_GZIP);
            assertThat(second.layers().get(0).compression()).isEqualTo(Compression.GZIP);
            assertThat(second.resolvedDigest()).isEqualTo(second.manifestDigest());
        }
    }

    @Test
    void anUnknownLayerMediaTypeIsRefusedBeforeAnyBlobIsFetched() throws Exception {
        TestImages.Layer odd =
                images.layer(Map.of("x", "y"), Compression.GZIP).withMediaType("application/vnd.example.not-a-layer");
        images.image("odd", "v1", AMD64, List.of(odd));
        assertThatThrownBy(() -> puller.pull(ref("odd:v1"), AMD64, true, PullProgress.NONE))
                .hasMessageContaining("layer 1 of manifest")
                .hasMessageContaining("media type 'application/vnd.example.not-a-layer'")
                .extracting(e -> ((EngineException) e).problem())
                .isEqualTo(Problem.SOURCE_INVALID);
        assertThat(blobs()).isEmpty();
    }

    @Test
    void indexesNestedTwoDeepArePulledAndThreeDeepAreRefused() throws Exception {
        TestImages.Pushed twoDeep =
                images.wrap("multi", "nested-2", AMD64, images.wrap("multi", "nested-1", AMD64, amd64));
        try (PulledImage pulled = puller.pull(ref("multi:nested-2"), AMD64, true, PullProgress.NONE)) {
            assertThat(pulled.manifestDigest()).isEqualTo(amd64.digest());
            assertThat(pulled.resolvedDigest()).isEqualTo(twoDeep.digest());
        }
        images.wrap("multi", "nested-3", AMD64, twoDeep);
        assertThatThrownBy(() -> puller.pull(ref("multi:nested-3"), AMD64, true, PullProgress.NONE))
                .hasMessageContaining("nests indexes more than 2 deep");
    }

    List<String> blobs() throws Exception {
        try (Stream<Path> s = Files.list(dir.resolve("layers/blobs/sha256"))) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }

    List<Path> incoming() throws Exception {
        try (Stream<Path> s = Files.list(dir.resolve("layers/incoming"))) {
            return s.toList();
        }
    }
}
