package io.workdisk.agent.engine.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.workdisk.agent.engine.oci.Platform;
import io.workdisk.agent.engine.seed.SeedOwnership;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.Problem;
import java.io.FileOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading image archives: both docker save layouts, platform choice, and documents that lie or grow. */
class OciArchiveTest {
    @TempDir
    Path tmp;

    private Path oneLayerLayout(String arch) throws Exception {
        Path tar = tmp.resolve("l.tar");
        TarWriter w = new TarWriter(new FileOutputStream(tar.toFile()));
        w.dir("root/", 0700).file("root/hello", 0644, "hello");
        w.finish();
        Path layout = Files.createDirectories(tmp.resolve("layout"));
        OciLayouts.layout(layout, List.of(new OciLayouts.LayerFile(tar, "gzip")), arch);
        return layout;
    }

    private static void assertFails(Path archive, Problem problem, String message) {
        assertThatThrownBy(() -> OciArchive.read(archive, Platform.host()))
                .isInstanceOf(EngineException.class)
                .hasMessageContaining(message)
                .extracting(e -> ((EngineException) e).problem())
                .isEqualTo(problem);
    }

    @Test
    void anImageForAnotherPlatformIsRefusedNamingWhatTheArchiveHas() throws Exception {
        Path layout = oneLayerLayout("s390x");
        // the one index walk's fault and line, as for a registry (it was INVALID_IMAGE, "(it has ...)")
        assertFails(
                OciLayouts.pack(layout, tmp.resolve("a.tar")),
                Problem.SOURCE_INVALID,
                "has no manifest for " + Platform.host() + "; it has linux/s390x");
        assertThat(OciArchive.read(tmp.resolve("a.tar"), Platform.parse("linux/s390x"))
                        .layers())
                .hasSize(1);
    }

    @Test
    void anIndexJsonOverFourMebibytesIsRefusedUnread() throws Exception {
        Path layout = oneLayerLayout(Platform.host().architecture());
        String index = Files.readString(layout.resolve("index.json"));
        Files.writeString(layout.resolve("index.json"), index + " ".repeat(5 << 20));
        assertFails(OciLayouts.pack(layout, tmp.resolve("a.tar")), Problem.INVALID_IMAGE, "documents over");
    }

    @Test
    void indexesNestedTooDeepAreRefused() throws Exception {
        Path layout = oneLayerLayout(Platform.host().architecture());
        Map<String, Object> top =
                OciLayouts.JSON.readValue(layout.resolve("index.json").toFile(), Map.class);
        Object descriptor = ((List<?>) top.get("manifests")).get(0);
        for (int i = 0; i < 6; i++) {
            Map<String, Object> index = new LinkedHashMap<>();
            index.put("schemaVersion", 2);
            index.put("mediaType", "application/vnd.oci.image.index.v1+json");
            index.put("manifests", List.of(descriptor));
            descriptor = OciLayouts.writeBlob(
                    layout.resolve("blobs/sha256"),
                    "application/vnd.oci.image.index.v1+json",
                    OciLayouts.JSON.writeValueAsBytes(index));
        }
        OciLayouts.JSON.writeValue(
                layout.resolve("index.json").toFile(), Map.of("schemaVersion", 2, "manifests", List.of(descriptor)));
        // the one limit, the registry's (the archive's was 4): index.json counts as the first index
        assertFails(
                OciLayouts.pack(layout, tmp.resolve("a.tar")),
                Problem.SOURCE_INVALID,
                "nests indexes more than 2 deep");
    }

    @Test
    void aManifestAlteredAfterItWasNamedIsRefused() throws Exception {
        Path layout = oneLayerLayout(Platform.host().architecture());
        Map<String, Object> top =
                OciLayouts.JSON.readValue(layout.resolve("index.json").toFile(), Map.class);
        String digest = (String) ((Map<?, ?>) ((List<?>) top.get("manifests")).get(0)).get("digest");
        Path blob = layout.resolve("blobs/sha256/" + digest.substring(7));
        String manifest = Files.readString(blob);
        Files.writeString(blob, manifest.replace("\"schemaVersion\":2", "\"schemaVersion\":3"));
        assertFails(OciLayouts.pack(layout, tmp.resolve("a.tar")), Problem.CORRUPT_IMAGE, "does not match its digest");
    }

    @Test
    void aLayerWhoseSizeDiffersFromItsDescriptorIsRefused() throws Exception {
        Path layout = oneLayerLayout(Platform.host().architecture());
        Map<String, Object> top =
                OciLayouts.JSON.readValue(layout.resolve("index.json").toFile(), Map.class);
        String digest = (String) ((Map<?, ?>) ((List<?>) top.get("manifests")).get(0)).get("digest");
        Map<String, Object> manifest = OciLayouts.JSON.readValue(
                layout.resolve("blobs/sha256/" + digest.substring(7)).toFile(), Map.class);
        Map<String, Object> layer = (Map<String, Object>) ((List<?>) manifest.get("layers")).get(0);
        layer.put("size", ((Number) layer.get("size")).longValue() - 1);
        Map<String, Object> desc = OciLayouts.writeBlob(
                layout.resolve("blobs/sha256"),
                "application/vnd.oci.image.manifest.v1+json",
                OciLayouts.JSON.writeValueAsBytes(manifest));
        OciLayouts.JSON.writeValue(
                layout.resolve("index.json").toFile(), Map.of("schemaVersion", 2, "manifests", List.of(desc)));
        assertFails(OciLayouts.pack(layout, tmp.resolve("a.tar")), Problem.CORRUPT_IMAGE, "but the manifest says");
    }

    @Test
    void aCompressedArchiveIsNamed() throws Exception {
        Path archive = OciLayouts.pack(oneLayerLayout(Platform.host().architecture()), tmp.resolve("a.tar"));
        io.workdisk.agent.testing.Shell.ok("gzip", archive.toString());
        assertFails(Path.of(archive + ".gz"), Problem.INVALID_IMAGE, "is compressed");
    }

    @Test
    void anOldStyleDockerSaveArchiveIsReadAndItsLayersVerifiedByDiffId() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("docker"));
        List<String> layerNames = new ArrayList<>();
        List<String> diffIds = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Path layerDir = Files.createDirectories(dir.resolve("id" + i));
            Path tar = layerDir.resolve("layer.tar");
            TarWriter w = new TarWriter(new FileOutputStream(tar.toFile()));
            if (i == 0) {
                w.dir("root/", 0700).file("root/a", 0644, "a").file("root/b", 0644, "b");
            } else {
                w.file("root/.wh.a", 0644, "").file("root/c", 0600, "c");
            }
            w.finish();
            layerNames.add("id" + i + "/layer.tar");
            diffIds.add(OciLayouts.sha256(tar));
        }
        byte[] config = OciLayouts.JSON.writeValueAsBytes(Map.of(
                "architecture", Platform.host().architecture(),
                "os", "linux",
                "rootfs", Map.of("type", "layers", "diff_ids", diffIds)));
        String configName = OciLayouts.sha256(config).substring(7) + ".json";
        Files.write(dir.resolve(configName), config);
        OciLayouts.JSON.writeValue(
                dir.resolve("manifest.json").toFile(),
                List.of(Map.of("Config", configName, "RepoTags", List.of("x:latest"), "Layers", layerNames)));
        ImageLayers image = OciArchive.read(OciLayouts.pack(dir, tmp.resolve("save.tar")), Platform.host());

        assertThat(image.manifestDigest()).isEqualTo("sha256:" + configName.replace(".json", ""));
        Path root = Files.createDirectories(tmp.resolve("flat"));
        LayerIndex index = ImageSeeds.index(
                SeedOwnership.ROOT, LayerLimits.defaults(), new io.workdisk.agent.engine.ext4.Inode.Timestamp(0, 0));
        index.applyAll(image.layers());
        index.plan("/").writeTree(image.layers(), LayerLimits.defaults(), root, written -> {});
        assertThat(root.resolve("root/a")).doesNotExist();
        assertThat(root.resolve("root/b")).hasContent("b");
        assertThat(root.resolve("root/c")).hasContent("c");
        assertThat(index.plan("/root").extraction().entries())
                .extracting(e -> e.path())
                .containsExactlyInAnyOrder("", "b", "c");
    }

    @Test
    void aNewStyleDockerSaveArchiveIsReadAsTheOciLayoutItAlsoIs() throws Exception {
        Path layout = oneLayerLayout(Platform.host().architecture());
        ImageLayers plain = OciArchive.read(OciLayouts.pack(layout, tmp.resolve("oci.tar")), Platform.host());
        // docker save since 25 writes an OCI layout plus the old manifest.json naming the same blobs
        OciLayouts.JSON.writeValue(
                layout.resolve("manifest.json").toFile(),
                List.of(Map.of(
                        "Config", "blobs/sha256/" + plain.configDigest().substring(7),
                        "RepoTags", List.of("x:latest"),
                        "Layers",
                                List.of("blobs/sha256/"
                                        + plain.layers().get(0).digest().hex()))));

        ImageLayers docker = OciArchive.read(OciLayouts.pack(layout, tmp.resolve("docker.tar")), Platform.host());

        assertThat(docker.manifestDigest()).isEqualTo(plain.manifestDigest());
        assertThat(docker.layers())
                .extracting(Layer::digest)
                .containsExactly(plain.layers().get(0).digest());
        assertThat(docker.layers().get(0).diffId()).isPresent();
    }
}
