package io.workdisk.agent.source.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.workdisk.agent.engine.oci.Compression;
import io.workdisk.agent.engine.oci.Digest;
import io.workdisk.agent.engine.oci.Platform;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.Problem;
import io.workdisk.agent.source.retry.RetryPolicy;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS from a private CA, htpasswd Basic auth, and the bearer-token flow, each against a real
 * docker-registry: the token registry verifies the JWTs the test's token server signs.
 */
class RegistryAuthTest {
    static final Platform AMD64 = new Platform("linux", "amd64", null);
    static final String USER = "alice";
    static final String PASSWORD = "s3cret: with spaces";

    @TempDir
    static Path shared;

    static TestPki pki;
    static TestRegistry tlsBasic;
    static TestRegistry tokenRegistry;
    static TokenServer tokens;
    static TestImages.Pushed privateImage;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        pki = TestPki.create(shared.resolve("pki"));
        tlsBasic = TestRegistry.start(
                shared.resolve("tls-basic"), TestRegistry.Setup.tls(pki).withHtpasswd(USER, PASSWORD));
        HttpClient trusting = HttpClient.newBuilder()
                .sslContext(RegistryTrust.context(pki.caCert()))
                .build();
        String basic = new RegistryCredentials.Login(USER, PASSWORD).basicHeader();
        TestImages basicImages =
                new TestImages(new ImagePusher(tlsBasic.base(), trusting, repo -> basic), shared.resolve("work-basic"));
        privateImage = basicImages.image(
                "team/app", "v1", AMD64, List.of(basicImages.layer(Map.of("a", "b"), Compression.GZIP)));

        tokens = TokenServer.start(pki, USER, PASSWORD);
        tokenRegistry = TestRegistry.start(
                shared.resolve("token"), TestRegistry.Setup.plain().withToken(tokens));
        TestImages tokenImages = new TestImages(
                new ImagePusher(tokenRegistry.base(), HttpClient.newHttpClient(), repo -> {
                    try {
                        return "Bearer " + tokens.tokenFor(repo);
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                }),
                shared.resolve("work-token"));
        TestImages.Layer layer = tokenImages.layer(Map.of("hello", "world\n"), Compression.ZSTD);
        tokenImages.image("public/app", "v1", AMD64, List.of(layer));
        tokenImages.image("private/app", "v1", AMD64, List.of(layer));
    }

    @AfterAll
    static void stop() {
        tlsBasic.close();
        tokenRegistry.close();
        tokens.close();
    }

    PulledImage pull(RegistrySettings settings, String reference, boolean plainHttp) throws Exception {
        try (RegistryClient client = RegistryClient.create(settings, Clock.systemUTC())) {
            LayerCache cache = LayerCache.open(dir.resolve("layers"), 1L << 30, Clock.systemUTC());
            return new ImagePuller(client, cache, RetryPolicy.immediate(1), 2)
                    .pull(ImageReference.parse(reference), AMD64, plainHttp, PullProgress.NONE);
        }
    }

    static RegistrySettings settings() {
        return RegistrySettings.standard()
                .withStallTimeout(Duration.ofSeconds(10))
                .withAttempts(1);
    }

    Path dockerConfig(String host, String entryJson) throws Exception {
        Path file = Files.createTempFile(dir, "config", ".json");
        Files.writeString(file, "{\"auths\": {\"" + host + "\": " + entryJson + "}}");
        return file;
    }

    static String authField(String user, String password) {
        return "{\"auth\": \""
                + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)) + "\"}";
    }

    @Test
    void aPrivateCaIsTrustedOnlyWhenGivenAndBasicAuthTakesTheConfigJsonLogin() throws Exception {
        String ref = tlsBasic.host() + "/team/app:v1";
        Path config = dockerConfig(tlsBasic.host(), authField(USER, PASSWORD));
        assertThatThrownBy(() -> pull(settings().withDockerConfig(config), ref, false))
                .hasMessageContaining("failed TLS")
                .hasMessageContaining("private CA");

        assertThatThrownBy(() -> pull(settings().withCaFile(pki.caCert()), ref, false))
                .hasMessageContaining("asks for a user name and password")
                .extracting(e -> ((EngineException) e).problem())
                .isEqualTo(Problem.SOURCE_DENIED);

        Path wrong = dockerConfig(tlsBasic.host(), authField(USER, "wrong"));
        assertThatThrownBy(() -> pull(settings().withCaFile(pki.caCert()).withDockerConfig(wrong), ref, false))
                .hasMessageContaining("refused repository:team/app:pull (HTTP 401) even with the credentials")
                .extracting(e -> ((EngineException) e).problem())
                .isEqualTo(Problem.SOURCE_DENIED);

        try (PulledImage pulled = pull(settings().withCaFile(pki.caCert()).withDockerConfig(config), ref, false)) {
            assertThat(pulled.manifestDigest()).isEqualTo(privateImage.digest());
            assertThat(Files.readAllBytes(pulled.layers().get(0).file()))
                    .isEqualTo(privateImage.layers().get(0).blob());
        }
        // username and password fields, and a key written as a URL, work the same
        Path fields = dockerConfig(
                "https://" + tlsBasic.host() + "/v1/",
                "{\"username\": \"" + USER + "\", \"password\": \"" + PASSWORD + "\"}");
        try (PulledImage pulled = pull(settings().withCaFile(pki.caCert()).withDockerConfig(fields), ref, false)) {
            assertThat(pulled.manifestDigest()).isEqualTo(privateImage.digest());
        }
    }

    @Test
    void anonymousBearerTokensPullPublicRepositoriesAndAreAskedForOncePerScope() throws Exception {
        String scope = "repository:public/app:pull";
        int before = tokens.requests(scope);
        try (RegistryClient client = RegistryClient.create(settings(), Clock.systemUTC())) {
            LayerCache cache = LayerCache.open(dir.resolve("layers"), 1L << 30, Clock.systemUTC());
            ImagePuller puller = new ImagePuller(client, cache, RetryPolicy.immediate(1), 2);
            ImageReference ref = ImageReference.parse(tokenRegistry.host() + "/public/app:v1");
            try (PulledImage first = puller.pull(ref, AMD64, true, PullProgress.NONE)) {
                assertThat(first.layers()).hasSize(1);
            }
            Digest resolved = new Resolver(client).resolve(ref, true);
            try (PulledImage second = puller.pull(ref.withDigest(resolved), AMD64, true, PullProgress.NONE)) {
                assertThat(second.resolvedDigest()).isEqualTo(resolved);
            }
        }
        // manifest, config, layer, HEAD, manifest again, and the cached blobs: one token
        assertThat(tokens.requests(scope) - before).isEqualTo(1);
    }

    @Test
    void anExpiredTokenIsReplacedWithoutFailingThePull() throws Exception {
        String scope = "repository:public/app:pull";
        MovableClock clock = new MovableClock();
        try (RegistryClient client = RegistryClient.create(settings(), clock)) {
            Resolver resolver = new Resolver(client);
            ImageReference ref = ImageReference.parse(tokenRegistry.host() + "/public/app:v1");
            int before = tokens.requests(scope);
            Digest first = resolver.resolve(ref, true);
            assertThat(resolver.resolve(ref, true)).isEqualTo(first);
            assertThat(tokens.requests(scope) - before).isEqualTo(1);
            clock.advance(Duration.ofSeconds(300)); // the token server's expires_in
            assertThat(resolver.resolve(ref, true)).isEqualTo(first);
            assertThat(tokens.requests(scope) - before).isEqualTo(2);
        }
    }

    /** A clock the test moves forward, for token lifetimes. */
    static final class MovableClock extends Clock {
        private volatile Instant now = Instant.now();

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    @Test
    void aPrivateRepositoryNeedsTheLoginTheTokenServerAccepts() throws Exception {
        String ref = tokenRegistry.host() + "/private/app:v1";
        assertThatThrownBy(() -> pull(settings(), ref, true))
                .hasMessageContaining("refused repository:private/app:pull (HTTP 401) even with the credentials")
                .extracting(e -> ((EngineException) e).problem())
                .isEqualTo(Problem.SOURCE_DENIED);

        Path wrong = dockerConfig(tokenRegistry.host(), authField(USER, "wrong"));
        assertThatThrownBy(() -> pull(settings().withDockerConfig(wrong), ref, true))
                .hasMessageContaining(
                        "token server " + tokens.realm() + " refused the login for " + tokenRegistry.host());

        Path right = dockerConfig(tokenRegistry.host(), authField(USER, PASSWORD));
        try (PulledImage pulled = pull(settings().withDockerConfig(right), ref, true)) {
            assertThat(pulled.layers()).hasSize(1);
        }
    }
}
