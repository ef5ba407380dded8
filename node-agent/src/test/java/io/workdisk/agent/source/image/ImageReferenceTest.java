package io.workdisk.agent.source.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.workdisk.agent.engine.oci.Digest;
import io.workdisk.agent.engine.oci.Platform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** References, platforms, config.json logins and auth challenges: the parsing, on its own. */
class ImageReferenceTest {
    static final String HEX = "0123456789abcdef".repeat(4);

    @TempDir
    Path dir;

    @Test
    void referencesReadAsDockerReadsThem() throws Exception {
        ImageReference debian = ImageReference.parse("debian");
        assertThat(debian).isEqualTo(new ImageReference("docker.io", "library/debian", "latest", null));
        assertThat(debian.apiHost()).isEqualTo("registry-1.docker.io");
        assertThat(ImageReference.parse("bitnami/redis:7.2").repository()).isEqualTo("bitnami/redis");
        assertThat(ImageReference.parse("index.docker.io/library/alpine:3").registry())
                .isEqualTo("docker.io");

        ImageReference local = ImageReference.parse("localhost:5000/team/app:v1.2-rc");
        assertThat(local).isEqualTo(new ImageReference("localhost:5000", "team/app", "v1.2-rc", null));
        assertThat(local.apiHost()).isEqualTo("localhost:5000");
        assertThat(local.manifestReference()).isEqualTo("v1.2-rc");

        ImageReference pinned = ImageReference.parse("ghcr.io/org/img:tag@sha256:" + HEX);
        assertThat(pinned.digest()).isEqualTo(Digest.ofHex(HEX));
        assertThat(pinned.manifestReference()).isEqualTo("sha256:" + HEX);
        assertThat(ImageReference.parse("ghcr.io/org/img@sha256:" + HEX).tag()).isNull();
        assertThat(ImageReference.parse("[::1]:5000/app").registry()).isEqualTo("[::1]:5000");
    }

    @Test
    void malformedReferencesAreRefusedNamingThePart() {
        assertThatThrownBy(() -> ImageReference.parse("")).hasMessageContaining("it is empty");
        assertThatThrownBy(() -> ImageReference.parse("Debian")).hasMessageContaining("repository component 'Debian'");
        assertThatThrownBy(() -> ImageReference.parse("reg.io/../etc")).hasMessageContaining("component '..'");
        // as docker reads it: a first part with a colon is a registry
        assertThatThrownBy(() -> ImageReference.parse("app:bad/tag")).hasMessageContaining("registry port 'bad'");
        assertThatThrownBy(() -> ImageReference.parse("app:-x")).hasMessageContaining("the tag '-x'");
        assertThatThrownBy(() -> ImageReference.parse("reg.io:99999/app")).hasMessageContaining("port '99999'");
        assertThatThrownBy(() -> ImageReference.parse("app@sha512:" + HEX + HEX))
                .hasMessageContaining("only sha256:<hex> digests are verified");
        assertThatThrownBy(() -> ImageReference.parse("app@sha256:ABC")).hasMessageContaining("64 lower-case hex");
        assertThatThrownBy(() -> ImageReference.parse("reg.io/app\n:v1")).hasMessageContaining("\\x0a");
        assertThatThrownBy(() -> ImageReference.parse("a/".repeat(300) + "b")).hasMessageContaining("longer than");
    }

    @Test
    void platformsAreOsArchAndVariant() throws Exception {
        assertThat(Platform.parse("linux/arm/v7")).isEqualTo(new Platform("linux", "arm", "v7"));
        assertThat(Platform.of("Linux", "x86_64")).isEqualTo(new Platform("linux", "amd64", null));
        assertThat(Platform.of("Linux", "aarch64")).isEqualTo(new Platform("linux", "arm64", null));
        assertThat(Platform.parse("linux/arm64/v8").accepts(new Platform("linux", "arm64", null)))
                .isTrue();
        assertThat(Platform.parse("linux/arm/v7").accepts(new Platform("linux", "arm", "v6")))
                .isFalse();
        assertThat(Platform.parse("linux/arm").accepts(new Platform("linux", "arm", "v6")))
                .isTrue();
        assertThat(Platform.parse("linux/amd64").accepts(new Platform("windows", "amd64", null)))
                .isFalse();
        assertThatThrownBy(() -> Platform.parse("amd64")).hasMessageContaining("not os/architecture[/variant]");
        assertThatThrownBy(() -> Platform.parse("linux/AMD64")).hasMessageContaining("part 'AMD64'");
    }

    @Test
    void dockerConfigLoginsAreFoundByEverySpellingOfTheRegistry() throws Exception {
        Path config = dir.resolve("config.json");
        Files.writeString(config, """
                {"auths": {
                  "https://index.docker.io/v1/": {"auth": "aHViOnB3OndpdGg6Y29sb25z"},
                  "registry.example.com:5000": {"username": "u", "password": "p"},
                  "ghcr.io": {"identitytoken": "not used"}
                }, "credsStore": "never-run"}
                """);
        RegistryCredentials creds = RegistryCredentials.read(config);
        assertThat(creds.forRegistry("docker.io")).contains(new RegistryCredentials.Login("hub", "pw:with:colons"));
        assertThat(creds.forRegistry("registry.example.com:5000")).contains(new RegistryCredentials.Login("u", "p"));
        assertThat(creds.forRegistry("ghcr.io")).isEmpty();
        assertThat(creds.forRegistry("registry.example.com")).isEmpty();
        assertThat(creds.forRegistry("docker.io").orElseThrow().toString()).doesNotContain("pw");

        Files.writeString(config, "{\"auths\": {\"x.io\": {\"auth\": \"%%%\"}}}");
        assertThatThrownBy(() -> RegistryCredentials.read(config))
                .hasMessageContaining("auths.x.io.auth is not base64");
        Files.writeString(config, "[1, 2]");
        assertThatThrownBy(() -> RegistryCredentials.read(config)).hasMessageContaining("is not a docker config.json");
    }

    @Test
    void challengesAreReadWithQuotedParameters() {
        List<Challenge> parsed =
                Challenge.parse("Bearer realm=\"https://auth.example.com/token\",service=\"registry.example.com\","
                        + "scope=\"repository:team/app:pull,push\", Basic realm=\"x\"");
        assertThat(parsed)
                .containsExactly(
                        new Challenge(
                                "bearer",
                                Map.of(
                                        "realm", "https://auth.example.com/token",
                                        "service", "registry.example.com",
                                        "scope", "repository:team/app:pull,push")),
                        new Challenge("basic", Map.of("realm", "x")));
        assertThat(Challenge.parse("Basic realm=plain"))
                .containsExactly(new Challenge("basic", Map.of("realm", "plain")));
    }
}
