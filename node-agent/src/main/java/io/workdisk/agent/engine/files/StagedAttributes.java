package io.workdisk.agent.engine.files;

import io.workdisk.agent.engine.ext4.Inode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

/**
 * Mode and times on an entry of a staging tree, for {@code mkfs.ext4 -d DIR} to copy: never through a link
 * (the entry itself, a symlink included), times to the nanosecond.
 */
public final class StagedAttributes {
    private StagedAttributes() {}

    /** All twelve permission bits, setuid, setgid and sticky included (not for a symlink: Linux keeps none). */
    public static void setMode(Path entry, int permissions) throws IOException {
        Files.setAttribute(entry, "unix:mode", permissions & 07777, LinkOption.NOFOLLOW_LINKS);
    }

    public static void setTimes(Path entry, Inode.Timestamp mtime, Inode.Timestamp atime) throws IOException {
        Files.getFileAttributeView(entry, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setTimes(fileTime(mtime), fileTime(atime), null);
    }

    private static FileTime fileTime(Inode.Timestamp t) {
        return FileTime.from(Instant.ofEpochSecond(t.seconds(), t.nanos()));
    }
}
