package io.workdisk.agent.source.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.workdisk.agent.cli.AgentCli;
import io.workdisk.agent.engine.DiskEngine;
import io.workdisk.agent.engine.oci.Compression;
import io.workdisk.agent.engine.oci.Platform;
import io.workdisk.agent.testing.DebugfsTree;
import io.workdisk.agent.testing.Shell;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code build-seed --image} from a real registry: the tag is pulled into ROOT/layers, the layers are
 * applied, and {@code --json} says which digest it was and what the cache saved; a second seed from the
 * same image fetches no layer.
 */
class ImageCliTest {
    @TempDir
    Path tmp;

    @Test
    void buildSeedFromARegistryImageThenAgainFromTheCache() throws Exception {
        try (TestRegistry registry = TestRegistry.start(tmp.resolve("registry"), TestRegistry.Setup.plain())) {
            TestImages images = TestImages.anonymous(registry, tmp.resolve("work"));
            TestImages.Pushed pushed = images.image(
                    "base/debian",
                    "12",
                    Platform.host(),
                    List.of(
                            images.layer(
                                    Map.of("root/.bashrc", "alias ll='ls -l'\n", "root/old", "gone\n"),
                                    Compression.GZIP),
                            images.layer(Map.of("root/.wh.old", "", "root/notes", "kept\n"), Compression.ZSTD)));
            String reference = registry.host() + "/base/debian:12";
            Path data = Files.createDirectories(tmp.resolve("data"));

            JsonNode cold = buildSeed(data, reference, data.resolve("first.ext4"));
            assertThat(cold.get("resolvedDigest").asText())
                    .isEqualTo(pushed.digest().toString());
            assertThat(cold.get("layersFetched").asLong()).isEqualTo(2);
            assertThat(cold.get("layersCached").asLong()).isZero();
            assertThat(cold.get("phaseSeconds").has("resolve")).isTrue();
            assertThat(cold.get("subtree").asText()).isEqualTo("/root");

            JsonNode warm = buildSeed(data, reference, data.resolve("second.ext4"));
            assertThat(warm.get("layersFetched").asLong()).isZero();
            assertThat(warm.get("layersCached").asLong()).isEqualTo(2);
            assertThat(warm.get("layerBytesFetched").asLong()).isZero();

            Path seed = data.resolve("second.ext4");
            Shell.assertFsckClean(seed);
            Map<String, DebugfsTree.Entry> tree = DebugfsTree.read(seed, tmp);
            assertThat(tree.keySet()).containsExactlyInAnyOrder("", ".bashrc", "notes");
            assertThat(new String(tree.get("notes").content(), StandardCharsets.UTF_8))
                    .isEqualTo("kept\n");
        }
    }

    private JsonNode buildSeed(Path data, String reference, Path out) throws Exception {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        int code = AgentCli.run(
                DiskEngine.standard(),
                new PrintStream(stdout, true, StandardCharsets.UTF_8),
                new PrintStream(stderr, true, StandardCharsets.UTF_8),
                "build-seed",
                "--json",
                "--image",
                reference,
                "--plain-http",
                "--root",
                data.toString(),
                out.toString());
        assertThat(code).as(stderr.toString(StandardCharsets.UTF_8)).isZero();
        return new ObjectMapper().readTree(stdout.toString(StandardCharsets.UTF_8));
    }
}
