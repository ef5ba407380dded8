package io.workdisk.agent.engine.seed;

import io.workdisk.agent.engine.ext4.DataRun;
import io.workdisk.agent.engine.ext4.Ext4FormatException;
import io.workdisk.agent.engine.ext4.Ext4Image;
import io.workdisk.agent.engine.ext4.Inode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a regular file's bytes lie in the ext4 image: its initialized data runs clipped to its size, each
 * at its offset in the file. What no span covers reads as zeros (holes, unwritten extents). One read of
 * the file's block map serves sizing it, choosing how it travels and copying it.
 */
final class FileSpans {
    /** {@code length} bytes at {@code offset} of the file, found at {@code imageOffset} of the image. */
    record Span(long offset, long length, long imageOffset) {}

    private final Ext4Image image;
    private final List<Span> spans;
    private final long dataBytes;

    private FileSpans(Ext4Image image, List<Span> spans, long dataBytes) {
        this.image = image;
        this.spans = spans;
        this.dataBytes = dataBytes;
    }

    /** The spans of a file whose data is in blocks (not inline in its inode). */
    static FileSpans of(Ext4Image image, Inode inode) throws IOException {
        long blockSize = image.superblock().blockSize();
        long size = inode.size();
        List<Span> spans = new ArrayList<>();
        long bytes = 0;
        for (DataRun run : image.dataRuns(inode)) {
            long offset = run.logicalBlock() * blockSize;
            if (run.initialized() && offset < size) {
                long length = Math.min(run.blocks() * blockSize, size - offset);
                spans.add(new Span(offset, length, run.physicalBlock() * blockSize));
                bytes += length;
            }
        }
        return new FileSpans(image, List.copyOf(spans), bytes);
    }

    /** In file order. */
    List<Span> spans() {
        return spans;
    }

    /** Bytes the spans hold: the file's data, holes not counted. */
    long dataBytes() {
        return dataBytes;
    }

    /**
     * Copies every span to the same offset of {@code out} (in the kernel where it can be), leaving what lies
     * between them unwritten: holes, when {@code out} is a new file. Returns the bytes copied.
     */
    long copyInto(FileChannel out) throws IOException {
        for (Span s : spans) {
            long done = 0;
            while (done < s.length()) {
                long n = image.channel()
                        .transferTo(s.imageOffset() + done, s.length() - done, out.position(s.offset() + done));
                if (n <= 0) {
                    throw new Ext4FormatException("file data ends early at image offset " + (s.imageOffset() + done));
                }
                done += n;
            }
        }
        return dataBytes;
    }
}
