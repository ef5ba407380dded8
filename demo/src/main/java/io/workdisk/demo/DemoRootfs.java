package io.workdisk.demo;

import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.tools.E2fsTools;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

/** A small rootfs image for the demo: a /root with what a VM user's home holds, and a little /etc. */
final class DemoRootfs {
    private DemoRootfs() {}

    static Path make(Path workDir, Path image, E2fsTools tools) throws IOException, EngineException {
        Path tree = workDir.resolve("rootfs-tree");
        Path root = Files.createDirectories(tree.resolve("root"));
        Files.createDirectories(tree.resolve("etc"));
        Files.writeString(tree.resolve("etc/hostname"), "workdisk-demo\n");
        mode(root, 0700);
        write(root.resolve(".bashrc"), "export PS1='vm:\\w$ '\nalias ll='ls -la'\n", 0644);
        write(root.resolve(".profile"), "[ -f ~/.bashrc ] && . ~/.bashrc\n", 0644);
        Path ssh = Files.createDirectories(root.resolve(".ssh"));
        write(ssh.resolve("authorized_keys"), "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDemoKeyOnly demo@workdisk\n", 0600);
        mode(ssh, 0700);
        Path bin = Files.createDirectories(root.resolve("bin"));
        write(bin.resolve("setuid-helper"), "#!/bin/sh\necho helper\n", 04755);
        Path shared = Files.createDirectories(root.resolve("shared"));
        mode(shared, 01777);
        Files.createSymbolicLink(root.resolve("hostname-link"), Path.of("/etc/hostname"));
        try (RandomAccessFile f =
                new RandomAccessFile(root.resolve("scratch.img").toFile(), "rw")) {
            f.setLength(32L << 20); // sparse: 32 MiB apparent, nothing allocated
        }
        tools.run("mkfs.ext4", List.of("-q", "-F", "-t", "ext4", "-d", tree.toString(), image.toString(), "64M"));
        return image;
    }

    private static void write(Path p, String content, int mode) throws IOException {
        Files.writeString(p, content, StandardCharsets.UTF_8);
        mode(p, mode);
    }

    private static void mode(Path p, int mode) throws IOException {
        Files.setAttribute(p, "unix:mode", mode, LinkOption.NOFOLLOW_LINKS);
    }
}
