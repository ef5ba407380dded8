package io.workdisk.agent.engine.image;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.LongFunction;

/**
 * At most {@code size} bytes of the stream below, never a byte past them. What running out first means is
 * the caller's: a layer's slice of a file simply ends there (its size and digest are checked afterwards),
 * while a tar entry whose data ends early is a tar that lies about a size.
 */
final class BoundedInputStream extends FilterInputStream {
    private final LongFunction<IOException> cutShort;
    private long left;

    private BoundedInputStream(InputStream in, long size, LongFunction<IOException> cutShort) {
        super(in);
        this.left = size;
        this.cutShort = cutShort;
    }

    /** Ends at {@code size} bytes, or earlier where the stream below ends. */
    static BoundedInputStream upTo(InputStream in, long size) {
        return new BoundedInputStream(in, size, null);
    }

    /** Exactly {@code size} bytes: an earlier end throws what {@code cutShort} makes of the bytes missing. */
    static BoundedInputStream exactly(InputStream in, long size, LongFunction<IOException> cutShort) {
        return new BoundedInputStream(in, size, cutShort);
    }

    /** Bytes not yet read. */
    long left() {
        return left;
    }

    @Override
    public int read() throws IOException {
        return OneByte.read(this);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (left == 0) {
            return -1;
        }
        int n = in.read(b, off, (int) Math.min(len, left));
        if (n < 0) {
            if (cutShort != null) {
                throw cutShort.apply(left);
            }
            return -1;
        }
        left -= n;
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = in.skip(Math.min(n, left));
        left -= skipped;
        return skipped;
    }

    @Override
    public int available() throws IOException {
        return (int) Math.min(in.available(), left);
    }

    @Override
    public boolean markSupported() {
        return false;
    }
}
