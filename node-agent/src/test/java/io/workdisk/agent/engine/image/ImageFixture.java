package io.workdisk.agent.engine.image;

import io.workdisk.agent.engine.oci.Platform;
import io.workdisk.agent.testing.Requirements;
import io.workdisk.agent.testing.Shell;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A three-layer image that exercises what a runtime must get right: gzip, plain and zstd layers; an
 * opaque directory, a whiteout, a file that becomes a directory and a directory that becomes a symlink,
 * hard links to a lower layer's files, setuid/setgid/sticky modes, owners, a user xattr, a long name,
 * nanosecond times, and a fifo and a device node to skip.
 */
final class ImageFixture {
    /** The same image with no zstd layer, for umoci to unpack as the reference. */
    static final String UMOCI_LAYOUT = "layout-umoci";

    static final String LONG_NAME = "long/" + "d".repeat(60) + "/" + "f".repeat(80);

    private ImageFixture() {}

    /**
     * Writes the layout into {@code dir}/layout (and its zstd-free twin into {@link #UMOCI_LAYOUT}) and
     * returns the packed archive.
     */
    static Path write(Path dir) throws IOException {
        Requirements.root("the image fixture's device node and owned files (mknod, chown)");
        Path l1 = Files.createDirectories(dir.resolve("l1"));
        Files.createDirectories(l1.resolve("etc"));
        Files.writeString(l1.resolve("etc/passwd"), "root:x:0:0::/root:/bin/sh\n");
        Files.writeString(l1.resolve("etc/shadow"), "root:*:1::::::\n");
        Files.setAttribute(l1.resolve("etc/shadow"), "unix:gid", 42);
        Files.setAttribute(l1.resolve("etc/shadow"), "unix:mode", 0640);
        Files.createDirectories(l1.resolve("bin"));
        Files.writeString(l1.resolve("bin/ping"), "ping binary");
        Files.getFileAttributeView(l1.resolve("bin/ping"), UserDefinedFileAttributeView.class)
                .write("test", ByteBuffer.wrap("v\u0001".getBytes(StandardCharsets.UTF_8)));
        Files.setAttribute(l1.resolve("bin/ping"), "unix:mode", 04755);
        Files.createDirectories(l1.resolve("usr/lib"));
        Files.writeString(l1.resolve("usr/lib/libx.so"), "library");
        Files.createDirectories(l1.resolve("a"));
        Files.writeString(l1.resolve("a/1"), "one");
        Files.writeString(l1.resolve("a/2"), "two");
        Files.createDirectories(l1.resolve("keep"));
        Files.writeString(l1.resolve("keep/old"), "old");
        Files.writeString(l1.resolve("tc1"), "file that becomes a directory");
        Files.createDirectories(l1.resolve("tc2"));
        Files.writeString(l1.resolve("tc2/c"), "child of a directory that becomes a symlink");
        Files.createSymbolicLink(l1.resolve("sl"), Path.of("/etc/passwd"));
        Files.createDirectories(l1.resolve(LONG_NAME).getParent());
        Files.writeString(l1.resolve(LONG_NAME), "long");
        Files.writeString(l1.resolve("ns"), "nanoseconds");
        Files.createDirectories(l1.resolve("tmp"));
        Files.setAttribute(l1.resolve("tmp"), "unix:mode", 01777);
        Files.createDirectories(l1.resolve("shared"));
        Files.setAttribute(l1.resolve("shared"), "unix:mode", 02775);
        Files.createDirectories(l1.resolve("root"));
        Files.setAttribute(l1.resolve("root"), "unix:mode", 0700);
        Files.writeString(l1.resolve("root/.profile"), "PATH=/bin\n");
        Files.writeString(l1.resolve("owned"), "owned by 1000:1001");
        Files.setAttribute(l1.resolve("owned"), "unix:uid", 1000);
        Files.setAttribute(l1.resolve("owned"), "unix:gid", 1001);
        Shell.ok("mkfifo", l1.resolve("fifo").toString());
        Shell.ok("mknod", l1.resolve("null").toString(), "c", "1", "3");
        settleTimes(l1);
        Files.setLastModifiedTime(l1.resolve("ns"), FileTime.from(Instant.ofEpochSecond(1_500_000_000L, 123_456_789)));

        Path l2 = dir.resolve("l2.tar");
        TarWriter w = new TarWriter(new FileOutputStream(l2.toFile()));
        w.dir("a/", 0750)
                .file("a/.wh..wh..opq", 0644, "")
                .file("a/3", 0644, "three")
                .file("etc/.wh.passwd", 0644, "")
                .dir("tc1/", 0755)
                .file("tc1/x", 0600, "inside")
                .symlink("tc2", "elsewhere")
                .hardLink("usr/lib/libx.so.1", "usr/lib/libx.so")
                .hardLink("bin/ping2", "bin/ping")
                .entry(
                        "keep/new",
                        '0',
                        0644,
                        7,
                        8,
                        1_600_000_100L,
                        5,
                        "",
                        "new".getBytes(StandardCharsets.UTF_8),
                        Map.of("user.kept", new byte[] {0, (byte) 0x80, (byte) 0xff, 1}))
                .finish();

        Path l3 = Files.createDirectories(dir.resolve("l3"));
        Files.createDirectories(l3.resolve("sl"));
        Files.writeString(l3.resolve("sl/inside"), "symlink replaced by a directory");
        Files.writeString(l3.resolve("late"), "late");
        settleTimes(l3);

        Path l1tar = OciLayouts.tarOf(l1, dir.resolve("l1.tar"));
        Path l3tar = OciLayouts.tarOf(l3, dir.resolve("l3.tar"));
        String arch = Platform.host().architecture();
        Path layout = Files.createDirectories(dir.resolve("layout"));
        OciLayouts.layout(
                layout,
                List.of(
                        new OciLayouts.LayerFile(l1tar, "gzip"),
                        new OciLayouts.LayerFile(l2, "none"),
                        new OciLayouts.LayerFile(l3tar, "zstd")),
                arch);
        // Debian's umoci cannot read zstd layers: its reference copy has the same tars, the last one gzipped.
        OciLayouts.layout(
                Files.createDirectories(dir.resolve(UMOCI_LAYOUT)),
                List.of(
                        new OciLayouts.LayerFile(l1tar, "gzip"),
                        new OciLayouts.LayerFile(l2, "none"),
                        new OciLayouts.LayerFile(l3tar, "gzip")),
                arch);
        return OciLayouts.pack(layout, archive(dir));
    }

    /**
     * The fixture image as umoci, a reference implementation of the layer rules, unpacks it: written to
     * {@code dir} (as {@link #write}) and unpacked into {@code dir/umoci}; returns that directory.
     */
    static Path unpackedByUmoci(Path dir) throws IOException {
        Path umoci = Requirements.tool("umoci", "apt-get install umoci");
        write(dir);
        Path theirs = dir.resolve("umoci");
        io.workdisk.agent.testing.Shell.ok(
                umoci.toString(), "raw", "unpack", "--image", dir.resolve(UMOCI_LAYOUT) + ":latest", theirs.toString());
        return theirs;
    }

    /** The fixture's archive in {@code dir}, once {@link #write} or {@link #unpackedByUmoci} made it. */
    static Path archive(Path dir) {
        return dir.resolve("image.oci.tar");
    }

    /**
     * The entries below {@code root} by relative path, never following a link; device nodes, fifos and
     * sockets left out when {@code dropSpecial} (the seed skips them).
     */
    static java.util.Map<String, Path> entries(Path root, boolean dropSpecial) throws IOException {
        java.util.Map<String, Path> out = new java.util.TreeMap<>();
        java.nio.file.LinkOption nofollow = java.nio.file.LinkOption.NOFOLLOW_LINKS;
        try (java.util.stream.Stream<Path> s = Files.walk(root)) {
            s.filter(p -> !p.equals(root))
                    .filter(p -> !dropSpecial
                            || Files.isDirectory(p, nofollow)
                            || Files.isRegularFile(p, nofollow)
                            || Files.isSymbolicLink(p))
                    .forEach(p -> out.put(root.relativize(p).toString(), p));
        }
        return out;
    }

    /** Fixed times for every entry, so the comparison covers directories too. */
    private static void settleTimes(Path root) throws IOException {
        List<Path> all;
        try (Stream<Path> s = Files.walk(root)) {
            // not the fifo: setting its times opens it, which waits for a writer
            all = s.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)
                            || Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
                            || Files.isSymbolicLink(p))
                    .sorted((a, b) -> b.getNameCount() - a.getNameCount())
                    .toList();
        }
        long t = 1_600_000_000L;
        for (Path p : all) {
            Files.getFileAttributeView(
                            p, java.nio.file.attribute.BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setTimes(FileTime.from(Instant.ofEpochSecond(t++)), FileTime.from(Instant.ofEpochSecond(t)), null);
        }
    }
}
