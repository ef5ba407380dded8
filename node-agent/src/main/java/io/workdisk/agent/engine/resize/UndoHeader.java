package io.workdisk.agent.engine.resize;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * What the header of an e2fsprogs undo file says about the record behind it. The header is written
 * lazily (when a block of index keys fills, and at close), so after a crash it may be missing, or
 * present but not marked finished: then the file lacks the last blocks the tool overwrote.
 *
 * @param present the file starts with the undo magic, so e2undo can replay what it indexes
 * @param complete the tool closed the file: it records every block the tool overwrote
 */
record UndoHeader(boolean present, boolean complete) {
    private static final byte[] MAGIC = "E2UNDO02".getBytes(StandardCharsets.US_ASCII);
    /** magic, num_keys, super_offset, key_offset (8 bytes each), block_size, fs_block_size, sb_crc (4 each). */
    private static final int STATE_OFFSET = 44;

    private static final int STATE_FINISHED = 0x1;

    static UndoHeader read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return new UndoHeader(false, false);
        }
        ByteBuffer header = ByteBuffer.allocate(STATE_OFFSET + 4).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            while (header.hasRemaining() && channel.read(header) > 0) {}
        }
        if (header.hasRemaining() || !header.slice(0, MAGIC.length).equals(ByteBuffer.wrap(MAGIC))) {
            return new UndoHeader(false, false);
        }
        return new UndoHeader(true, (header.getInt(STATE_OFFSET) & STATE_FINISHED) != 0);
    }
}
