package io.workdisk.agent.engine.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A layer's stored bytes as they arrive: reads what is in place, waits for more, and follows the blob
 * from its temporary file to its place in the cache (the open file survives the rename). Bytes from an
 * attempt that failed are never mixed with a later attempt's: the read fails instead
 * ({@link StartedOverException}), for the caller to read again from the verified blob.
 */
final class ArrivingInputStream extends InputStream {
    private final Arriving arriving;
    private final long size;
    private final String digest;
    private Path file;
    private FileChannel channel;
    private long position;
    private int attempt = -1;

    ArrivingInputStream(Arriving arriving, long size, String digest) {
        this.arriving = arriving;
        this.size = size;
        this.digest = digest;
    }

    @Override
    public int read() throws IOException {
        return OneByte.read(this);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (position >= size) {
            return -1;
        }
        while (true) {
            Arriving.Part part = await();
            if (attempt >= 0 && part.attempt() != attempt && position > 0) {
                throw new StartedOverException("the download of layer " + digest
                        + " failed part way and started over while it was being read");
            }
            attempt = part.attempt();
            if (part.bytes() <= position) {
                return -1; // whole and no longer than this: the digest check names the shortfall
            }
            try {
                follow(part.file());
            } catch (NoSuchFileException renamedOrRemoved) {
                continue; // moved into the cache or given up since: ask again where it is
            }
            int want = (int) Math.min(len, part.bytes() - position);
            int n = channel.read(ByteBuffer.wrap(b, off, want), position);
            if (n < 0) {
                throw new IOException("layer " + digest + " is shorter in " + file + " than its download said");
            }
            position += n;
            return n;
        }
    }

    private Arriving.Part await() throws IOException {
        try {
            return arriving.await(position);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for layer " + digest + " to download");
        } catch (IOException e) {
            throw new DownloadException(e.getMessage(), e);
        }
    }

    private void follow(Path where) throws IOException {
        if (where.equals(file) && channel != null) {
            return;
        }
        FileChannel next = FileChannel.open(where, StandardOpenOption.READ);
        close();
        channel = next;
        file = where;
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }

    /** The blob's download failed: the pull's failure, not the layer's. */
    static class DownloadException extends IOException {
        DownloadException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The download restarted under a reader: what it read may be of the failed attempt. */
    static final class StartedOverException extends DownloadException {
        StartedOverException(String message) {
            super(message, null);
        }
    }
}
