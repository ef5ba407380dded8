package io.workdisk.agent.engine.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.workdisk.agent.engine.ext4.Inode;
import io.workdisk.agent.engine.oci.Digest;
import io.workdisk.agent.engine.oci.MediaTypes;
import io.workdisk.agent.engine.seed.ExpectedEntry;
import io.workdisk.agent.engine.seed.Extraction;
import io.workdisk.agent.engine.seed.SeedOwnership;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.Problem;
import io.workdisk.agent.testing.Shell;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Hostile layers (the agent is root): each is refused with a named error, and nothing outside the
 * staging directory is written, removed or linked. "outside" holds a secret every case aims at.
 */
class HostileLayersTest {
    @TempDir
    Path tmp;

    Path stage;
    Path outside;
    Path secret;
    int layerCount;

    @BeforeEach
    void setUp() throws IOException {
        stage = Files.createDirectories(tmp.resolve("stage/rootfs"));
        outside = Files.createDirectories(tmp.resolve("outside"));
        secret = Files.writeString(outside.resolve("secret"), "secret");
    }

    private Layer layer(TarWriter.Entries entries) throws IOException {
        return TarWriter.layerAt(tmp.resolve("layer" + (++layerCount) + ".tar"), entries);
    }

    /** The two ways a seed gets the layers: headers into memory, then written into a staging tree or not. */
    enum Way {
        STAGING_TREE,
        TAR_INDEX
    }

    private Extraction apply(Way way, LayerLimits limits, Layer... layers) throws Exception {
        LayerIndex index = ImageSeeds.index(SeedOwnership.PRESERVE, limits, new Inode.Timestamp(1_700_000_000L, 0));
        index.applyAll(List.of(layers));
        index.finish();
        FlatImage image = index.plan("/");
        if (way == Way.STAGING_TREE && !image.isEmpty()) {
            image.writeTree(List.of(layers), limits, stage, written -> {});
        }
        return image.extraction();
    }

    private static ExpectedEntry entry(Extraction extraction, String path) {
        return extraction.entries().stream()
                .filter(e -> e.path().equals(path))
                .findFirst()
                .orElseThrow();
    }

    private void assertRefused(Way way, Problem problem, String message, Layer... layers) {
        assertThatThrownBy(() -> apply(way, LayerLimits.defaults(), layers))
                .isInstanceOf(EngineException.class)
                .hasMessageContaining(message)
                .extracting(e -> ((EngineException) e).problem())
                .isEqualTo(problem);
        assertOutsideUntouched();
    }

    private void assertOutsideUntouched() {
        try (Stream<Path> s = Files.list(outside)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("secret");
            assertThat(Files.readString(secret)).isEqualTo("secret");
            assertThat(Files.getAttribute(secret, "unix:nlink")).isEqualTo(1);
            try (Stream<Path> t = Files.list(tmp)) {
                assertThat(t.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith("layer")))
                        .containsExactlyInAnyOrder("stage", "outside");
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @ParameterizedTest
    @EnumSource(Way.class)
    void aNameWithDotDotIsRefused(Way way) throws Exception {
        assertRefused(
                way,
                Problem.INVALID_IMAGE,
                "climbs out of the image",
                layer(w -> w.file("../../outside/evil", 0644, "x")));
    }

    @ParameterizedTest
    @EnumSource(Way.class)
    void anAbsoluteNameIsRefused(Way way) throws Exception {
        assertRefused(way, Problem.INVALID_IMAGE, "absolute name", layer(w -> w.file(outside + "/evil", 0644, "x")));
    }

    @ParameterizedTest
    @EnumSource(Way.class)
    void writingThroughASymlinkOfTheSameLayerIsRefused(Way way) throws Exception {
        assertRefused(
                way,
                Problem.INVALID_IMAGE,
                "written through the symlink /link",
                layer(w -> w.symlink("link", outside.toString()).file("link/evil", 0644, "x")));
    }

    @ParameterizedTest
    @EnumSource(Way.class)
    void writingThroughASymlinkOfALowerLayerIsRefused(Way way) throws Exception {
        assertRefused(
                way,
                Problem.INVALID_IMAGE,
                "written through the symlink /link",
                layer(w -> w.symlink("link", "../../outside")),
                layer(w -> w.file("link/secret", 0644, "overwritten")));
    }

    @ParameterizedTest
    @EnumSource(Way.class)
    void aWhiteoutThroughASymlinkRemovesNothingOutside(Way way) throws Exception {
        assertRefused(
                way,
                Problem.INVALID_IMAGE,
                "through the symlink /link",
                layer(w -> w.symlink("link", outside.toString())),
                layer(w -> w.file("link/.wh.secret", 0644, "")));
    }

    @ParameterizedTest
    @EnumSource(Way.class)
    void anOpaqueMarkerThroughASymlinkEmptiesNothingOutside(Way way) throws Exception {
        assertRefused(
                way,
                Problem.INVALID_IMAGE,
                "through the symlink /link",
                layer(w -> w.symlink("link", outside.toString())),
                layer(w -> w.file("link/.wh..wh..opq", 0644, "")));
    }

    @ParameterizedTest
    @EnumSource(Way.class)
    void aFileReplacingASymlinkReplacesTheLinkNotItsTarget(Way way) throws Exception {
        Extraction x = apply(
                way,
                LayerLimits.defaults(),
                layer(w -> w.symlink("f", secret.toString())),
                layer(w -> w.file("f", 0644, "replaced")));
        assertThat(Integer.toOctalString(entry(x, "f").mode())).isEqualTo("100644");
        if (way == Way.STAGING_TREE) {
            assertThat(Files.isSymbolicLink(stage.resolve("f"))).isFalse();
            assertThat(Files.readString(stage.resolve("f"))).isEqualTo("replaced");
        }
        assertOutsideUntouched();
    }

    @ParameterizedTest
    @EnumSource(Way.class)
    void aHardLinkOutsideTheTreeIsRefused(Way way) throws Exception {
        assertRefused(way, Problem.INVALID_IMAGE, "climbs out", layer(w -> w.hardLink("h", "../../outside/secret")));
    }

    @ParameterizedTest
    @EnumSource(Way.class)
    void anAbsoluteHardLinkIsRefused(Way way) throws Exception {
        assertRefused(way, Problem.INVALID_IMAGE, "absolute name", layer(w -> w.hardLink("h", secret.toString())));
    }

    @ParameterizedTest
    @EnumSource(Way.class)
    void aHardLinkThroughASymlinkIsRefused(Way way) throws Exception {
        assertRefused(
                way,
                Problem.INVALID_IMAGE,
                "through the symlink /d",
                layer(w -> w.symlink("d", outside.toString()).hardLink("h", "d/secret")));
    }

    @ParameterizedTest
    @EnumSource(Way.class)
    void aHardLinkToSomethingNoEntryMadeIsRefused(Way way) throws Exception {
        assertRefused(
                way, Problem.INVALID_IMAGE, "which no earlier entry made", layer(w -> w.hardLink("h", "missing")));
    }

    @ParameterizedTest
    @EnumSource(Way.class)
    void aDecompressionBombStopsAtTheByteLimit(Way way) throws Exception {
        Path tar = tmp.resolve("layer-bomb.tar");
        TarWriter w = new TarWriter(new FileOutputStream(tar.toFile()));
        w.entry("zeros", '0', 0644, 0, 0, 1, 0, "", new byte[32 << 20], Map.of());
        w.finish();
        Shell.ok("gzip", "-n", tar.toString());
        Path gz = Path.of(tar + ".gz");
        assertThat(Files.size(gz)).isLessThan(1 << 20);
        Layer bomb = Layer.blob(OciLayouts.digest(gz), MediaTypes.OCI_LAYER_GZIP, gz, Files.size(gz));
        assertThatThrownBy(() -> apply(way, new LayerLimits(8L << 20, 1000), bomb))
                .isInstanceOf(EngineException.class)
                .hasMessageContaining("decompression bomb")
                .extracting(e -> ((EngineException) e).problem())
                .isEqualTo(Problem.INVALID_IMAGE);
        assertOutsideUntouched();
    }

    @ParameterizedTest
    @EnumSource(Way.class)
    void tooManyEntriesStopAtTheEntryLimit(Way way) throws Exception {
        Layer many = layer(w -> {
            for (int i = 0; i < 200; i++) {
                w.file("f" + i, 0644, "");
            }
        });
        assertThatThrownBy(() -> apply(way, new LayerLimits(1L << 30, 100), many))
                .isInstanceOf(EngineException.class)
                .hasMessageContaining("more than 100 entries");
    }

    @ParameterizedTest
    @EnumSource(Way.class)
    void aDeclaredSizeLargerThanTheDataIsNamed(Way way) throws Exception {
        Path tar = tmp.resolve("layer-short.tar");
        try (FileOutputStream out = new FileOutputStream(tar.toFile())) {
            new TarWriter(out).raw("f", '0', 0644, 0, 0, 1, "", "ten bytes!".getBytes(StandardCharsets.UTF_8), 1 << 20);
        }
        Layer l = Layer.blob(OciLayouts.digest(tar), MediaTypes.OCI_LAYER, tar, Files.size(tar));
        assertRefused(way, Problem.INVALID_IMAGE, "ends inside an entry", l);
    }

    @ParameterizedTest
    @EnumSource(Way.class)
    void aDeclaredSizeSmallerThanTheDataIsNamed(Way way) throws Exception {
        Path tar = tmp.resolve("layer-long.tar");
        TarWriter w = new TarWriter(new FileOutputStream(tar.toFile()));
        byte[] data = new byte[1500];
        java.util.Arrays.fill(data, (byte) 'A'); // zeros past the declared size would read as the end marker
        w.raw("f", '0', 0644, 0, 0, 1, "", data, 10);
        w.finish();
        Layer l = Layer.blob(OciLayouts.digest(tar), MediaTypes.OCI_LAYER, tar, Files.size(tar));
        assertRefused(way, Problem.INVALID_IMAGE, "checksum", l);
    }

    @ParameterizedTest
    @EnumSource(Way.class)
    void anUnknownMediaTypeIsRefusedBeforeAnythingIsRead(Way way) throws Exception {
        Layer l = layer(w -> w.file("f", 0644, "x"));
        Layer odd = Layer.blob(l.digest(), "application/vnd.example.layer.v1.tar+lz4", l.file(), l.size());
        assertRefused(way, Problem.INVALID_IMAGE, "is not a layer this agent can apply", odd);
        try (Stream<Path> s = Files.list(stage)) {
            assertThat(s.toList()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(Way.class)
    void aLayerThatDoesNotMatchItsDigestIsRefused(Way way) throws Exception {
        Layer l = layer(w -> w.file("f", 0644, "x"));
        Layer lying = Layer.blob(Digest.ofHex("0".repeat(64)), l.mediaType(), l.file(), l.size());
        assertRefused(way, Problem.CORRUPT_IMAGE, "does not match its digest", lying);
    }

    @ParameterizedTest
    @EnumSource(Way.class)
    void aLayerThatIsNotGzipIsNamed(Way way) throws Exception {
        Layer l = layer(w -> w.file("f", 0644, "x"));
        Layer wrong = Layer.blob(l.digest(), MediaTypes.OCI_LAYER_GZIP, l.file(), l.size());
        assertRefused(way, Problem.CORRUPT_IMAGE, "cannot be decompressed", wrong);
    }

    @ParameterizedTest
    @EnumSource(Way.class)
    void binaryXattrValuesAndLongNamesArriveIntact(Way way) throws Exception {
        String longName = "d/" + "x".repeat(200);
        byte[] cap = {1, 0, 0, 2, (byte) 0x80, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        Extraction x = apply(
                way,
                LayerLimits.defaults(),
                layer(w -> w.dir("d/", 0755)
                        .entry(
                                longName,
                                '0',
                                04755,
                                0,
                                0,
                                1_700_000_000L,
                                999_999_999L,
                                "",
                                new byte[] {1},
                                Map.of("security.capability", cap))));
        var entry = entry(x, longName);
        assertThat(entry.owner().xattrs().get("security.capability")).containsExactly(cap);
        assertThat(Integer.toOctalString(entry.mode())).isEqualTo("104755");
        assertThat(entry.mtime().nanos()).isEqualTo(999_999_999L);
        assertThat(List.of(entry.path())).containsExactly(longName);
    }

    @ParameterizedTest
    @EnumSource(Way.class)
    void digestsCoverEveryByteIncludingPaddingTheReaderSkips(Way way) throws Exception {
        // Many sizes that are not multiples of 512, so some padding straddles the reader's buffer and is
        // skipped below it (gzip returns short reads); every byte must still be hashed.
        Path tar = tmp.resolve("layer-big.tar");
        TarWriter w = new TarWriter(new FileOutputStream(tar.toFile()));
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 300; i++) {
            byte[] data = new byte[1 + random.nextInt(200_000)];
            random.nextBytes(data);
            w.entry("f" + i, '0', 0644, 0, 0, 1, 0, "", data, Map.of());
        }
        w.finish();
        Digest diffId = OciLayouts.digest(tar);
        Layer plain =
                Layer.blob(diffId, MediaTypes.OCI_LAYER, tar, Files.size(tar)).withDiffId(diffId);
        Shell.ok("gzip", "-k", "-n", tar.toString());
        Path gz = Path.of(tar + ".gz");
        Layer gzipped = Layer.blob(OciLayouts.digest(gz), MediaTypes.OCI_LAYER_GZIP, gz, Files.size(gz))
                .withDiffId(diffId);

        Extraction x = apply(way, LayerLimits.defaults(), plain, gzipped);

        assertThat(x.files()).isEqualTo(300);
    }
}
