package io.workdisk.agent.engine.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.workdisk.agent.engine.ext4.Inode;
import io.workdisk.agent.engine.oci.Platform;
import io.workdisk.agent.engine.seed.ExpectedEntry;
import io.workdisk.agent.engine.seed.Extraction;
import io.workdisk.agent.engine.seed.SeedOwnership;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The flattened image, entry by entry, against umoci's unpacking of the same OCI layout. */
class StagingTreeTest {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    @TempDir
    Path tmp;

    @Test
    void layersApplyExactlyAsUmociUnpacksThem() throws Exception {
        Path theirs = ImageFixture.unpackedByUmoci(tmp);
        Path archive = ImageFixture.archive(tmp);

        ImageLayers image = OciArchive.read(archive, Platform.host());
        assertThat(image.layers()).hasSize(3);
        Path ours = Files.createDirectories(tmp.resolve("ours"));
        LayerIndex index = ImageSeeds.index(
                SeedOwnership.PRESERVE, LayerLimits.defaults(), new Inode.Timestamp(1_700_000_000L, 0));
        index.applyAll(image.layers());
        LayerIndex.Stats stats = index.finish();
        FlatImage flat = index.plan("/");
        flat.writeTree(image.layers(), LayerLimits.defaults(), ours, written -> {});
        Extraction extraction = flat.extraction();

        Map<String, Path> theirEntries = ImageFixture.entries(theirs, true);
        Map<String, Path> ourEntries = ImageFixture.entries(ours, false);
        assertThat(ourEntries.keySet()).containsExactlyElementsOf(theirEntries.keySet());
        Map<String, ExpectedEntry> expected =
                extraction.entries().stream().collect(Collectors.toMap(ExpectedEntry::path, e -> e));
        Map<Object, Object> ourInodeByTheirs = new java.util.HashMap<>();
        for (Map.Entry<String, Path> e : theirEntries.entrySet()) {
            String what = "/" + e.getKey();
            Path t = e.getValue();
            Path o = ourEntries.get(e.getKey());
            Map<String, Object> ta = Files.readAttributes(t, "unix:*", NOFOLLOW);
            Map<String, Object> oa = Files.readAttributes(o, "unix:*", NOFOLLOW);
            assertThat(Integer.toOctalString((Integer) oa.get("mode")))
                    .as("type and mode of %s", what)
                    .isEqualTo(Integer.toOctalString((Integer) ta.get("mode")));
            if (!Files.isSymbolicLink(t)) {
                assertThat(Files.getLastModifiedTime(o, NOFOLLOW).toInstant())
                        .as("mtime of %s", what)
                        .isEqualTo(Files.getLastModifiedTime(t, NOFOLLOW).toInstant());
            }
            if (Files.isSymbolicLink(t)) {
                assertThat(Files.readSymbolicLink(o)).as("target of %s", what).isEqualTo(Files.readSymbolicLink(t));
            } else if (Files.isRegularFile(t, NOFOLLOW)) {
                assertThat(Files.mismatch(o, t)).as("content of %s", what).isEqualTo(-1L);
                assertThat(oa.get("nlink")).as("link count of %s", what).isEqualTo(ta.get("nlink"));
                Object mapped = ourInodeByTheirs.putIfAbsent(ta.get("ino"), oa.get("ino"));
                if (mapped != null) {
                    assertThat(oa.get("ino"))
                            .as("%s is the same file as its hard link", what)
                            .isEqualTo(mapped);
                }
            }
            ExpectedEntry want = expected.get(e.getKey());
            if (want != null) { // hard links beyond the first are one entry
                assertThat(want.owner().uid()).as("uid of %s", what).isEqualTo(((Number) ta.get("uid")).longValue());
                assertThat(want.owner().gid()).as("gid of %s", what).isEqualTo(((Number) ta.get("gid")).longValue());
                assertThat(userXattrs(want.owner().xattrs()))
                        .as("user xattrs of %s", what)
                        .isEqualTo(userXattrs(t));
            }
        }
        assertThat(stats.layers()).isEqualTo(3);
        assertThat(stats.whiteouts()).isEqualTo(1);
        assertThat(stats.opaqueDirectories()).isEqualTo(1);
        assertThat(extraction.skipped()).containsEntry("fifo", 1).containsEntry("character device", 1);
        assertThat(Files.readString(ours.resolve("a/3"))).isEqualTo("three");
        assertThat(ours.resolve("a/1")).doesNotExist();
        assertThat(ours.resolve("etc/passwd")).doesNotExist();
        assertThat(Files.isSymbolicLink(ours.resolve("tc2"))).isTrue();
        assertThat(Files.getAttribute(ours.resolve("usr/lib/libx.so.1"), "unix:ino"))
                .isEqualTo(Files.getAttribute(ours.resolve("usr/lib/libx.so"), "unix:ino"));
        assertThat(Files.getLastModifiedTime(ours.resolve("ns")).toInstant())
                .isEqualTo(Instant.ofEpochSecond(1_500_000_000L, 123_456_789));
        assertThat(expected.get("keep/new").owner().xattrs().get("user.kept"))
                .as("a binary xattr value survives byte for byte")
                .containsExactly(0, 0x80, 0xff, 1);
    }

    @Test
    void theInMemoryIndexForTheTarSaysWhatUmociUnpacks() throws Exception {
        Path theirs = ImageFixture.unpackedByUmoci(tmp);
        Path archive = ImageFixture.archive(tmp);

        ImageLayers image = OciArchive.read(archive, Platform.host());
        LayerIndex index = ImageSeeds.index(
                SeedOwnership.PRESERVE, LayerLimits.defaults(), new Inode.Timestamp(1_700_000_000L, 0));
        index.applyAll(image.layers());
        LayerIndex.Stats stats = index.finish();
        Extraction extraction = index.plan("/").extraction();

        Map<String, Path> theirEntries = ImageFixture.entries(theirs, true);
        Map<String, ExpectedEntry> ours = new TreeMap<>();
        extraction.entries().forEach(e -> ours.put(e.path(), e));
        ours.remove("");
        assertThat(ours.keySet()).containsExactlyElementsOf(theirEntries.keySet());
        for (Map.Entry<String, Path> e : theirEntries.entrySet()) {
            String what = "/" + e.getKey();
            Path t = e.getValue();
            ExpectedEntry o = ours.get(e.getKey());
            Map<String, Object> ta = Files.readAttributes(t, "unix:*", NOFOLLOW);
            assertThat(Integer.toOctalString(o.mode()))
                    .as("type and mode of %s", what)
                    .isEqualTo(Integer.toOctalString((Integer) ta.get("mode")));
            if (Files.isSymbolicLink(t)) {
                assertThat(new String(o.symlinkTarget(), java.nio.charset.StandardCharsets.UTF_8))
                        .as("target of %s", what)
                        .isEqualTo(Files.readSymbolicLink(t).toString());
            } else {
                Instant mtime = Files.getLastModifiedTime(t, NOFOLLOW).toInstant();
                assertThat(Instant.ofEpochSecond(o.mtime().seconds(), o.mtime().nanos()))
                        .as("mtime of %s", what)
                        .isEqualTo(mtime);
            }
            assertThat(o.owner().uid()).as("uid of %s", what).isEqualTo(((Number) ta.get("uid")).longValue());
            assertThat(o.owner().gid()).as("gid of %s", what).isEqualTo(((Number) ta.get("gid")).longValue());
            assertThat(userXattrs(o.owner().xattrs()))
                    .as("user xattrs of %s", what)
                    .isEqualTo(userXattrs(t));
        }
        assertThat(extraction.hardLinks())
                .as("libx.so.1 and ping2 are second names")
                .isEqualTo(2);
        assertThat(stats.layers()).isEqualTo(3);
        assertThat(stats.whiteouts()).isEqualTo(1);
        assertThat(stats.opaqueDirectories()).isEqualTo(1);
        assertThat(extraction.skipped()).containsEntry("fifo", 1).containsEntry("character device", 1);
    }

    /** Every entry below {@code root} by relative path; device nodes and fifos left out when asked. */
    private static Map<String, String> userXattrs(Map<String, byte[]> xattrs) {
        Map<String, String> out = new TreeMap<>();
        xattrs.forEach((k, v) -> {
            if (k.startsWith("user.")) {
                out.put(k, java.util.HexFormat.of().formatHex(v));
            }
        });
        return out;
    }

    private static Map<String, String> userXattrs(Path p) throws IOException {
        Map<String, String> out = new TreeMap<>();
        if (Files.isSymbolicLink(p)) {
            return out;
        }
        UserDefinedFileAttributeView view = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class, NOFOLLOW);
        for (String name : view.list()) {
            ByteBuffer b = ByteBuffer.allocate(view.size(name));
            view.read(name, b);
            out.put("user." + name, java.util.HexFormat.of().formatHex(b.array(), 0, b.position()));
        }
        return out;
    }
}
