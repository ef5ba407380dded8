package io.workdisk.agent.source.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.workdisk.agent.engine.image.OciArchive;
import io.workdisk.agent.engine.oci.Compression;
import io.workdisk.agent.engine.oci.Digest;
import io.workdisk.agent.engine.oci.IndexWalk;
import io.workdisk.agent.engine.oci.MediaTypes;
import io.workdisk.agent.engine.oci.Platform;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.Problem;
import io.workdisk.agent.source.retry.RetryPolicy;
import io.workdisk.agent.testing.Shell;
import java.nio.charset.StandardCharsets;
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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The one {@link IndexWalk} over its two sources: the same image held by a real registry and by an OCI
 * archive is walked to the same manifest, and each fault of the walk is refused by both with the same
 * Problem and line (an entry that names no platform is read through its config by both). Two faults are the source's to name, on purpose: a document the registry does not
 * have or sends altered may be a mirror still filling or a network that mangled it (SOURCE_UNAVAILABLE,
 * tried again); an archive's bytes will not change (INVALID_IMAGE, CORRUPT_IMAGE).
 */
class IndexWalkAgreementTest {
    private static final Platform AMD64 = new Platform("linux", "amd64", null);
    private static final Platform ARM64 = new Platform("linux", "arm64", null);
    private static final String REPOSITORY = "walk";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path shared;

    private static TestRegistry registry;
    private static RegistryFront front;
    private static TestImages images;
    private static ImagePusher pusher;
    /** Every blob and document pushed, to write the same image into archives. */
    private static final Map<Digest, byte[]> stored = new LinkedHashMap<>();

    private static Map<String, Object> amd64;
    private static Map<String, Object> amd64Again;
    private static Map<String, Object> arm64;
    private static Map<String, Object> arm64v8;

    /** What a row expects: the manifest both walks find, or the fault both refuse with. */
    record Expected(Digest manifest, Problem registry, Problem archive, String line) {
        static Expected found(Map<String, Object> manifest) {
            return new Expected(digestOf(manifest), null, null, null);
        }

        static Expected refused(Problem both, String line) {
            return new Expected(null, both, both, line);
        }

        static Expected refusedEachItsWay(Problem registry, Problem archive, String line) {
            return new Expected(null, registry, archive, line);
        }
    }

    /** One row: the top index (pushed under the tag, written as index.json), the platform asked, the outcome. */
    record Row(String tag, byte[] top, Platform wanted, Expected expected) {
        @Override
        public String toString() {
            return tag;
        }
    }

    @BeforeAll
    static void pushImages() throws Exception {
        registry = TestRegistry.start(shared.resolve("registry"), TestRegistry.Setup.plain());
        front = RegistryFront.start(registry.base());
        pusher = new ImagePusher(registry.base(), java.net.http.HttpClient.newHttpClient(), repo -> null);
        images = new TestImages(pusher, Files.createDirectories(shared.resolve("work")));
        amd64 = image(AMD64, "amd64");
        amd64Again = image(AMD64, "amd64, built again");
        arm64 = image(ARM64, "arm64");
        arm64v8 = image(new Platform("linux", "arm64", "v8"), "arm64/v8");
    }

    @AfterAll
    static void stop() {
        if (front != null) {
            front.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    static Stream<Row> rows() throws Exception {
        byte[] nested = index(entry(amd64, AMD64), entry(arm64, ARM64));
        byte[] missing = "a manifest no source has".getBytes(StandardCharsets.UTF_8);
        Map<String, Object> absent = descriptor(MediaTypes.OCI_MANIFEST, Digest.sha256Of(missing), missing.length);
        return Stream.of(
                new Row("flat", top(entry(amd64, AMD64), entry(arm64, ARM64)), AMD64, Expected.found(amd64)),
                new Row("at-the-limit", top(entry(push(nested), null)), ARM64, Expected.found(arm64)),
                new Row(
                        "one-past-the-limit",
                        top(entry(push(index(entry(push(nested), null))), null)),
                        AMD64,
                        Expected.refused(Problem.SOURCE_INVALID, "nests indexes more than 2 deep")),
                new Row(
                        "several-match",
                        top(entry(amd64, AMD64), entry(amd64Again, AMD64)),
                        AMD64,
                        Expected.refused(Problem.SOURCE_INVALID, "has 2 manifests for linux/amd64")),
                new Row(
                        "exact-variant-wins",
                        top(entry(arm64v8, new Platform("linux", "arm64", "v8")), entry(arm64, ARM64)),
                        ARM64,
                        Expected.found(arm64)),
                new Row(
                        "platform-from-the-config", // as many archives' index.json: entries name no platform
                        top(entry(amd64, null), entry(arm64, null)),
                        ARM64,
                        Expected.found(arm64)),
                new Row(
                        "none-for-the-platform",
                        top(entry(arm64, ARM64)),
                        AMD64,
                        Expected.refused(
                                Problem.SOURCE_INVALID, "has no manifest for linux/amd64; it has linux/arm64")),
                new Row(
                        "missing-blob",
                        top(entry(absent, AMD64)),
                        AMD64,
                        Expected.refusedEachItsWay(
                                Problem.SOURCE_UNAVAILABLE, Problem.INVALID_IMAGE, absent.get("digest") + "")),
                new Row(
                        "digest-mismatch",
                        top(entry(amd64, AMD64)),
                        AMD64,
                        Expected.refusedEachItsWay(
                                Problem.SOURCE_UNAVAILABLE, Problem.CORRUPT_IMAGE, amd64.get("digest") + "")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void theSameWalkOverARegistryAndAnArchiveAgrees(Row row) throws Exception {
        ImageReference reference = ImageReference.parse(front.host() + "/" + REPOSITORY + ":" + row.tag());
        Path archive = archive(row);
        if (row.tag().equals("digest-mismatch")) {
            // the same bytes altered in both sources, the length kept: only the digest can tell
            byte[] altered = stored.get(digestOf(amd64)).clone();
            altered[altered.length - 2] ^= 1;
            front.on("GET", "/manifests/" + digestOf(amd64), ex -> RegistryFront.send(ex, 200, Map.of(), altered));
            archive = archive(row, Map.of(digestOf(amd64), altered));
        }
        if (row.tag().equals("missing-blob")) {
            // a real registry refuses an index naming a manifest it lacks; the front serves it as a liar would
            front.on(
                    "GET",
                    "/manifests/" + row.tag(),
                    ex -> RegistryFront.send(
                            ex, 200, Map.of("Content-Type", List.of(MediaTypes.OCI_INDEX)), row.top()));
        } else {
            pusher.manifest(REPOSITORY, row.tag(), MediaTypes.OCI_INDEX, row.top());
        }
        Path cacheDir = Files.createDirectories(shared.resolve("cache-" + row.tag()));
        try (RegistryClient client = RegistryClient.create(
                RegistrySettings.standard().withStallTimeout(Duration.ofSeconds(10)), Clock.systemUTC())) {
            ImagePuller puller = new ImagePuller(
                    client, LayerCache.open(cacheDir, 1L << 30, Clock.systemUTC()), RetryPolicy.immediate(1), 2);
            Path fromArchive = archive;
            Expected expected = row.expected();
            if (expected.manifest() != null) {
                try (PulledImage pulled = puller.pull(reference, row.wanted(), true, PullProgress.NONE)) {
                    assertThat(pulled.manifestDigest()).isEqualTo(expected.manifest());
                    assertThat(OciArchive.read(fromArchive, row.wanted()).manifestDigest())
                            .isEqualTo(pulled.manifestDigest().toString());
                }
                return;
            }
            assertThatThrownBy(() -> puller.pull(reference, row.wanted(), true, PullProgress.NONE))
                    .isInstanceOf(EngineException.class)
                    .hasMessageContaining(expected.line())
                    .extracting(e -> ((EngineException) e).problem())
                    .isEqualTo(expected.registry());
            assertThatThrownBy(() -> OciArchive.read(fromArchive, row.wanted()))
                    .isInstanceOf(EngineException.class)
                    .hasMessageContaining(expected.line())
                    .extracting(e -> ((EngineException) e).problem())
                    .isEqualTo(expected.archive());
        }
    }

    /** An image of one small layer for {@code platform}, pushed; its manifest's descriptor. */
    private static Map<String, Object> image(Platform platform, String marker) throws Exception {
        TestImages.Layer layer = images.layer(Map.of("etc/marker", marker + "\n"), Compression.GZIP);
        pusher.blob(REPOSITORY, layer.blob());
        stored.put(layer.digest(), layer.blob());
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("architecture", platform.architecture());
        config.put("os", platform.os());
        if (platform.variant() != null) {
            config.put("variant", platform.variant());
        }
        config.put(
                "rootfs",
                Map.of("type", "layers", "diff_ids", List.of(layer.diffId().toString())));
        byte[] configBytes = JSON.writeValueAsBytes(config);
        pusher.blob(REPOSITORY, configBytes);
        stored.put(Digest.sha256Of(configBytes), configBytes);
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", MediaTypes.OCI_MANIFEST);
        manifest.put("config", descriptor(MediaTypes.OCI_CONFIG, Digest.sha256Of(configBytes), configBytes.length));
        manifest.put("layers", List.of(descriptor(layer.mediaType(), layer.digest(), layer.blob().length)));
        byte[] body = JSON.writeValueAsBytes(manifest);
        return pushManifest(MediaTypes.OCI_MANIFEST, body);
    }

    /** An index pushed by digest; its descriptor. */
    private static Map<String, Object> push(byte[] index) {
        return pushManifest(MediaTypes.OCI_INDEX, index);
    }

    private static Map<String, Object> pushManifest(String mediaType, byte[] body) {
        Digest digest = Digest.sha256Of(body);
        pusher.manifest(REPOSITORY, digest.toString(), mediaType, body);
        stored.put(digest, body);
        return descriptor(mediaType, digest, body.length);
    }

    private static Map<String, Object> descriptor(String mediaType, Digest digest, long size) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("mediaType", mediaType);
        d.put("digest", digest.toString());
        d.put("size", size);
        return d;
    }

    /** An index entry: the descriptor, with {@code platform} when not null. */
    private static Map<String, Object> entry(Map<String, Object> descriptor, Platform platform) {
        Map<String, Object> e = new LinkedHashMap<>(descriptor);
        if (platform != null) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("architecture", platform.architecture());
            p.put("os", platform.os());
            if (platform.variant() != null) {
                p.put("variant", platform.variant());
            }
            e.put("platform", p);
        }
        return e;
    }

    @SafeVarargs
    private static byte[] index(Map<String, Object>... entries) throws Exception {
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("mediaType", MediaTypes.OCI_INDEX);
        index.put("manifests", List.of(entries));
        return JSON.writeValueAsBytes(index);
    }

    @SafeVarargs
    private static byte[] top(Map<String, Object>... entries) throws Exception {
        return index(entries);
    }

    private static Digest digestOf(Map<String, Object> descriptor) {
        String text = (String) descriptor.get("digest");
        return Digest.ofHex(text.substring("sha256:".length()));
    }

    private static Path archive(Row row) throws Exception {
        return archive(row, Map.of());
    }

    /** The row's image as an OCI archive: index.json the row's top, every stored blob, {@code replaced} swapped in. */
    private static Path archive(Row row, Map<Digest, byte[]> replaced) throws Exception {
        Path dir = Files.createDirectories(shared.resolve("layout-" + row.tag() + "-" + replaced.size()));
        Path blobs = Files.createDirectories(dir.resolve("blobs/sha256"));
        List<Digest> digests = new ArrayList<>(stored.keySet());
        for (Digest d : digests) {
            Files.write(blobs.resolve(d.hex()), replaced.getOrDefault(d, stored.get(d)));
        }
        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        Files.write(dir.resolve("index.json"), row.top());
        Path tar = shared.resolve("archive-" + row.tag() + "-" + replaced.size() + ".tar");
        Shell.ok("tar", "-C", dir.toString(), "-cf", tar.toString(), ".");
        return tar;
    }
}
