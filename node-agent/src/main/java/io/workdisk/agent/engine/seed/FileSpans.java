package io.workdisk.agent.engine.seed;

import io.workdisk.agent.engine.ext4.DataRun;
import io.workdisk.agent.engine.ext4.Ext4FormatException;
import io.workdisk.agent.engine.ext4.Ext4Image;
import io.workdisk.agent.engine.ext4.Inode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a regular file's bytes lie, read from what its inode says rather than from what a writer usually
 * does: its initialized data runs in the image, or its inline bytes in the inode, each clipped to the file's
 * size and placed at its offset in the file. What no span covers reads as zeros, as the kernel reads it:
 * holes, unwritten extents, and everything past the last block or past the inline bytes of a file whose
 * size is larger (mke2fs stores a file made by {@code fallocate} on an {@code inline_data} filesystem as an
 * inline inode of its full size and no data). One read of the file's block map serves sizing the file,
 * choosing how it travels and copying it, the same way for every sink.
 */
final class FileSpans {
    /**
     * {@code length} bytes at {@code offset} of the file: found at {@code imageOffset} of the image, or,
     * for inline data, held in {@code inline}.
     */
    record Span(long offset, long length, long imageOffset, byte[] inline) {
        static Span inImage(long offset, long length, long imageOffset) {
            return new Span(offset, length, imageOffset, null);
        }

        static Span inInode(byte[] bytes) {
            return new Span(0, bytes.length, -1, bytes);
        }

        boolean isInline() {
            return inline != null;
        }
    }

    private final Ext4Image image;
    private final List<Span> spans;
    private final long dataBytes;

    private FileSpans(Ext4Image image, List<Span> spans) {
        this.image = image;
        this.spans = spans;
        this.dataBytes = spans.stream().mapToLong(Span::length).sum();
    }

    /** The spans of a regular file, whether its data is in blocks or inline in its inode. */
    static FileSpans of(Ext4Image image, Inode inode) throws IOException {
        if (inode.hasInlineData()) {
            byte[] inline = image.inlineData(inode);
            return new FileSpans(image, inline.length == 0 ? List.of() : List.of(Span.inInode(inline)));
        }
        long blockSize = image.superblock().blockSize();
        long size = inode.size();
        List<Span> spans = new ArrayList<>();
        for (DataRun run : image.dataRuns(inode)) {
            long offset = run.logicalBlock() * blockSize;
            if (run.initialized() && offset < size) {
                long length = Math.min(run.blocks() * blockSize, size - offset);
                spans.add(Span.inImage(offset, length, run.physicalBlock() * blockSize));
            }
        }
        return new FileSpans(image, List.copyOf(spans));
    }

    /** In file order. */
    List<Span> spans() {
        return spans;
    }

    /** Bytes the spans hold: the file's data, holes and the zeros past its data not counted. */
    long dataBytes() {
        return dataBytes;
    }

    /**
     * Copies every span to the same offset of {@code out} (in the kernel where it can be), leaving what lies
     * between them unwritten: holes, when {@code out} is a new file. Returns the bytes copied.
     */
    long copyInto(FileChannel out) throws IOException {
        for (Span s : spans) {
            if (s.isInline()) {
                ByteBuffer bytes = ByteBuffer.wrap(s.inline());
                while (bytes.hasRemaining()) {
                    out.write(bytes, s.offset() + bytes.position());
                }
                continue;
            }
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
