package io.workdisk.agent.engine.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.workdisk.agent.engine.ext4.Inode;
import io.workdisk.agent.engine.seed.PaxTarWriter;
import io.workdisk.agent.engine.seed.SeedOwnership;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.Problem;
import io.workdisk.agent.engine.tools.E2fsTools;
import io.workdisk.agent.engine.tools.Mkfs;
import io.workdisk.agent.testing.Requirements;
import io.workdisk.agent.testing.Shell;
import java.io.RandomAccessFile;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The second read of the layers, into mke2fs: it must find the layers as the first read left them, and a
 * layer that changed in between stops mke2fs with the layer named, never a seed from mixed content.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class FlatImageTest {
    @TempDir
    Path tmp;

    private final E2fsTools tools = E2fsTools.fromEnvironment();
    private final List<Long> written = new ArrayList<>();
    private Path image;

    @BeforeEach
    void setUp() throws Exception {
        Requirements.mke2fsReadsTar(tmp);
        image = tmp.resolve("seed.img");
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(64 << 20);
        }
    }

    private Layer layer(String name, String content) throws Exception {
        Path tar = tmp.resolve("layer.tar");
        Files.deleteIfExists(tar);
        return TarWriter.layerAt(
                tar, w -> w.dir("d/", 0755).file(name, 0644, content).file("d/other", 0600, "other"));
    }

    private FlatImage index(Layer layer) throws EngineException {
        LayerIndex index = ImageSeeds.index(
                SeedOwnership.PRESERVE, LayerLimits.defaults(), new Inode.Timestamp(1_700_000_000L, 0));
        index.applyAll(List.of(layer));
        return index.plan("/");
    }

    private void feedMke2fs(FlatImage tar, Layer layer) throws Exception {
        tools.runFeeding(
                "mkfs.ext4",
                Mkfs.seedFromStandardInput(image, 16384),
                stdin -> tar.writeTar(
                        List.of(layer),
                        LayerLimits.defaults(),
                        PaxTarWriter.streaming(Channels.newChannel(stdin)),
                        written::add));
    }

    @Test
    void aLayerAsTheFirstReadLeftItBecomesTheFilesystem() throws Exception {
        Layer layer = layer("d/file", "content");
        feedMke2fs(index(layer), layer);

        assertThat(Shell.ok("debugfs", "-R", "cat /d/file", image.toString())).isEqualTo("content");
        // progress as it went: the root and d, then each file, then (no hard links) the same total
        assertThat(written).containsExactly(2L, 3L, 4L, 4L);
        Shell.assertFsckClean(image);
    }

    @Test
    void aLayerWhoseBytesChangedBetweenTheReadsIsRefusedByItsDigest() throws Exception {
        Layer layer = layer("d/file", "content");
        FlatImage tar = index(layer);
        layer("d/file", "CONTENT"); // same size, same headers, other bytes

        assertThatThrownBy(() -> feedMke2fs(tar, layer))
                .isInstanceOf(EngineException.class)
                .hasMessageContaining("does not match its digest")
                .extracting(e -> ((EngineException) e).problem())
                .isEqualTo(Problem.CORRUPT_IMAGE);
    }

    @Test
    void aLayerWhoseEntriesChangedBetweenTheReadsIsNamedBeforeItsDataIsUsed() throws Exception {
        Layer layer = layer("d/file", "content");
        FlatImage tar = index(layer);
        layer("d/elif", "content");

        assertThatThrownBy(() -> feedMke2fs(tar, layer))
                .isInstanceOf(EngineException.class)
                .hasMessageContaining("changed between its two reads")
                .extracting(e -> ((EngineException) e).problem())
                .isEqualTo(Problem.CORRUPT_IMAGE);
        assertThat(new String(Files.readAllBytes(layer.file()), StandardCharsets.ISO_8859_1))
                .contains("d/elif");
    }
}
