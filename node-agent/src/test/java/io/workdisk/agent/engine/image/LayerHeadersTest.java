package io.workdisk.agent.engine.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.workdisk.agent.engine.files.ConfinedRoot;
import io.workdisk.agent.engine.oci.Digest;
import io.workdisk.agent.engine.seed.SeedMethod;
import io.workdisk.agent.engine.seed.SeedOwnership;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.Phases;
import io.workdisk.agent.engine.shared.Problem;
import io.workdisk.agent.testing.DebugfsTree;
import io.workdisk.agent.testing.Requirements;
import io.workdisk.agent.testing.Shell;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The record of a layer's headers that lets a build from a cached layer skip its first read: replayed it
 * gives exactly what reading the layer gives, a seed built from it is the same entry by entry, and a
 * record that is damaged, cut short, made for other content or made without the diff ID check now asked
 * for is not used. A record that lies yet hashes whole is caught by the second read.
 */
class LayerHeadersTest {
    @TempDir
    Path tmp;

    private int layerCount;

    private Layer layer(TarWriter.Entries entries) throws IOException {
        ++layerCount;
        return TarWriter.layerAt(tmp.resolve("layer" + layerCount + ".tar"), entries)
                .withHeaders(tmp.resolve("headers-" + layerCount));
    }

    private Layer lower() throws IOException {
        return layer(w -> w.dir("etc/", 0755)
                .dir("usr/", 0755)
                .dir("usr/bin/", 0755)
                .dir("home/", 0755)
                .dir("home/u/", 0700)
                .file("etc/passwd", 0644, "root:x:0:0::/root:/bin/sh\n")
                .entry(
                        "usr/bin/ping",
                        '0',
                        04755,
                        0,
                        0,
                        1_700_000_000L,
                        123_456_789L,
                        "",
                        "ping".getBytes(StandardCharsets.UTF_8),
                        Map.of("security.capability", new byte[] {1, 0, 0, 2, 0, 32, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}))
                .entry("home/u/" + "n".repeat(150), '0', 0600, 1000, 1000, 1_700_000_001L, 0, "", new byte[0], Map.of())
                .symlink("bin", "usr/bin")
                .hardLink("usr/bin/ping6", "usr/bin/ping")
                .file("gone", 0644, "soon whited out"));
    }

    private Layer upper() throws IOException {
        return layer(w -> w.file(".wh.gone", 0644, "").file("etc/hostname", 0644, "box\n"));
    }

    @Test
    void aReplayGivesExactlyTheEntriesAReadOfTheLayerGives() throws Exception {
        Layer l = lower();
        List<TarEntry> read = new ArrayList<>();
        long tarBytes;
        try (LayerStream s = LayerStream.open(l, new LayerStream.Budget(1L << 30));
                LayerHeaders.Recorder record = LayerHeaders.record(l.headers().orElseThrow(), l)) {
            TarReader reader = new TarReader(s.tar());
            for (TarEntry e = reader.next(); e != null; e = reader.next()) {
                read.add(e);
                record.add(e);
            }
            s.finish();
            tarBytes = s.tarBytes();
            record.commit(tarBytes);
        }
        assertThat(tarBytes).isEqualTo(Files.size(l.file()));

        List<TarEntry> replayed = new ArrayList<>();
        try (LayerHeaders.Replay r =
                LayerHeaders.open(l.headers().orElseThrow(), l).orElseThrow()) {
            assertThat(r.tarBytes()).isEqualTo(tarBytes);
            for (TarEntry e = r.next(); e != null; e = r.next()) {
                replayed.add(e);
            }
        }
        assertThat(replayed.stream().map(LayerHeadersTest::describe))
                .containsExactlyElementsOf(
                        read.stream().map(LayerHeadersTest::describe).toList());
        assertThat(replayed).hasSize(11);
    }

    @Test
    void aSecondBuildFromTheSameLayersReplaysTheirHeadersAndMakesTheSameSeed() throws Exception {
        Layer lower = lower();
        Layer upper = upper();

        ImageSeedReport first = build("first", lower, upper);
        assertThat(first.layersIndexedFromRecord()).isZero();
        assertThat(lower.headers().orElseThrow()).isRegularFile();
        assertThat(upper.headers().orElseThrow()).isRegularFile();
        assertThat(leftovers()).as("no temporary record is left").isEmpty();

        ImageSeedReport second = build("second", lower, upper);
        assertThat(second.layersIndexedFromRecord()).isEqualTo(2);
        assertThat(second.entries()).isEqualTo(first.entries());
        assertThat(second.uncompressedBytes()).isEqualTo(first.uncompressedBytes());
        assertThat(second.whiteouts()).isEqualTo(1);
        assertThat(tree("second")).isEqualTo(tree("first")).containsKeys("usr/bin/ping6", "bin", "etc/hostname");
        assertThat(tree("second")).doesNotContainKey("gone");
    }

    /** The record a build named "first" of this one layer leaves, for a test to spoil. */
    private Path recordedByAFirstBuild(Layer layer) throws Exception {
        build("first", layer);
        return layer.headers().orElseThrow();
    }

    @Test
    void aDamagedRecordIsNotUsedAndTheLayerIsReadAndRecordedAgain() throws Exception {
        Layer lower = lower();
        Path record = recordedByAFirstBuild(lower);
        byte[] bytes = Files.readAllBytes(record);
        bytes[bytes.length / 2] ^= 0x20;
        Files.write(record, bytes);

        ImageSeedReport damaged = build("damaged", lower);
        assertThat(damaged.layersIndexedFromRecord()).isZero();
        assertThat(tree("damaged")).isEqualTo(tree("first"));
        assertThat(build("again", lower).layersIndexedFromRecord())
                .as("the read that found it damaged recorded it anew")
                .isEqualTo(1);

        Files.write(record, Arrays.copyOf(bytes, bytes.length - 40));
        assertThat(build("cut", lower).layersIndexedFromRecord())
                .as("a record cut short")
                .isZero();
    }

    @Test
    void aRecordWholeByItsHashButUnreadableFailsOneBuildAndIsRemoved() throws Exception {
        Layer lower = lower();
        Path record = recordedByAFirstBuild(lower);
        byte[] bytes = Files.readAllBytes(record);
        // the first entry's name length, after the magic, the digest and the (absent) diff ID
        int at = LayerHeaders.MAGIC.length + 4 + lower.digest().toString().length() + 4;
        ByteBuffer.wrap(bytes).putInt(at, Integer.MAX_VALUE);
        byte[] body = Arrays.copyOf(bytes, bytes.length - 32);
        byte[] hash = MessageDigest.getInstance("SHA-256").digest(body);
        System.arraycopy(hash, 0, bytes, bytes.length - 32, 32);
        Files.write(record, bytes);

        assertThatThrownBy(() -> build("unreadable", lower)).isInstanceOf(EngineException.class);
        assertThat(record).as("removed, so the next build reads the layer").doesNotExist();
        assertThat(tmp.resolve("data-unreadable").resolve("image.seed")).doesNotExist();
        assertThat(build("after", lower).layersIndexedFromRecord()).isZero();
        assertThat(tree("after")).isEqualTo(tree("first"));
    }

    @Test
    void aRecordOfAnotherLayerIsNotUsed() throws Exception {
        Layer lower = lower();
        Layer upper = upper();
        build("first", lower, upper);
        Files.copy(lower.headers().orElseThrow(), upper.headers().orElseThrow(), StandardCopyOption.REPLACE_EXISTING);

        ImageSeedReport report = build("second", lower, upper);
        assertThat(report.layersIndexedFromRecord()).isEqualTo(1);
        assertThat(tree("second")).isEqualTo(tree("first"));
    }

    @Test
    void aRecordMadeWithoutTheDiffIdCheckDoesNotSpareALyingLayerIt() throws Exception {
        Layer lower = lower();
        build("first", lower);
        Layer lying = lower.withDiffId(Digest.ofHex("0".repeat(64)));

        assertThatThrownBy(() -> build("lying", lying))
                .isInstanceOf(EngineException.class)
                .hasMessageContaining("does not match its diff ID")
                .satisfies(e -> assertThat(((EngineException) e).problem()).isEqualTo(Problem.CORRUPT_IMAGE));
        assertThat(tmp.resolve("data-lying").resolve("image.seed")).doesNotExist();
    }

    @Test
    void aLayerThatFailsLeavesNoRecord() throws Exception {
        Layer l = layer(w -> w.file("f", 0644, "x")).withDiffId(Digest.ofHex("0".repeat(64)));

        assertThatThrownBy(() -> build("failed", l)).hasMessageContaining("does not match its diff ID");
        assertThat(l.headers().orElseThrow()).doesNotExist();
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void aRecordThatLiesButHashesWholeIsCaughtByTheSecondRead() throws Exception {
        Layer real = lower();
        Layer other = layer(w -> w.file("etc/passwd", 0644, "a different file entirely\n"));
        // a record naming real's digest, holding other's headers, whole by its own hash
        try (LayerStream s = LayerStream.open(other, new LayerStream.Budget(1L << 30));
                LayerHeaders.Recorder record =
                        LayerHeaders.record(real.headers().orElseThrow(), real)) {
            TarReader reader = new TarReader(s.tar());
            for (TarEntry e = reader.next(); e != null; e = reader.next()) {
                record.add(e);
            }
            s.finish();
            record.commit(s.tarBytes());
        }

        assertThatThrownBy(() -> build("lied", real))
                .isInstanceOf(EngineException.class)
                .hasMessageContaining("changed between its two reads")
                .satisfies(e -> assertThat(((EngineException) e).problem()).isEqualTo(Problem.CORRUPT_IMAGE));
        assertThat(tmp.resolve("data-lied").resolve("image.seed")).doesNotExist();
    }

    @Test
    void openIgnoresWhatIsNotARecord() throws Exception {
        Layer l = lower();
        Path record = l.headers().orElseThrow();
        assertThat(LayerHeaders.open(record, l)).as("missing").isEmpty();
        Files.writeString(record, "not a record");
        assertThat(LayerHeaders.open(record, l)).as("garbage").isEmpty();
        Files.write(record, new byte[0]);
        assertThat(LayerHeaders.open(record, l)).as("empty").isEmpty();
    }

    private ImageSeedReport build(String name, Layer... layers) throws Exception {
        Requirements.mke2fsReadsTar(tmp);
        Path data = Files.createDirectories(tmp.resolve("data-" + name));
        Path seed = data.resolve("image.seed");
        ImageLayers image = ImageSeeds.imageOf(List.of(layers));
        ImageSeedReport report = ImageSeeds.engine(SeedMethod.TAR)
                .buildImageSeed(
                        ConfinedRoot.of(data),
                        new ImageSeedRequest(image, "test image", "/", SeedOwnership.PRESERVE, seed, "test", false),
                        new Phases(System::nanoTime),
                        entries -> {})
                .result();
        Shell.assertFsckClean(seed);
        return report;
    }

    /** The seed built as {@code name}, entry by entry: type, mode, owner, size, links, times and content. */
    private Map<String, String> tree(String name) throws Exception {
        Map<String, String> out = new TreeMap<>();
        DebugfsTree.read(tmp.resolve("data-" + name).resolve("image.seed"), tmp).forEach((path, e) -> {
            if (path.isEmpty() || path.equals("lost+found")) {
                return; // made by mke2fs at build time, or dated by it
            }
            out.put(
                    path,
                    Integer.toOctalString(e.mode()) + " " + e.uid() + ":" + e.gid() + " " + e.size() + " "
                            + e.links() + " " + e.mtimeSeconds() + "." + e.mtimeNanos() + " "
                            + (e.isDirectory() ? "" : HexFormat.of().formatHex(e.content())));
        });
        return out;
    }

    private List<Path> leftovers() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.filter(p -> LayerHeaders.isTemporary(p.getFileName().toString()))
                    .toList();
        }
    }

    private static String describe(TarEntry e) {
        StringBuilder x = new StringBuilder();
        e.xattrs()
                .forEach((k, v) -> x.append(k)
                        .append('=')
                        .append(HexFormat.of().formatHex(v))
                        .append(';'));
        return String.join(
                "|",
                String.valueOf(e.name()),
                String.valueOf((char) e.type()),
                Long.toString(e.size()),
                Integer.toOctalString(e.mode()),
                e.uid() + ":" + e.gid(),
                e.mtime().toString(),
                e.atime().toString(),
                e.linkName(),
                x.toString(),
                e.displayName());
    }
}
