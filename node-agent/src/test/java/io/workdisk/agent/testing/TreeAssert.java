package io.workdisk.agent.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/** Compares a host tree with an image's tree (as debugfs reads it), entry by entry. */
public final class TreeAssert {
    private TreeAssert() {}

    /**
     * Every regular file, directory and symlink of {@code host} is in {@code image} with the same type,
     * full permission bits (setuid/setgid/sticky included), owner 0:0, size, content, link target and
     * mtime; hard links stay one inode; sparse files stay sparse; nothing else is there.
     */
    public static void assertSameTree(Path host, Map<String, DebugfsTree.Entry> image) throws IOException {
        Map<String, Path> hostEntries = new TreeMap<>();
        try (var walk = Files.walk(host)) {
            walk.forEach(p -> {
                if (!p.equals(host)
                        && (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)
                                || Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
                                || Files.isSymbolicLink(p))) {
                    hostEntries.put(host.relativize(p).toString(), p);
                }
            });
        }
        Map<String, DebugfsTree.Entry> imageEntries = new TreeMap<>(image);
        imageEntries.remove("");
        assertThat(imageEntries.keySet()).containsExactlyInAnyOrderElementsOf(hostEntries.keySet());

        Map<Object, Long> hostToImageInode = new HashMap<>();
        for (Map.Entry<String, Path> e : hostEntries.entrySet()) {
            Path p = e.getValue();
            DebugfsTree.Entry got = image.get(e.getKey());
            String what = "/" + e.getKey();
            int hostMode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            assertThat(Integer.toOctalString(got.mode()))
                    .as("mode of %s", what)
                    .isEqualTo(Integer.toOctalString(hostMode));
            assertThat(got.uid()).as("uid of %s", what).isZero();
            assertThat(got.gid()).as("gid of %s", what).isZero();
            long hostMtime = Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS)
                    .toInstant()
                    .getEpochSecond();
            assertThat(got.mtimeSeconds()).as("mtime of %s", what).isEqualTo(hostMtime);
            if (Files.isSymbolicLink(p)) {
                assertThat(new String(got.content(), StandardCharsets.UTF_8))
                        .as("target of %s", what)
                        .isEqualTo(Files.readSymbolicLink(p).toString());
            } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                assertThat(got.size()).as("size of %s", what).isEqualTo(Files.size(p));
                assertThat(Files.mismatch(p, writeTemp(got.content())))
                        .as("content of %s", what)
                        .isEqualTo(-1L);
                Object hostInode = Files.getAttribute(p, "unix:ino", LinkOption.NOFOLLOW_LINKS);
                Long mapped = hostToImageInode.putIfAbsent(hostInode, got.inode());
                if (mapped != null) {
                    assertThat(got.inode())
                            .as("%s is a hard link of an earlier entry", what)
                            .isEqualTo(mapped);
                }
                assertThat(got.links())
                        .as("link count of %s", what)
                        .isEqualTo(
                                ((Number) Files.getAttribute(p, "unix:nlink", LinkOption.NOFOLLOW_LINKS)).intValue());
                if (Files.size(p) >= (1 << 20) && Shell.allocatedBytes(p) < Files.size(p) / 4) {
                    assertThat(got.blockBytes()).as("%s stays sparse", what).isLessThan(Files.size(p) / 4);
                }
            }
        }
    }

    private static Path writeTemp(byte[] content) throws IOException {
        Path tmp = Files.createTempFile("content", ".bin");
        tmp.toFile().deleteOnExit();
        Files.write(tmp, content);
        return tmp;
    }
}
