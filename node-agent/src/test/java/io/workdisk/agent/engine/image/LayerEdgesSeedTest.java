package io.workdisk.agent.engine.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.workdisk.agent.engine.DiskEngine;
import io.workdisk.agent.engine.files.ConfinedRoot;
import io.workdisk.agent.engine.oci.Digest;
import io.workdisk.agent.engine.seed.SeedMethod;
import io.workdisk.agent.engine.seed.SeedOwnership;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.Phases;
import io.workdisk.agent.engine.shared.Problem;
import io.workdisk.agent.testing.BothWaysToMkfs;
import io.workdisk.agent.testing.DebugfsTree;
import io.workdisk.agent.testing.Requirements;
import io.workdisk.agent.testing.Shell;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;

/**
 * Layer rules whose result a tar for mke2fs could get wrong, built into real seeds both ways (the tar
 * streamed into mke2fs, and the staging tree) and read back with debugfs entry by entry: hard links
 * whose target path changes later, links to lower layers, opaque directories, type changes back and
 * forth, and the order mke2fs needs (a directory before its entries, a link after its file).
 */
class LayerEdgesSeedTest {
    @TempDir
    Path tmp;

    private int layerCount;

    private Layer layer(TarWriter.Entries entries) throws IOException {
        return TarWriter.layerAt(tmp.resolve("layer" + (++layerCount) + ".tar"), entries);
    }

    /** A seed of {@code subtree} of an image made of {@code layers}, built {@code method}'s way into {@code data}. */
    private static ImageSeedReport build(
            SeedMethod method, Path data, String subtree, SeedOwnership ownership, Path seed, Layer... layers)
            throws Exception {
        return build(ImageSeeds.engine(method), data, subtree, ownership, seed, layers);
    }

    private static ImageSeedReport build(
            DiskEngine engine, Path data, String subtree, SeedOwnership ownership, Path seed, Layer... layers)
            throws Exception {
        ImageLayers image = ImageSeeds.imageOf(List.of(layers));
        return engine.buildImageSeed(
                        ConfinedRoot.of(data),
                        new ImageSeedRequest(image, "test image", subtree, ownership, seed, "test", false),
                        new Phases(System::nanoTime),
                        entries -> {})
                .result();
    }

    /** The seed of the whole image built {@code method}'s way, read back; the report checked to say so. */
    private Map<String, DebugfsTree.Entry> seed(SeedMethod method, Layer... layers) throws Exception {
        Requirements.wayToMkfs(method, tmp);
        Path data = Files.createDirectories(tmp.resolve("data-" + method));
        Path seed = data.resolve("image.seed");
        ImageSeedReport report = build(method, data, "/", SeedOwnership.PRESERVE, seed, layers);
        assertThat(report.seed().method()).isEqualTo(method.label());
        Shell.assertFsckClean(seed);
        try (Stream<Path> s = Files.list(data)) {
            assertThat(s.map(p -> p.getFileName().toString()))
                    .as("nothing but the seed is left")
                    .containsExactly("image.seed");
        }
        Map<String, DebugfsTree.Entry> tree = new TreeMap<>(DebugfsTree.read(seed, tmp));
        tree.remove("");
        return tree;
    }

    private static String content(Map<String, DebugfsTree.Entry> tree, String path) {
        assertThat(tree).containsKey(path);
        return new String(tree.get(path).content(), StandardCharsets.UTF_8);
    }

    @BothWaysToMkfs
    void aHardLinkKeepsTheOldContentWhenItsTargetPathIsReplaced(SeedMethod method) throws Exception {
        var tree = seed(
                method,
                layer(w -> w.file("a", 0644, "old")),
                layer(w -> w.hardLink("b", "a")),
                layer(w -> w.file("a", 0600, "new")));

        assertThat(tree.keySet()).containsExactly("a", "b");
        assertThat(content(tree, "a")).isEqualTo("new");
        assertThat(content(tree, "b")).isEqualTo("old");
        assertThat(tree.get("a").inode()).isNotEqualTo(tree.get("b").inode());
        assertThat(tree.get("a").links()).isEqualTo(1);
        assertThat(tree.get("b").links()).isEqualTo(1);
        assertThat(Integer.toOctalString(tree.get("b").mode())).isEqualTo("100644");
    }

    @BothWaysToMkfs
    void aHardLinkKeepsItsContentWhenItsTargetIsWhitedOut(SeedMethod method) throws Exception {
        var tree = seed(
                method,
                layer(w -> w.dir("d/", 0755).file("d/a", 0644, "kept")),
                layer(w -> w.hardLink("e/b", "d/a")),
                layer(w -> w.file("d/.wh.a", 0644, "")));

        assertThat(tree.keySet()).containsExactly("d", "e", "e/b");
        assertThat(content(tree, "e/b")).isEqualTo("kept");
        assertThat(tree.get("e/b").links()).isEqualTo(1);
    }

    @BothWaysToMkfs
    void aHardLinkToALowerLayersFileIsOneInodeWhicheverNameComesFirst(SeedMethod method) throws Exception {
        // "a/link" sorts before "z/file": the tar carries the data under the link's name, the file as the link.
        var tree = seed(
                method,
                layer(w -> w.dir("z/", 0755).file("z/file", 04711, "shared")),
                layer(w -> w.hardLink("a/link", "z/file").hardLink("z/other", "z/file")));

        assertThat(tree.keySet()).containsExactly("a", "a/link", "z", "z/file", "z/other");
        long inode = tree.get("z/file").inode();
        for (String name : List.of("a/link", "z/file", "z/other")) {
            assertThat(tree.get(name).inode()).as(name).isEqualTo(inode);
            assertThat(tree.get(name).links()).as(name).isEqualTo(3);
            assertThat(content(tree, name)).as(name).isEqualTo("shared");
            assertThat(Integer.toOctalString(tree.get(name).mode())).as(name).isEqualTo("104711");
        }
    }

    @BothWaysToMkfs
    void anOpaqueDirectoryKeepsOnlyWhatItsOwnLayerPutThereBeforeAndAfterTheMarker(SeedMethod method) throws Exception {
        var tree = seed(
                method,
                layer(w -> w.dir("d/", 0755)
                        .file("d/old", 0644, "old")
                        .dir("d/sub/", 0755)
                        .file("d/sub/old2", 0644, "old2")
                        .file("d/mine", 0644, "lower")),
                layer(w -> w.dir("d/", 0700)
                        .file("d/before", 0644, "before")
                        .file("d/.wh..wh..opq", 0644, "")
                        .file("d/after", 0644, "after")
                        .file("d/mine", 0644, "upper")
                        .file("d/sub2/x", 0644, "x")));

        assertThat(tree.keySet()).containsExactly("d", "d/after", "d/before", "d/mine", "d/sub2", "d/sub2/x");
        assertThat(content(tree, "d/before")).isEqualTo("before");
        assertThat(content(tree, "d/mine")).isEqualTo("upper");
        assertThat(Integer.toOctalString(tree.get("d").mode())).isEqualTo("40700");
    }

    @BothWaysToMkfs
    void aDirectoryReplacedByAFileAndBackHoldsOnlyTheNewChildren(SeedMethod method) throws Exception {
        var tree = seed(
                method,
                layer(w -> w.dir("p/", 0755).file("p/c", 0644, "c").symlink("q", "p/c")),
                layer(w -> w.file("p", 0600, "now a file").dir("q/", 0750).file("q/inside", 0644, "in")),
                layer(w -> w.dir("p/", 0711).file("p/d", 0644, "d").symlink("q", "p/d")));

        assertThat(tree.keySet()).containsExactly("p", "p/d", "q");
        assertThat(Integer.toOctalString(tree.get("p").mode())).isEqualTo("40711");
        assertThat(content(tree, "p/d")).isEqualTo("d");
        assertThat(tree.get("q").isSymlink()).isTrue();
        assertThat(content(tree, "q")).isEqualTo("p/d");
    }

    @BothWaysToMkfs
    void directoriesComeBeforeTheirEntriesWhicheverLayerDescribesThem(SeedMethod method) throws Exception {
        // A file in the lowest layer under parents no entry names, whose metadata a later layer sets; a
        // long name; a symlink to a file that the tar writes after it; data from several layers interleaved.
        String longName = "deep/" + "n".repeat(120) + "/file";
        var tree = seed(
                method,
                layer(w -> w.file("x/y/z/f", 0640, "lowest")
                        .file(longName, 0644, "long")
                        .file("m/1", 0644, "one")),
                layer(w -> w.symlink("a-link", "m/2").file("m/2", 0644, "two")),
                layer(w -> w.entry("x/y/", '5', 0701, 5, 6, 1_234_567_890L, 0, "", new byte[0], Map.of())
                        .file("m/3", 0644, "three")));

        assertThat(content(tree, "x/y/z/f")).isEqualTo("lowest");
        assertThat(content(tree, longName)).isEqualTo("long");
        assertThat(content(tree, "a-link")).isEqualTo("m/2");
        List<String> m = new ArrayList<>();
        for (String n : List.of("m/1", "m/2", "m/3")) {
            m.add(content(tree, n));
        }
        assertThat(m).containsExactly("one", "two", "three");
        DebugfsTree.Entry y = tree.get("x/y");
        assertThat(Integer.toOctalString(y.mode())).isEqualTo("40701");
        assertThat(y.uid()).isEqualTo(5);
        assertThat(y.gid()).isEqualTo(6);
        assertThat(y.mtimeSeconds()).isEqualTo(1_234_567_890L);
        assertThat(Integer.toOctalString(tree.get("x").mode())).isEqualTo("40755");
    }

    @BothWaysToMkfs
    void withinOneLayerALaterEntryReplacesAnEarlierOneAndALinkKeepsWhatItLinked(SeedMethod method) throws Exception {
        var tree = seed(
                method,
                layer(w -> w.file("a", 0644, "first")
                        .hardLink("b", "a")
                        .file("a", 0600, "second")
                        .file("c", 0644, "file")
                        .dir("c/", 0755)
                        .file("c/in", 0644, "in")));

        assertThat(tree.keySet()).containsExactly("a", "b", "c", "c/in");
        assertThat(content(tree, "a")).isEqualTo("second");
        assertThat(content(tree, "b")).isEqualTo("first");
        assertThat(tree.get("c").isDirectory()).isTrue();
    }

    @BothWaysToMkfs
    void aSubtreeSeedHoldsAFileWhoseOtherNameLiesOutsideIt(SeedMethod method) throws Exception {
        Requirements.wayToMkfs(method, tmp);
        Layer l = layer(w -> w.dir("etc/", 0755)
                .file("etc/shared", 0640, "both")
                .dir("root/", 0700)
                .hardLink("root/linked", "etc/shared")
                .hardLink("root/again", "etc/shared"));
        Path data = Files.createDirectories(tmp.resolve("data-" + method));
        Path seed = data.resolve("root.seed");
        build(method, data, "/root", SeedOwnership.ROOT, seed, l);

        Map<String, DebugfsTree.Entry> tree = new TreeMap<>(DebugfsTree.read(seed, tmp));
        assertThat(tree.keySet()).containsExactly("", "again", "linked");
        assertThat(Integer.toOctalString(tree.get("").mode())).isEqualTo("40700");
        assertThat(content(tree, "linked")).isEqualTo("both");
        assertThat(tree.get("again").inode()).isEqualTo(tree.get("linked").inode());
        assertThat(tree.get("linked").links()).isEqualTo(2);
        Shell.assertFsckClean(seed);
    }

    /** Builds the image {@code method}'s way, expecting it to fail; nothing may be left in the data directory. */
    private void assertBuildFails(SeedMethod method, Problem problem, String message, Layer... layers)
            throws Exception {
        Requirements.wayToMkfs(method, tmp);
        Path data = Files.createDirectories(tmp.resolve("data-" + method));
        assertThatThrownBy(() -> build(method, data, "/", SeedOwnership.PRESERVE, data.resolve("image.seed"), layers))
                .isInstanceOf(EngineException.class)
                .hasMessageContaining(message)
                .extracting(e -> ((EngineException) e).problem())
                .isEqualTo(problem);
        try (Stream<Path> s = Files.list(data)) {
            assertThat(s.toList()).isEmpty();
        }
    }

    @BothWaysToMkfs
    void aHostileLayerFailsTheBuildAndLeavesNothingBehind(SeedMethod method) throws Exception {
        Layer lower = layer(w -> w.file("ok", 0644, "fine").symlink("link", tmp.toString()));
        Layer upper = layer(w -> w.file("link/evil", 0644, "x"));

        assertBuildFails(method, Problem.INVALID_IMAGE, "written through the symlink /link", lower, upper);
        assertThat(tmp.resolve("evil")).doesNotExist();
    }

    @BothWaysToMkfs
    void aLayerWhoseUncompressedTarIsNotTheConfigsDiffIdIsRefused(SeedMethod method) throws Exception {
        Layer l = layer(w -> w.file("f", 0644, "x"));
        Layer lying = l.withDiffId(Digest.ofHex("0".repeat(64)));

        assertBuildFails(method, Problem.CORRUPT_IMAGE, "does not match its diff ID", lying);
    }

    @BothWaysToMkfs
    void directoriesTheLayersImplyButNeverListAreDatedByTheEnginesClock(SeedMethod method) throws Exception {
        Requirements.wayToMkfs(method, tmp);
        Layer l = layer(w -> w.file("implied/deeper/f", 0644, "x"));
        java.time.Instant at = java.time.Instant.parse("2001-09-09T01:46:40Z");
        Path data = Files.createDirectories(tmp.resolve("data-clock-" + method));
        Path seed = data.resolve("image.seed");

        build(
                ImageSeeds.engine(method, java.time.Clock.fixed(at, java.time.ZoneOffset.UTC)),
                data,
                "/",
                SeedOwnership.PRESERVE,
                seed,
                l);

        var tree = DebugfsTree.read(seed, tmp);
        assertThat(tree.get("implied").mtimeSeconds()).isEqualTo(at.getEpochSecond());
        assertThat(tree.get("implied/deeper").mtimeSeconds()).isEqualTo(at.getEpochSecond());
        assertThat(tree.get("implied/deeper/f").mtimeSeconds()).isEqualTo(1_600_000_000L);
    }

    @BothWaysToMkfs
    void anImageWithoutTheSubtreeGivesAnEmptySeedAndAWarning(SeedMethod method) throws Exception {
        Requirements.wayToMkfs(method, tmp);
        Layer l = layer(w -> w.dir("etc/", 0755).file("etc/hostname", 0644, "box\n"));
        Path data = Files.createDirectories(tmp.resolve("data-empty-" + method));
        Path seed = data.resolve("image.seed");

        ImageSeedReport report = build(method, data, "/root", SeedOwnership.ROOT, seed, l);

        Shell.assertFsckClean(seed);
        assertThat(report.seed().warnings()).contains("the image has no /root; the seed is empty");
        assertThat(report.seed().files()).isZero();
        assertThat(DebugfsTree.read(seed, tmp)).containsOnlyKeys("");
        assertThat(Integer.toOctalString(DebugfsTree.read(seed, tmp).get("").mode()))
                .isEqualTo("40700");
    }
}
