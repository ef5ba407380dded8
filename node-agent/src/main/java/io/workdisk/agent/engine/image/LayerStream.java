package io.workdisk.agent.engine.image;

import io.workdisk.agent.engine.files.ConfinedRoot;
import io.workdisk.agent.engine.oci.Compression;
import io.workdisk.agent.engine.oci.Digest;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.ErrorText;
import io.workdisk.agent.engine.shared.Problem;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A layer's uncompressed tar, read straight from where its stored bytes are: the stored bytes are hashed
 * as they stream (and the uncompressed bytes too when the config names a diff ID), and {@link #finish}
 * reads whatever the tar reader left and checks both digests and the size before the layer counts as
 * applied. Output is counted against the image's byte budget as it is produced.
 */
final class LayerStream implements AutoCloseable {
    private final Layer layer;
    private final Closeable source;
    private final MessageDigest stored;
    private final MessageDigest uncompressed;
    private final BoundedInputStream raw;
    private final InputStream tar;
    /** Uncompressed bytes this layer produced so far: its tar's length once {@link #finish} returned. */
    private final AtomicLong produced = new AtomicLong();

    private LayerStream(Layer layer, InputStream storedBytes, Closeable source, Budget budget)
            throws IOException, EngineException {
        this.layer = layer;
        this.source = source;
        this.stored = layer.digest().newHasher();
        this.uncompressed = layer.diffId().map(Digest::newHasher).orElse(null);
        this.raw = BoundedInputStream.upTo(storedBytes, layer.size());
        InputStream decompressed;
        try {
            decompressed = new Unreadable(Compression.of(layer.mediaType())
                    .decompress(new BufferedInputStream(new Hashing(raw, stored), 1 << 16)));
        } catch (ArrivingInputStream.DownloadException e) {
            throw e;
        } catch (IOException e) {
            throw new UnreadableLayerException(e);
        }
        InputStream counted = budget.count(decompressed, produced);
        this.tar =
                new BufferedInputStream(uncompressed == null ? counted : new Hashing(counted, uncompressed), 1 << 16);
    }

    static LayerStream open(Layer layer, Budget budget) throws EngineException {
        Closeable source = null;
        try {
            if (layer.arriving().isPresent()) {
                ArrivingInputStream arriving = new ArrivingInputStream(
                        layer.arriving().get(),
                        layer.offset() + layer.size(),
                        layer.digest().toString());
                source = arriving;
                arriving.skipNBytes(layer.offset());
                return new LayerStream(layer, arriving, arriving, budget);
            }
            FileChannel channel = FileChannel.open(layer.file(), StandardOpenOption.READ);
            source = channel;
            if (channel.size() < layer.offset() + layer.size()) {
                throw new EngineException(
                        Problem.CORRUPT_IMAGE,
                        "layer " + layer.digest() + " in " + ConfinedRoot.quoted(layer.file()) + " is cut short");
            }
            channel.position(layer.offset());
            return new LayerStream(layer, Channels.newInputStream(channel), channel, budget);
        } catch (UnreadableLayerException | ArrivingInputStream.DownloadException e) {
            closeQuietly(source);
            throw failure("layer " + layer.digest(), "reading", e);
        } catch (IOException e) {
            closeQuietly(source);
            throw new EngineException(
                    Problem.SOURCE_UNREADABLE,
                    "cannot read layer " + layer.digest() + " from " + ConfinedRoot.quoted(layer.file()) + ": "
                            + ErrorText.of(e),
                    e);
        } catch (EngineException e) {
            closeQuietly(source);
            throw e;
        }
    }

    /** The length of the layer's tar: whole once {@link #finish} returned. */
    long tarBytes() {
        return produced.get();
    }

    /** The uncompressed tar. */
    InputStream tar() {
        return tar;
    }

    /** Reads what the tar reader did not need, then checks size and digests. */
    void finish() throws IOException, EngineException {
        tar.transferTo(OutputStream.nullOutputStream());
        raw.transferTo(OutputStream.nullOutputStream());
        if (raw.left() != 0) {
            throw new EngineException(
                    Problem.CORRUPT_IMAGE, "layer " + layer.digest() + " is shorter than its declared size");
        }
        Digest got = layer.digest().sameAlgorithm(stored.digest());
        if (!got.equals(layer.digest())) {
            throw new EngineException(
                    Problem.CORRUPT_IMAGE, "layer " + layer.digest() + " does not match its digest (got " + got + ")");
        }
        if (uncompressed != null) {
            Digest diff = layer.diffId().get().sameAlgorithm(uncompressed.digest());
            if (!diff.equals(layer.diffId().get())) {
                throw new EngineException(
                        Problem.CORRUPT_IMAGE,
                        "layer " + layer.digest() + " uncompressed does not match its diff ID "
                                + layer.diffId().get() + " (got " + diff + ")");
            }
        }
    }

    @Override
    public void close() {
        closeQuietly(source);
    }

    private static void closeQuietly(Closeable source) {
        if (source != null) {
            try {
                source.close();
            } catch (IOException ignored) {
                // read-only channel: nothing was written that a failed close could lose
            }
        }
    }

    /** The image's allowance of uncompressed bytes, shared by its layers, which may be read at once. */
    static final class Budget {
        private final long max;
        private final AtomicLong used = new AtomicLong();

        Budget(long max) {
            this.max = max;
        }

        long used() {
            return used.get();
        }

        /** Charges bytes a layer's tar is known to take without being read (its headers were recorded). */
        void charge(long n) throws LimitException {
            if (used.addAndGet(n) > max) {
                throw exceeded();
            }
        }

        private LimitException exceeded() {
            return new LimitException("the image's layers expand to more than " + max
                    + " bytes (a decompression bomb, or raise the limit)");
        }

        InputStream count(InputStream in, AtomicLong alsoHere) {
            return new FilterInputStream(in) {
                @Override
                public int read() throws IOException {
                    return OneByte.read(this);
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    int n = in.read(b, off, len);
                    if (n > 0) {
                        alsoHere.addAndGet(n);
                        if (used.addAndGet(n) > max) {
                            throw exceeded();
                        }
                    }
                    return n;
                }

                @Override
                public long skip(long n) throws IOException {
                    int chunk = (int) Math.min(n, 1 << 16);
                    int r = read(new byte[chunk], 0, chunk);
                    return r < 0 ? 0 : r;
                }
            };
        }
    }

    /**
     * Hashes every byte that passes, skipped ones included: DigestInputStream lets skip() bypass the
     * digest, and a buffered reader above it skips large entries' padding and unread data that way.
     */
    private static final class Hashing extends FilterInputStream {
        private final MessageDigest digest;
        private final byte[] scratch = new byte[1 << 16];

        Hashing(InputStream in, MessageDigest digest) {
            super(in);
            this.digest = digest;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                digest.update((byte) b);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                digest.update(b, off, n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            int r = read(scratch, 0, (int) Math.min(n, scratch.length));
            return Math.max(r, 0);
        }
    }

    /** Turns a decompressor's complaint into one that says so, apart from the tree's own I/O errors. */
    private static final class Unreadable extends FilterInputStream {
        Unreadable(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                return in.read();
            } catch (ArrivingInputStream.DownloadException e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                throw new UnreadableLayerException(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return in.read(b, off, len);
            } catch (ArrivingInputStream.DownloadException e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                // aircompressor reports bad zstd data as an unchecked MalformedInputException
                throw new UnreadableLayerException(e);
            }
        }
    }

    /**
     * What reading layer {@code which} ({@code "layer 2 (sha256:…)"}) failed of, as the engine reports it: the
     * image's fault (a hostile or malformed entry, a limit, data that does not decompress), or the node's.
     * {@code doing} names the work for the node's faults: "applying", "reading".
     */
    static EngineException failure(String which, String doing, IOException e) {
        if (e instanceof EntryNames.HostileEntryException
                || e instanceof LimitException
                || e instanceof TarReader.TarFormatException) {
            return new EngineException(Problem.INVALID_IMAGE, which + ": " + ErrorText.of(e), e);
        }
        if (e instanceof UnreadableLayerException) {
            return new EngineException(
                    Problem.CORRUPT_IMAGE, which + " cannot be decompressed: " + ErrorText.of(e.getCause()), e);
        }
        if (e instanceof ArrivingInputStream.DownloadException) {
            return new EngineException(Problem.SOURCE_UNAVAILABLE, which + ": " + ErrorText.of(e), e);
        }
        if (String.valueOf(e.getMessage()).contains("No space left")) {
            return new EngineException(Problem.INSUFFICIENT_SPACE, "ran out of space " + doing + " " + which, e);
        }
        return new EngineException(Problem.IO_ERROR, "failed " + doing + " " + which + ": " + ErrorText.of(e), e);
    }

    /** The stored bytes are not what their media type says (bad gzip or zstd data). */
    static final class UnreadableLayerException extends IOException {
        UnreadableLayerException(Exception cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** Output or entries beyond the image's limits. */
    static final class LimitException extends IOException {
        LimitException(String message) {
            super(message);
        }
    }
}
