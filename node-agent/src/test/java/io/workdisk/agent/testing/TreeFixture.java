package io.workdisk.agent.testing;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Comparator;
import java.util.Random;

/**
 * A /root-like tree with every case the engine must carry intact: setuid, setgid and sticky bits,
 * symlinks (relative, absolute, dangling, escaping, long), hard links, sparse and large files, hostile
 * names (spaces, quotes, newlines, leading dashes, $(), non-ASCII, 255 bytes), deep nesting, and
 * special files that must be skipped.
 */
public final class TreeFixture {
    public static final String LONG_NAME = "L".repeat(255);
    public static final int DEPTH = 30;
    public static final long SPARSE_SIZE = 64L << 20;

    private TreeFixture() {}

    /** Builds the tree under {@code root} (which becomes the subtree, e.g. the rootfs's /root). */
    public static void create(Path root) throws IOException {
        Files.createDirectories(root);
        mode(root, 0700);
        write(root.resolve(".bashrc"), "export PS1='vm$ '\n", 0644);
        Path ssh = Files.createDirectory(root.resolve(".ssh"));
        write(ssh.resolve("authorized_keys"), "ssh-ed25519 AAAA test@example\n", 0600);
        mode(ssh, 0700);
        write(root.resolve("setuid-tool"), "#!/bin/sh\n", 04755);
        write(root.resolve("setgid-tool"), "#!/bin/sh\n", 02711);
        write(root.resolve("no-perms"), "secret", 0);
        Path sticky = Files.createDirectory(root.resolve("shared-tmp"));
        mode(sticky, 01777);
        Path setgidDir = Files.createDirectory(root.resolve("group-dir"));
        mode(setgidDir, 02775);
        write(root.resolve("empty"), "", 0644);
        Files.createDirectory(root.resolve("empty-dir"));

        Files.createSymbolicLink(root.resolve("abs-link"), Path.of("/etc/passwd"));
        Files.createSymbolicLink(root.resolve("escape-link"), Path.of("../../../../etc/shadow"));
        Files.createSymbolicLink(root.resolve("dangling"), Path.of("does/not/exist"));
        Files.createSymbolicLink(root.resolve("rel-link"), Path.of(".bashrc"));
        Files.createSymbolicLink(root.resolve("slow-link"), Path.of("/" + "long-target-".repeat(12)));
        Files.createSymbolicLink(root.resolve("dir-link"), Path.of("/etc"));

        write(root.resolve("original"), "linked content\n", 0640);
        Files.createLink(root.resolve("hard-link"), root.resolve("original"));
        Files.createLink(ssh.resolve("hard-link-2"), root.resolve("original"));

        try (RandomAccessFile f =
                new RandomAccessFile(root.resolve("sparse.img").toFile(), "rw")) {
            f.seek(1 << 20);
            f.write("middle".getBytes(StandardCharsets.UTF_8));
            f.setLength(SPARSE_SIZE);
            f.seek(SPARSE_SIZE - 4);
            f.write("end!".getBytes(StandardCharsets.UTF_8));
        }
        byte[] random = new byte[3 << 20];
        new Random(42).nextBytes(random);
        Files.write(root.resolve("random.bin"), random);

        for (String name : new String[] {
            "with space",
            "quote'single",
            "quote\"double",
            "new\nline",
            "-leading-dash",
            "--force",
            "$(touch pwned)",
            "`backtick`",
            "ünïcødé-名前",
            "tab\there",
            LONG_NAME,
            "semi;colon",
            "*glob?"
        }) {
            write(root.resolve(name), name + "\n", 0644);
        }
        Path deep = root;
        for (int i = 0; i < DEPTH; i++) {
            deep = Files.createDirectory(deep.resolve("d" + i));
        }
        write(deep.resolve("bottom"), "deep\n", 0644);

        Shell.ok("mkfifo", root.resolve("fifo").toString());
        // the character device every seed test expects skipped: only root may make one
        Requirements.root("mknod (the fixture's character device)");
        Shell.ok("mknod", root.resolve("null-device").toString(), "c", "1", "3");

        stampTimes(root);
    }

    /** Distinct, old mtimes everywhere (children first, so directory times stick). */
    private static void stampTimes(Path root) throws IOException {
        long[] t = {978_307_200L};
        try (var walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                if (Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                        .isOther()) {
                    continue; // opening a fifo to set its times would block; special files are skipped anyway
                }
                FileTime time = FileTime.from(Instant.ofEpochSecond(t[0]++ * 1 + 3600L * (p.getNameCount() % 7)));
                Files.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .setTimes(time, time, null);
            }
        }
    }

    private static void write(Path file, String content, int mode) throws IOException {
        Files.writeString(file, content, StandardCharsets.UTF_8);
        mode(file, mode);
    }

    private static void mode(Path p, int mode) throws IOException {
        Files.setAttribute(p, "unix:mode", mode, LinkOption.NOFOLLOW_LINKS);
    }
}
