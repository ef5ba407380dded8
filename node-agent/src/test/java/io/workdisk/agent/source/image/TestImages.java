package io.workdisk.agent.source.image;

import static io.workdisk.agent.testing.Shell.ok;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.workdisk.agent.engine.oci.Compression;
import io.workdisk.agent.engine.oci.Digest;
import io.workdisk.agent.engine.oci.MediaTypes;
import io.workdisk.agent.engine.oci.Platform;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Test images made with the real tools: each layer a directory packed by {@code tar}, compressed by
 * {@code gzip} or {@code zstd} (or not), with a config whose diff_ids are the tars' digests, pushed as
 * OCI or Docker schema 2 manifests, and indexes over them.
 */
public final class TestImages {
    private final ImagePusher pusher;
    private final Path work;
    private final ObjectMapper json = new ObjectMapper();
    private int made;

    public TestImages(ImagePusher pusher, Path work) {
        this.pusher = pusher;
        this.work = work;
    }

    /** Images pushed to {@code registry} without credentials, their layers made under {@code work}. */
    public static TestImages anonymous(TestRegistry registry, Path work) {
        return new TestImages(
                new ImagePusher(registry.base(), java.net.http.HttpClient.newHttpClient(), repo -> null), work);
    }

    public record Layer(byte[] blob, String mediaType, Digest digest, Digest diffId) {
        Layer withMediaType(String type) {
            return new Layer(blob, type, digest, diffId);
        }
    }

    public record Pushed(
            String repository, Digest digest, byte[] manifest, String mediaType, Digest config, List<Layer> layers) {}

    /** A layer of {@code files} (name → content), compressed as asked, with the matching OCI media type. */
    public Layer layer(Map<String, String> files, Compression compression) {
        try {
            return pack(Files.createDirectories(work.resolve("layer-" + (++made))), files, compression);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Layer pack(Path dir, Map<String, String> files, Compression compression) {
        try {
            for (Map.Entry<String, String> f : files.entrySet()) {
                Path p = dir.resolve(f.getKey());
                Files.createDirectories(p.getParent());
                Files.writeString(p, f.getValue(), StandardCharsets.UTF_8);
            }
            return tarred(dir, compression, List.of("--owner=0", "--group=0"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A layer of the tree at {@code dir} as it stands: owners, modes and extended attributes (such as
     * {@code security.capability}) kept, as a root-built image has them.
     */
    public Layer layerOfTree(Path dir, Compression compression) {
        return tarred(dir, compression, List.of("--xattrs", "--xattrs-include=*"));
    }

    private Layer tarred(Path dir, Compression compression, List<String> ownership) {
        try {
            Path tar = Files.createDirectories(work).resolve("layer-" + (++made) + ".tar");
            List<String> command = new java.util.ArrayList<>(List.of("tar", "--sort=name", "--mtime=@0"));
            command.addAll(ownership);
            command.addAll(List.of("--numeric-owner", "-C", dir.toString(), "-cf", tar.toString(), "."));
            ok(command.toArray(String[]::new));
            byte[] plain = Files.readAllBytes(tar);
            Path out = switch (compression) {
                case NONE -> tar;
                case GZIP -> {
                    ok("gzip", "-n", "-k", tar.toString());
                    yield Path.of(tar + ".gz");
                }
                case ZSTD -> {
                    ok("zstd", "-q", "-k", tar.toString(), "-o", tar + ".zst");
                    yield Path.of(tar + ".zst");
                }
            };
            byte[] blob = Files.readAllBytes(out);
            String type = switch (compression) {
                case NONE -> MediaTypes.OCI_LAYER;
                case GZIP -> MediaTypes.OCI_LAYER_GZIP;
                case ZSTD -> MediaTypes.OCI_LAYER_ZSTD;
            };
            return new Layer(blob, type, RegistryClient.sha256(blob), RegistryClient.sha256(plain));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A layer holding one existing file (large, for benchmarks), compressed as asked. */
    Layer layerOfFile(Path file, Compression compression) {
        try {
            Path dir = Files.createDirectories(work.resolve("layer-" + (++made)));
            Files.move(file, dir.resolve(file.getFileName()));
            Map<String, String> none = Map.of();
            return pack(dir, none, compression);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An OCI image of these layers for {@code platform}, pushed under {@code tag}. */
    public Pushed image(String repository, String tag, Platform platform, List<Layer> layers) {
        return image(repository, tag, platform, layers, MediaTypes.OCI_MANIFEST, MediaTypes.OCI_CONFIG);
    }

    Pushed image(
            String repository,
            String tag,
            Platform platform,
            List<Layer> layers,
            String manifestType,
            String configType) {
        ObjectNode config = json.createObjectNode()
                .put("architecture", platform.architecture())
                .put("os", platform.os());
        if (platform.variant() != null) {
            config.put("variant", platform.variant());
        }
        config.putObject("config").putArray("Cmd").add("/bin/sh");
        ObjectNode rootfs = config.putObject("rootfs").put("type", "layers");
        ArrayNode ids = rootfs.putArray("diff_ids");
        layers.forEach(l -> ids.add(l.diffId().toString()));
        byte[] configBytes = bytes(config);
        Digest configDigest = pusher.blob(repository, configBytes);
        for (Layer l : layers) {
            pusher.blob(repository, l.blob());
        }
        ObjectNode manifest = json.createObjectNode().put("schemaVersion", 2).put("mediaType", manifestType);
        manifest.putObject("config")
                .put("mediaType", configType)
                .put("digest", configDigest.toString())
                .put("size", configBytes.length);
        ArrayNode list = manifest.putArray("layers");
        for (Layer l : layers) {
            list.addObject()
                    .put("mediaType", l.mediaType())
                    .put("digest", l.digest().toString())
                    .put("size", l.blob().length);
        }
        byte[] body = bytes(manifest);
        Digest digest = pusher.manifest(repository, tag, manifestType, body);
        return new Pushed(repository, digest, body, manifestType, configDigest, layers);
    }

    /** An OCI index naming each image for its platform (and any nested {@code extra} entries), under {@code tag}. */
    Digest index(String repository, String tag, Map<Platform, Pushed> images) {
        return pusher.manifest(repository, tag, MediaTypes.OCI_INDEX, indexBytes(images));
    }

    byte[] indexBytes(Map<Platform, Pushed> images) {
        ObjectNode index = json.createObjectNode().put("schemaVersion", 2).put("mediaType", MediaTypes.OCI_INDEX);
        ArrayNode list = index.putArray("manifests");
        images.forEach((platform, image) -> {
            ObjectNode entry = list.addObject()
                    .put("mediaType", image.mediaType())
                    .put("digest", image.digest().toString())
                    .put("size", image.manifest().length);
            ObjectNode p = entry.putObject("platform")
                    .put("architecture", platform.architecture())
                    .put("os", platform.os());
            if (platform.variant() != null) {
                p.put("variant", platform.variant());
            }
        });
        return bytes(index);
    }

    /** An index of one entry, for {@code platform}, pointing at another index or manifest. */
    Pushed wrap(String repository, String tag, Platform platform, Pushed inner) {
        byte[] body = indexBytes(Map.of(platform, inner));
        Digest digest = pusher.manifest(repository, tag, MediaTypes.OCI_INDEX, body);
        return new Pushed(repository, digest, body, MediaTypes.OCI_INDEX, null, inner.layers());
    }

    private byte[] bytes(ObjectNode node) {
        try {
            return json.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
