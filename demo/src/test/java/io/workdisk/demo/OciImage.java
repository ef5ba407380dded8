package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.workdisk.agent.testing.Shell;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One of the OCI image archives that {@code ./workdisk images} writes to target/images, unpacked the way a
 * runtime unpacks it: {@code umoci unpack} turns the image's layers into a root filesystem and its config
 * (entrypoint, command, user, environment) into an OCI runtime bundle, which {@link Container} runs with runc.
 */
final class OciImage {
    static final Path DIR = Path.of("..", "target", "images").toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path bundle;
    private final JsonNode imageConfig;

    private OciImage(Path bundle, JsonNode imageConfig) {
        this.bundle = bundle;
        this.imageConfig = imageConfig;
    }

    static Path archive(String name) {
        return DIR.resolve(name + ".oci.tar");
    }

    /** Unpacks the archive into {@code dir} (layout/ as in the archive, bundle/ as umoci makes it). */
    static OciImage unpack(Path archive, Path dir) throws IOException {
        Path layout = Files.createDirectories(dir.resolve("layout"));
        Shell.ok("tar", "-xf", archive.toString(), "-C", layout.toString());
        JsonNode index = JSON.readTree(layout.resolve("index.json").toFile());
        assertThat(index.path("manifests")).as("images in %s", archive).hasSize(1);
        String tag = index.path("manifests")
                .get(0)
                .path("annotations")
                .path("org.opencontainers.image.ref.name")
                .asText();
        assertThat(tag).as("the archive's reference (the tag it loads as)").isNotEmpty();
        JsonNode manifest = JSON.readTree(
                blob(layout, index.path("manifests").get(0).path("digest").asText())
                        .toFile());
        JsonNode config = JSON.readTree(
                blob(layout, manifest.path("config").path("digest").asText()).toFile());
        Path bundle = dir.resolve("bundle");
        Shell.ok("umoci", "unpack", "--image", layout + ":" + tag, bundle.toString());
        return new OciImage(bundle, config);
    }

    private static Path blob(Path layout, String digest) {
        return layout.resolve("blobs").resolve(digest.replace(':', '/'));
    }

    /** The runtime bundle's config.json: the image config as umoci translated it into a process to run. */
    JsonNode runtimeConfig() throws IOException {
        return JSON.readTree(bundle.resolve("config.json").toFile());
    }

    Path rootfs() {
        return bundle.resolve("rootfs");
    }

    /** The image config's {@code config} part: Entrypoint, Cmd, User, Env, Labels. */
    JsonNode config() {
        return imageConfig.path("config");
    }

    List<String> entrypoint() {
        List<String> out = new ArrayList<>();
        config().path("Entrypoint").forEach(n -> out.add(n.asText()));
        return out;
    }

    Optional<List<String>> cmd() {
        JsonNode cmd = config().path("Cmd");
        if (cmd.isMissingNode() || cmd.isNull()) {
            return Optional.empty();
        }
        List<String> out = new ArrayList<>();
        cmd.forEach(n -> out.add(n.asText()));
        return Optional.of(out);
    }

    String user() {
        return config().path("User").asText("");
    }

    Map<String, String> labels() {
        Map<String, String> out = new TreeMap<>();
        config().path("Labels")
                .properties()
                .forEach(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    /** A container of this image, configured as a pod spec would, not yet started. */
    Container container(Path dir) throws IOException {
        return new Container(this, dir);
    }
}
