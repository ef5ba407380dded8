package io.workdisk.agent.source.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.workdisk.agent.engine.oci.Compression;
import io.workdisk.agent.engine.oci.Digest;
import io.workdisk.agent.engine.oci.MediaTypes;
import io.workdisk.agent.engine.oci.Platform;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.Problem;
import io.workdisk.agent.source.retry.RetryPolicy;
import io.workdisk.agent.testing.JavaProcess;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real registry behind a test server that lies: wrong bytes, too few, too many, a stall, manifests of
 * megabytes or that point at themselves, blobs redirected to another host, a pull killed half way. In
 * every case the error names the problem and nothing unverified is left where a later pull trusts it.
 */
class HostileRegistryTest {
    static final Platform AMD64 = new Platform("linux", "amd64", null);

    @TempDir
    static Path shared;

    static TestRegistry registry;
    static TestImages.Pushed image;

    @TempDir
    Path dir;

    RegistryFront front;
    RegistryClient client;
    LayerCache cache;
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
                        images.layer(Map.of("big.bin", noise(1, 400_000)), Compression.GZIP),
                        images.layer(Map.of("more.bin", noise(2, 300_000)), Compression.ZSTD)));
    }

    static String noise(long seed, int bytes) {
        byte[] b = new byte[bytes];
        new Random(seed).nextBytes(b);
        return Base64.getEncoder().encodeToString(b);
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    @BeforeEach
    void open() throws Exception {
        front = RegistryFront.start(registry.base());
        client = RegistryClient.create(
                RegistrySettings.standard()
                        .withStallTimeout(Duration.ofSeconds(1))
                        .withAttempts(2),
                Clock.systemUTC());
        cache = LayerCache.open(dir.resolve("layers"), 1L << 30, Clock.systemUTC());
    }

    @AfterEach
    void close() {
        release.countDown();
        client.close();
        front.close();
    }

    TestImages.Layer layer(int i) {
        return image.layers().get(i);
    }

    String blobPath(int i) {
        return "/blobs/" + layer(i).digest();
    }

    PulledImage pull() throws Exception {
        return new ImagePuller(client, cache, RetryPolicy.immediate(2), 2)
                .pull(ImageReference.parse(front.host() + "/app:v1"), AMD64, true, PullProgress.NONE);
    }

    void assertNothingUnverifiedLeft(int layer) throws Exception {
        assertThat(Files.exists(cache.path(layer(layer).digest()))).isFalse();
        try (Stream<Path> s = Files.list(dir.resolve("layers/incoming"))) {
            assertThat(s.toList()).isEmpty();
        }
    }

    static EngineException failure(ThrowingPull pull) {
        try {
            pull.run();
        } catch (EngineException e) {
            return e;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("the pull succeeded");
    }

    interface ThrowingPull {
        void run() throws Exception;
    }

    @Test
    void aBlobWhoseBytesDoNotMatchItsDigestIsDiscarded() throws Exception {
        front.on("GET", blobPath(0), ex -> {
            byte[] body = front.upstream(ex).body();
            body[body.length / 2] ^= 1;
            RegistryFront.send(ex, 200, Map.of(), body);
        });
        EngineException e = failure(this::pull);
        assertThat(e.getMessage())
                .contains("not the expected " + layer(0).digest() + "; discarded")
                .contains("(after 2 attempts)");
        assertThat(e.problem()).isEqualTo(Problem.SOURCE_UNAVAILABLE);
        assertNothingUnverifiedLeft(0);
    }

    @Test
    void aTruncatedBlobIsNamedAndDiscarded() throws Exception {
        front.on("GET", blobPath(0), ex -> {
            byte[] body = front.upstream(ex).body();
            ex.sendResponseHeaders(200, 0); // chunked: the body may end early without the client noticing
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body, 0, body.length / 2);
            }
        });
        assertThat(failure(this::pull).getMessage())
                .contains("blob " + layer(0).digest() + " ended after " + layer(0).blob().length / 2 + " of its "
                        + layer(0).blob().length + " bytes (truncated); discarded");
        assertNothingUnverifiedLeft(0);
    }

    @Test
    void moreBytesThanTheDescriptorSaysAreCutOff() throws Exception {
        front.on("GET", blobPath(1), ex -> {
            byte[] body = front.upstream(ex).body();
            ex.sendResponseHeaders(200, 0);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
                for (int i = 0; i < 1000; i++) {
                    out.write(new byte[1 << 16]); // 64 MiB more if the client kept reading
                }
            } catch (java.io.IOException expected) {
                // the client hung up, as it should
            }
        });
        assertThat(failure(this::pull).getMessage())
                .contains("blob " + layer(1).digest() + " is longer than the " + layer(1).blob().length
                        + " bytes its descriptor says; cut off and discarded");
        assertNothingUnverifiedLeft(1);
    }

    @Test
    void aServerThatStallsMidBlobIsAbandonedByName() throws Exception {
        front.on("GET", blobPath(0), ex -> {
            byte[] body = front.upstream(ex).body();
            ex.sendResponseHeaders(200, body.length);
            OutputStream out = ex.getResponseBody();
            out.write(body, 0, 1000);
            out.flush();
            waitFor(release);
        });
        assertThat(failure(this::pull).getMessage())
                .contains("blob " + layer(0).digest() + " of " + front.host()
                        + "/app stalled: no data for 1s; discarded");
        assertNothingUnverifiedLeft(0);
    }

    @Test
    void aTagIsResolvedByItsBytesWhenTheRegistryGivesNoDigestOnHead() throws Exception {
        front.on("HEAD", "/manifests/v1", ex -> RegistryFront.send(ex, 200, Map.of(), new byte[0]));
        ImageReference ref = ImageReference.parse(front.host() + "/app:v1");
        assertThat(new Resolver(client).resolve(ref, true)).isEqualTo(image.digest());
        assertThat(front.count("HEAD", "/manifests/v1")).isEqualTo(1);
        assertThat(front.count("GET", "/manifests/v1")).isEqualTo(1);
    }

    @Test
    void aRegistryThatNeverAnswersAndARedirectLoopAreNamed() throws Exception {
        front.on("GET", "/manifests/v1", ex -> waitFor(release)); // accepts and never answers
        assertThat(failure(this::pull).getMessage())
                .contains("GET http://" + front.host() + "/v2/app/manifests/v1 sent no response within 1s");

        front.on(
                "GET",
                blobPath(0),
                ex -> RegistryFront.send(
                        ex, 302, Map.of("Location", List.of("/v2/app/blobs/" + layer(0).digest())), new byte[0]));
        front.on("GET", "/manifests/v1", ex -> {
            RegistryFront.Upstream u = front.upstream(ex);
            RegistryFront.send(ex, u.status(), u.headers(), u.body());
        });
        assertThat(failure(this::pull).getMessage())
                .contains("was still redirected after 5 redirects (a redirect loop?)");
        assertNothingUnverifiedLeft(0);
    }

    @Test
    void manifestsOfMoreThanFourMebibytesAreRefusedWithOrWithoutALength() throws Exception {
        byte[] huge =
                ("{\"schemaVersion\":2,\"pad\":\"" + "x".repeat(5 << 20) + "\"}").getBytes(StandardCharsets.UTF_8);
        front.on("GET", "/manifests/declared", ex -> RegistryFront.send(ex, 200, Map.of(), huge));
        front.on("GET", "/manifests/chunked", ex -> {
            ex.getResponseHeaders().add("Content-Type", MediaTypes.OCI_MANIFEST);
            ex.sendResponseHeaders(200, 0);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(huge);
            } catch (java.io.IOException expected) {
                // refused mid-way
            }
        });
        ImagePuller puller = new ImagePuller(client, cache, RetryPolicy.immediate(1), 1);
        assertThat(failure(() -> puller.pull(
                        ImageReference.parse(front.host() + "/app:declared"), AMD64, true, PullProgress.NONE)))
                .hasMessageContaining(
                        "is " + huge.length + " bytes, more than the 4 MiB a manifest may be; refused unread")
                .extracting(EngineException::problem)
                .isEqualTo(Problem.SOURCE_INVALID);
        assertThat(failure(() -> puller.pull(
                        ImageReference.parse(front.host() + "/app:chunked"), AMD64, true, PullProgress.NONE)))
                .hasMessageContaining("is over " + RegistryClient.MAX_MANIFEST_BYTES + " bytes, more than the 4 MiB");
    }

    @Test
    void anIndexThatPointsAtItselfIsRefused() throws Exception {
        // content addresses cannot form a loop, so a registry that claims one must lie about a digest
        Digest claimed = Digest.ofHex("a".repeat(64));
        byte[] index = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX
                        + "\",\"manifests\":[{\"mediaType\":\""
                        + MediaTypes.OCI_INDEX + "\",\"digest\":\"" + claimed + "\",\"size\":%d,"
                        + "\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}]}")
                .getBytes(StandardCharsets.UTF_8);
        byte[] body = new String(index, StandardCharsets.UTF_8)
                .formatted(index.length + 2)
                .getBytes(StandardCharsets.UTF_8);
        front.on("GET", "/manifests/loop", ex -> RegistryFront.send(ex, 200, Map.of(), body));
        front.on("GET", "/manifests/" + claimed, ex -> RegistryFront.send(ex, 200, Map.of(), body));
        ImagePuller puller = new ImagePuller(client, cache, RetryPolicy.immediate(1), 1);
        assertThat(failure(() ->
                        puller.pull(ImageReference.parse(front.host() + "/app:loop"), AMD64, true, PullProgress.NONE)))
                .hasMessageContaining(
                        "has digest " + RegistryClient.sha256(body) + ", not the one asked for; discarded");
        assertThat(front.count("GET", "/manifests/" + claimed)).isEqualTo(1);
    }

    @Test
    void aBlobRedirectedToAnotherHostGetsNoneOfTheRegistrysCredentials() throws Exception {
        Path htRegistryDir = dir.resolve("basic-registry");
        try (TestRegistry basic = TestRegistry.start(
                        htRegistryDir, TestRegistry.Setup.plain().withHtpasswd("bob", "hunter2"));
                RegistryFront authFront = RegistryFront.start(basic.base())) {
            String header = new RegistryCredentials.Login("bob", "hunter2").basicHeader();
            TestImages images = new TestImages(
                    new ImagePusher(basic.base(), HttpClient.newHttpClient(), repo -> header), dir.resolve("work"));
            TestImages.Pushed pushed = images.image(
                    "app", "v1", AMD64, List.of(images.layer(Map.of("f", "redirected\n"), Compression.GZIP)));
            TestImages.Layer layer = pushed.layers().get(0);

            // "storage" on another host name (localhost, not 127.0.0.1) records what it was sent
            List<String> storageAuth = new CopyOnWriteArrayList<>();
            HttpServer storage = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            storage.createContext("/bucket/", ex -> {
                storageAuth.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
                RegistryFront.send(ex, 200, Map.of(), layer.blob());
                ex.close();
            });
            storage.start();
            try {
                String location = "http://localhost:" + storage.getAddress().getPort() + "/bucket/"
                        + layer.digest().hex() + "?signature=abc";
                authFront.on("GET", "/blobs/" + layer.digest(), ex -> {
                    if (ex.getRequestHeaders().getFirst("Authorization") == null) {
                        RegistryFront.send(
                                ex, 401, Map.of("WWW-Authenticate", List.of("Basic realm=\"test\"")), new byte[0]);
                        return;
                    }
                    RegistryFront.send(ex, 307, Map.of("Location", List.of(location)), new byte[0]);
                });
                Path config = dir.resolve("config.json");
                Files.writeString(
                        config,
                        "{\"auths\":{\"" + authFront.host() + "\":{\"username\":\"bob\",\"password\":\"hunter2\"}}}");
                try (RegistryClient withLogin = RegistryClient.create(
                        RegistrySettings.standard().withDockerConfig(config).withAttempts(1), Clock.systemUTC())) {
                    try (PulledImage pulled = new ImagePuller(withLogin, cache, RetryPolicy.immediate(1), 1)
                            .pull(ImageReference.parse(authFront.host() + "/app:v1"), AMD64, true, PullProgress.NONE)) {
                        assertThat(Files.readAllBytes(pulled.layers().get(0).file()))
                                .isEqualTo(layer.blob());
                    }
                }
                assertThat(storageAuth).containsExactly("null");
                assertThat(authFront.count("GET", "/blobs/" + layer.digest())).isGreaterThanOrEqualTo(1);
            } finally {
                storage.stop(0);
            }
        }
    }

    @Test
    void twoPullsAtOnceFetchEachBlobOnce() throws Exception {
        CountDownLatch bothAsked = new CountDownLatch(2);
        front.on("GET", "/manifests/v1", ex -> {
            bothAsked.countDown();
            RegistryFront.Upstream u = front.upstream(ex);
            RegistryFront.send(ex, u.status(), u.headers(), u.body());
        });
        for (int i = 0; i < 2; i++) {
            String path = blobPath(i);
            front.on("GET", path, ex -> {
                waitFor(bothAsked); // both pulls are under way before any layer arrives
                RegistryFront.Upstream u = front.upstream(ex);
                RegistryFront.send(ex, u.status(), u.headers(), u.body());
            });
        }
        ExecutorService two = Executors.newFixedThreadPool(2);
        try {
            List<Future<PulledImage>> pulls = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                pulls.add(two.submit(this::pull));
            }
            List<Boolean> cachedFlags = new ArrayList<>();
            for (Future<PulledImage> f : pulls) {
                try (PulledImage p = f.get(60, TimeUnit.SECONDS)) {
                    p.layers().forEach(l -> cachedFlags.add(p.cached(l)));
                    assertThat(Files.readAllBytes(p.layers().get(1).file())).isEqualTo(layer(1).blob());
                }
            }
            assertThat(cachedFlags).containsExactlyInAnyOrder(false, false, true, true);
        } finally {
            two.shutdownNow();
        }
        assertThat(front.count("GET", blobPath(0))).isEqualTo(1);
        assertThat(front.count("GET", blobPath(1))).isEqualTo(1);
    }

    @Test
    void aPullKilledMidBlobLeavesNothingALaterPullTrusts() throws Exception {
        front.on("GET", blobPath(0), ex -> {
            byte[] body = front.upstream(ex).body();
            ex.sendResponseHeaders(200, body.length);
            OutputStream out = ex.getResponseBody();
            out.write(body, 0, body.length / 2);
            out.flush();
            waitFor(release); // half the layer, then nothing until the test says
        });
        Path layers = dir.resolve("killed-cache");
        JavaProcess child = JavaProcess.startMain(
                PullMain.class.getName(),
                List.of("-XX:TieredStopAtLevel=1"),
                List.of(),
                Map.of(),
                dir.resolve("child.log"),
                layers.toString(),
                front.host() + "/app:v1",
                "linux/amd64");
        try {
            // layer 0's own half file: the config and the other layers pass through incoming/ too, briefly
            await().atMost(Duration.ofSeconds(60)).until(() -> incomingBytes(layers, layer(0)) > 0);
            child.killHard();
        } finally {
            if (child.isAlive()) {
                child.killHard();
            }
        }
        assertThat(incomingBytes(layers, layer(0))).isPositive();
        assertThat(Files.exists(
                        layers.resolve("blobs/sha256/" + layer(0).digest().hex())))
                .isFalse();

        front.on("GET", blobPath(0), ex -> {
            RegistryFront.Upstream u = front.upstream(ex);
            RegistryFront.send(ex, u.status(), u.headers(), u.body());
        });
        LayerCache reopened = LayerCache.open(layers, 1L << 30, Clock.systemUTC());
        try (Stream<Path> s = Files.list(layers.resolve("incoming"))) {
            assertThat(s.toList()).isEmpty();
        }
        try (PulledImage pulled = new ImagePuller(client, reopened, RetryPolicy.immediate(1), 1)
                .pull(ImageReference.parse(front.host() + "/app:v1"), AMD64, true, PullProgress.NONE)) {
            assertThat(pulled.cached(pulled.layers().get(0))).isFalse();
            assertThat(Files.readAllBytes(pulled.layers().get(0).file())).isEqualTo(layer(0).blob());
        }
    }

    /** Bytes of {@code blob} in incoming/, where a fetch names its file after the digest it expects. */
    static long incomingBytes(Path layers, TestImages.Layer blob) throws Exception {
        Path incoming = layers.resolve("incoming");
        if (!Files.isDirectory(incoming)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(incoming)) {
            long total = 0;
            for (Path p : s.toList()) {
                if (p.getFileName().toString().startsWith(blob.digest().hex())) {
                    total += Files.size(p);
                }
            }
            return total;
        }
    }

    static void waitFor(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
