package io.workdisk.agent.engine.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.workdisk.agent.cli.AgentCli;
import io.workdisk.agent.engine.DiskEngine;
import io.workdisk.agent.engine.files.ConfinedRoot;
import io.workdisk.agent.engine.seed.SeedMethod;
import io.workdisk.agent.engine.seed.SeedOwnership;
import io.workdisk.agent.testing.BothWaysToMkfs;
import io.workdisk.agent.testing.DebugfsTree;
import io.workdisk.agent.testing.Requirements;
import io.workdisk.agent.testing.Shell;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Seeds from image archives, read back with debugfs entry by entry against umoci's unpacking. */
class ImageSeedTest {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    @TempDir
    Path tmp;

    @BothWaysToMkfs
    void aWholeFilesystemSeedWithPreserveHoldsTheImagesOwnersModesTimesAndXattrs(SeedMethod method) throws Exception {
        Requirements.wayToMkfs(method, tmp);
        Path theirs = ImageFixture.unpackedByUmoci(tmp);
        Path archive = ImageFixture.archive(tmp);
        Path data = Files.createDirectories(tmp.resolve("data"));
        Path seed = data.resolve("image.seed");

        ImageSeedReport report = ImageSeeds.fromArchive(
                        ImageSeeds.engine(method), ConfinedRoot.of(data), archive, SeedOwnership.PRESERVE, seed, "test")
                .result();

        Map<String, DebugfsTree.Entry> tree = DebugfsTree.read(seed, tmp);
        Map<String, Path> expected = ImageFixture.entries(theirs, true);
        Map<String, DebugfsTree.Entry> got = new TreeMap<>(tree);
        got.remove("");
        assertThat(got.keySet()).containsExactlyElementsOf(expected.keySet());
        for (Map.Entry<String, Path> e : expected.entrySet()) {
            Path p = e.getValue();
            DebugfsTree.Entry g = tree.get(e.getKey());
            String what = "/" + e.getKey();
            Map<String, Object> a = Files.readAttributes(p, "unix:*", NOFOLLOW);
            assertThat(Integer.toOctalString(g.mode())).as("mode of %s", what).isEqualTo(Integer.toOctalString((Integer)
                    a.get("mode")));
            assertThat(g.uid()).as("uid of %s", what).isEqualTo(((Number) a.get("uid")).longValue());
            assertThat(g.gid()).as("gid of %s", what).isEqualTo(((Number) a.get("gid")).longValue());
            if (!Files.isSymbolicLink(p)) {
                var t = Files.getLastModifiedTime(p, NOFOLLOW).toInstant();
                assertThat(g.mtimeSeconds()).as("mtime of %s", what).isEqualTo(t.getEpochSecond());
                assertThat(g.mtimeNanos()).as("mtime nanoseconds of %s", what).isEqualTo(t.getNano());
            }
            if (Files.isSymbolicLink(p)) {
                assertThat(new String(g.content(), StandardCharsets.UTF_8))
                        .as("target of %s", what)
                        .isEqualTo(Files.readSymbolicLink(p).toString());
            } else if (Files.isRegularFile(p, NOFOLLOW)) {
                assertThat(g.content()).as("content of %s", what).isEqualTo(Files.readAllBytes(p));
                assertThat(g.links()).as("links of %s", what).isEqualTo(((Number) a.get("nlink")).intValue());
            }
        }
        assertThat(tree.get("usr/lib/libx.so.1").inode())
                .isEqualTo(tree.get("usr/lib/libx.so").inode());
        String ping = Shell.ok("debugfs", "-R", "ea_list /bin/ping", seed.toString());
        assertThat(ping).contains("user.test");
        String kept = Shell.ok("debugfs", "-R", "ea_list /keep/new", seed.toString());
        assertThat(kept).contains("user.kept (4) = 00 80 ff 01");
        Shell.assertFsckClean(seed);
        assertThat(report.digest()).startsWith("sha256:");
        assertThat(report.layers()).isEqualTo(3);
        assertThat(report.seed().skippedByKind()).containsEntry("fifo", 1).containsEntry("character device", 1);
        assertThat(report.seed().fixups())
                .as("owners, xattrs and nanoseconds come from fix-ups")
                .isPositive();
        assertThat(report.seed().method()).isEqualTo(method.label());
        assertThat(report.seed().phaseSeconds())
                .containsKeys(method == SeedMethod.TAR ? "index" : "extract", "mkfs", "fixups");
    }

    @Test
    void theCliBuildsTheDefaultRootSeedFromAnArchiveAndReportsDigestAndPhases() throws Exception {
        Requirements.mke2fsReadsTar(tmp);
        Path archive = ImageFixture.write(tmp);
        Path data = Files.createDirectories(tmp.resolve("data"));
        Path seed = data.resolve("root.seed");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int code = AgentCli.run(
                DiskEngine.standard(),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                "build-seed",
                "--json",
                "--oci-archive",
                archive.toString(),
                seed.toString());

        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        JsonNode json = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
        assertThat(json.get("digest").asText()).startsWith("sha256:");
        assertThat(json.get("subtree").asText()).isEqualTo("/root");
        assertThat(json.get("ownership").asText()).isEqualTo("ROOT");
        assertThat(json.get("entries").asLong()).isPositive();
        assertThat(json.get("phaseSeconds").has("read")).isTrue();
        assertThat(json.get("phaseSeconds").has("mkfs")).isTrue();
        assertThat(json.get("method").asText())
                .as("the default picks the tar where mke2fs reads one")
                .isEqualTo("tar");
        Map<String, DebugfsTree.Entry> tree = DebugfsTree.read(seed, tmp);
        assertThat(tree.keySet()).containsExactlyInAnyOrder("", ".profile");
        assertThat(Integer.toOctalString(tree.get("").mode())).isEqualTo("40700");
        assertThat(tree.values()).allSatisfy(e -> assertThat(e.uid()).isZero());
    }
}
