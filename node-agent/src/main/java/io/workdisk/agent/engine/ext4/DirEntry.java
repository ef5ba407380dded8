package io.workdisk.agent.engine.ext4;

import java.nio.charset.StandardCharsets;

/** A name in a directory and the inode it points to. Names are bytes on disk; they need not be UTF-8. */
public record DirEntry(byte[] name, long inode) {
    public String displayName() {
        return new String(name, StandardCharsets.UTF_8);
    }
}
