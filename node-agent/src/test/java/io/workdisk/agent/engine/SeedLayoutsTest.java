package io.workdisk.agent.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.workdisk.agent.engine.files.ConfinedRoot;
import io.workdisk.agent.engine.seed.SeedMethod;
import io.workdisk.agent.engine.seed.SeedReport;
import io.workdisk.agent.engine.seed.SeedRequest;
import io.workdisk.agent.testing.DebugfsTree;
import io.workdisk.agent.testing.LayoutCorpus;
import io.workdisk.agent.testing.LoopMount;
import io.workdisk.agent.testing.Requirements;
import io.workdisk.agent.testing.Shell;
import io.workdisk.agent.testing.TreeAssert;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seeds from rootfs images whose files got there every way real ones do ({@link LayoutCorpus}), written by
 * {@code mke2fs -d} and by the kernel, with {@code inline_data} on and off, as written and after
 * {@code e2fsck -fD} rebuilt their directories. Each seed must be what the kernel reads from the rootfs
 * (the rootfs mounted read-only, where the machine allows; else the tree mke2fs was given), entry by entry
 * with content and holes, on both ways to mkfs; and the two ways must give the same seed.
 */
class SeedLayoutsTest {
    private static final long SEED_BLOCK = 4096;

    @TempDir
    Path tmp;

    enum Writer {
        MKE2FS_D,
        KERNEL
    }

    /**
     * A filesystem written by {@code writer}, made with {@code mkfsOptions}, optionally after {@code e2fsck
     * -fD} rebuilt its directories. The options cover inline data on and off, and where the kernel
     * writes, the other ways it maps blocks: block maps with indirect blocks (no extents) and clusters
     * (bigalloc), whose partly written clusters hold blocks that must read as zeros.
     */
    record Layout(Writer writer, String name, List<String> mkfsOptions, boolean rehashed) {
        static Layout of(Writer writer, String name, boolean rehashed, String... mkfsOptions) {
            return new Layout(writer, name, List.of(mkfsOptions), rehashed);
        }

        @Override
        public String toString() {
            return writer + " " + name + (rehashed ? " after e2fsck -fD" : "");
        }
    }

    static Stream<Layout> layouts() {
        List<Layout> all = new ArrayList<>();
        for (boolean rehashed : new boolean[] {false, true}) {
            all.add(Layout.of(Writer.MKE2FS_D, "inline_data", rehashed, "-O", "inline_data"));
            all.add(Layout.of(Writer.MKE2FS_D, "no inline_data", rehashed, "-O", "^inline_data"));
            all.add(Layout.of(Writer.MKE2FS_D, "inline_data 1k blocks", rehashed, "-b", "1024", "-O", "inline_data"));
            all.add(Layout.of(Writer.KERNEL, "inline_data", rehashed, "-O", "inline_data"));
            all.add(Layout.of(Writer.KERNEL, "no inline_data", rehashed, "-O", "^inline_data"));
        }
        all.add(Layout.of(Writer.KERNEL, "block maps", false, "-O", "^extent,^64bit,^inline_data"));
        all.add(Layout.of(Writer.KERNEL, "bigalloc", false, "-O", "bigalloc,^inline_data", "-C", "65536"));
        return all.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void bothWaysBuildTheSeedTheKernelReads(Layout layout) throws Exception {
        Requirements.mke2fsReadsTar(tmp);
        Path hostTree = tmp.resolve("tree");
        Path rootfs = rootfs(layout, hostTree);
        if (layout.rehashed()) {
            Shell.Result r = Shell.run(List.of("e2fsck", "-f", "-y", "-D", rootfs.toString()));
            assertThat(r.exitCode()).as("e2fsck -fyD: %s", r.stdout()).isIn(0, 1);
        }
        Shell.assertFsckClean(rootfs);

        Map<SeedMethod, Map<String, DebugfsTree.Entry>> seeds = new EnumMap<>(SeedMethod.class);
        List<String> why = new ArrayList<>();
        Optional<LoopMount> view = LoopMount.mount(rootfs, tmp.resolve("kernel-view"), true, why);
        try {
            if (view.isEmpty()) {
                System.out.println("SeedLayoutsTest: comparing with the tree mke2fs was given, since " + why.get(0));
            }
            Path expected = view.map(v -> v.path().resolve("root")).orElse(hostTree.resolve("root"));
            for (SeedMethod method : List.of(SeedMethod.TAR, SeedMethod.STAGING_TREE)) {
                Map<String, DebugfsTree.Entry> seed = build(rootfs, method);
                TreeAssert.assertSameTree(expected, seed);
                assertHolesKept(seed, method);
                seeds.put(method, seed);
            }
        } finally {
            view.ifPresent(LoopMount::close);
        }
        assertThat(describe(seeds.get(SeedMethod.TAR)))
                .as("the tar way and the staging way give the same seed")
                .containsExactlyElementsOf(describe(seeds.get(SeedMethod.STAGING_TREE)));
    }

    /** The rootfs with the corpus as its /root, written by mke2fs -d or by the kernel. */
    private Path rootfs(Layout layout, Path hostTree) throws Exception {
        Path image = tmp.resolve("rootfs.ext4");
        List<String> mkfs = new ArrayList<>(List.of("mke2fs", "-q", "-F", "-t", "ext4"));
        mkfs.addAll(layout.mkfsOptions());
        if (layout.writer() == Writer.MKE2FS_D) {
            LayoutCorpus.write(hostTree.resolve("root"));
            mkfs.addAll(List.of("-d", hostTree.toString()));
        }
        mkfs.addAll(List.of(image.toString(), "64M"));
        Shell.ok(mkfs.toArray(String[]::new));
        if (layout.writer() == Writer.MKE2FS_D) {
            return image;
        }
        List<String> why = new ArrayList<>();
        Optional<LoopMount> mounted = LoopMount.mount(image, tmp.resolve("writer"), false, why);
        Requirements.need(mounted.isPresent(), "the kernel-written layouts need " + String.join("", why));
        try (LoopMount m = mounted.get()) {
            LayoutCorpus.write(m.path().resolve("root"));
        }
        return image;
    }

    private Map<String, DebugfsTree.Entry> build(Path rootfs, SeedMethod method) throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data-" + method));
        SeedReport report = EngineFixtures.engine(method)
                .buildSeed(
                        ConfinedRoot.of(data),
                        new SeedRequest(rootfs, "/root", data.resolve("corpus.seed"), "test", false))
                .result();
        assertThat(report.method()).isEqualTo(method.label());
        Path seed = Path.of(report.path());
        Shell.assertFsckClean(seed);
        return DebugfsTree.read(seed, Files.createDirectories(tmp.resolve("read-" + method)));
    }

    /**
     * A seed holds a file's zeros as holes: no more blocks than its content has non-zero ones (and one for an
     * extent tree), none at all for a file of zeros.
     */
    private static void assertHolesKept(Map<String, DebugfsTree.Entry> seed, SeedMethod method) {
        for (DebugfsTree.Entry e : seed.values()) {
            if (!e.isRegular()) {
                continue;
            }
            long dataBlocks = nonZeroBlocks(e.content());
            assertThat(e.blockBytes())
                    .as("blocks of /%s (%s way, %d with data)", e.path(), method.label(), dataBlocks)
                    .isLessThanOrEqualTo(dataBlocks == 0 ? 0 : (dataBlocks + 1) * SEED_BLOCK);
        }
    }

    private static long nonZeroBlocks(byte[] content) {
        long blocks = 0;
        for (int start = 0; start < content.length; start += SEED_BLOCK) {
            int end = (int) Math.min(content.length, start + SEED_BLOCK);
            for (int i = start; i < end; i++) {
                if (content[i] != 0) {
                    blocks++;
                    break;
                }
            }
        }
        return blocks;
    }

    /** Each entry as one comparable line: everything but its inode number. */
    private static List<String> describe(Map<String, DebugfsTree.Entry> seed) throws Exception {
        List<String> lines = new ArrayList<>();
        for (DebugfsTree.Entry e : seed.values()) {
            lines.add(String.format(
                    "/%s mode=%o owner=%d:%d size=%d links=%d blocks=%d mtime=%d.%09d content=%s",
                    e.path(),
                    e.mode(),
                    e.uid(),
                    e.gid(),
                    e.size(),
                    e.links(),
                    e.blockBytes(),
                    e.mtimeSeconds(),
                    e.mtimeNanos(),
                    e.content() == null
                            ? "-"
                            : HexFormat.of()
                                    .formatHex(
                                            MessageDigest.getInstance("SHA-256").digest(e.content()))));
        }
        lines.sort(null);
        return lines;
    }
}
