package io.workdisk.agent.engine.image;

import io.workdisk.agent.engine.ext4.Inode;
import io.workdisk.agent.engine.oci.Digest;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Collections;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A layer's tar headers as one read of it found them, kept beside the cached layer so a later build from
 * it applies them without inflating and parsing the layer again (the whole first read of a cached image).
 *
 * <p>The record names the layer's digest and the diff ID that read verified, and ends with a SHA-256 of
 * everything before it: a record cut short by a crash, damaged on disk or written for other content is
 * not used, and the layer is read again. It is written under a temporary name and renamed into place
 * only after the layer's digests matched, so no record exists for a layer that failed. The second read
 * of a build still checks the stored digest of every layer it copies files from, and that each copied
 * entry is the one the record named.
 */
public final class LayerHeaders {
    private static final Logger log = LoggerFactory.getLogger(LayerHeaders.class);
    /** A record's first bytes; its layout after them is fixed by {@link Recorder} and read by {@link #open}. */
    static final byte[] MAGIC = "workdisk layer headers 1\n".getBytes(StandardCharsets.US_ASCII);

    private static final int HASH_BYTES = 32;
    private static final int NULL = -1;
    private static final String TEMP_MARK = ".tmp-";

    private LayerHeaders() {}

    /**
     * A whole record of this very layer, read entry by entry: the tar's length and entry count are known
     * from the start, as the record's hash was checked over all of it before the first entry is read.
     */
    public static final class Replay implements AutoCloseable {
        private final DataInputStream in;
        private final long tarBytes;
        private final long count;
        private long read;

        private Replay(DataInputStream in, long tarBytes, long count) {
            this.in = in;
            this.tarBytes = tarBytes;
            this.count = count;
        }

        /** How long the layer's tar is: what a read of it would take from the image's byte budget. */
        public long tarBytes() {
            return tarBytes;
        }

        /** The next entry in tar order, or null after the last. */
        public TarEntry next() throws IOException {
            if (read == count) {
                return null;
            }
            read++;
            return entry(in);
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /**
     * The record at {@code file} for {@code layer}, if there is a whole one for this very layer: its
     * digest, and the diff ID the layer's config names now (a record made without that check, or for
     * other uncompressed bytes, is not used, so the fresh read checks it as it always would).
     */
    public static Optional<Replay> open(Path file, Layer layer) {
        try {
            Optional<Trailer> trailer = trailer(file);
            if (trailer.isEmpty()) {
                log.warn("ignoring layer headers {}: damaged or cut short; the layer is read again", file);
                return Optional.empty();
            }
            DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
            try {
                in.readFully(new byte[MAGIC.length]);
                String digest = string(in);
                String diffId = string(in);
                if (!layer.digest().toString().equals(digest)
                        || layer.diffId().isPresent()
                                && !layer.diffId().get().toString().equals(diffId)) {
                    in.close();
                    return Optional.empty();
                }
                return Optional.of(
                        new Replay(in, trailer.get().tarBytes(), trailer.get().count()));
            } catch (IOException | RuntimeException e) {
                in.close();
                throw e;
            }
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            log.warn("ignoring layer headers {}: {}; the layer is read again", file, e.toString());
            return Optional.empty();
        }
    }

    /** Starts a record for {@code layer} at {@code file}, kept only when {@link Recorder#commit} is called. */
    public static Recorder record(Path file, Layer layer) throws IOException {
        return new Recorder(file, layer);
    }

    /** Entries as a read of the layer meets them; nothing is at {@code file} until {@link #commit}. */
    public static final class Recorder implements AutoCloseable {
        private final Path file;
        private final Path temp;
        private final MessageDigest sha256 = sha256();
        private final DataOutputStream out;
        private final String digest;
        private long count;
        private boolean done;
        private boolean failed;

        private Recorder(Path file, Layer layer) throws IOException {
            this.file = file;
            this.digest = layer.digest().toString();
            this.temp = file.resolveSibling(
                    file.getFileName() + TEMP_MARK + ProcessHandle.current().pid() + "-" + System.nanoTime());
            this.out = new DataOutputStream(
                    new BufferedOutputStream(new DigestOutputStream(Files.newOutputStream(temp), sha256), 1 << 16));
            try {
                out.write(MAGIC);
                writeString(out, layer.digest().toString());
                // the diff ID this read checks; commit is only called once it matched
                writeString(out, layer.diffId().map(Digest::toString).orElse(null));
            } catch (IOException e) {
                close();
                throw e;
            }
        }

        /** Adds the next entry of the layer. A record that cannot be written is given up, not the build. */
        public void add(TarEntry e) {
            if (failed) {
                return;
            }
            try {
                write(out, e);
                count++;
            } catch (IOException ex) {
                giveUp(ex);
            }
        }

        /** Keeps the record, once the layer's digests matched; {@code tarBytes} is its tar's length. */
        public void commit(long tarBytes) {
            if (failed) {
                return;
            }
            try {
                out.writeLong(tarBytes);
                out.writeLong(count);
                out.flush();
                out.write(sha256.digest());
                out.close();
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                done = true;
            } catch (IOException ex) {
                giveUp(ex);
            }
        }

        private void giveUp(IOException e) {
            failed = true;
            log.warn(
                    "cannot record the headers of layer {} in {}: {}; later builds read the layer",
                    digest,
                    file,
                    e.toString());
        }

        @Override
        public void close() {
            if (!done) {
                try {
                    out.close();
                } catch (IOException ignored) {
                    // the file is removed next
                }
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException e) {
                    log.debug("cannot remove {}: {}", temp, e.toString());
                }
            }
        }
    }

    /** Whether {@code name} is a record being written (or left by a killed writer), not a record. */
    public static boolean isTemporary(String name) {
        return name.contains(TEMP_MARK);
    }

    /** The numbers at the end of a record, before its hash. */
    private record Trailer(long tarBytes, long count) {}

    /**
     * The tar length and entry count from the end of the record, if the file starts with the magic and
     * ends with the SHA-256 of all that precedes it.
     */
    private static Optional<Trailer> trailer(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < MAGIC.length + 16 + HASH_BYTES) {
                return Optional.empty();
            }
            MessageDigest sha256 = sha256();
            InputStream body = new BufferedInputStream(
                    BoundedInputStream.upTo(Channels.newInputStream(channel), size - HASH_BYTES), 1 << 16);
            if (!Arrays.equals(body.readNBytes(MAGIC.length), MAGIC)) {
                return Optional.empty();
            }
            sha256.update(MAGIC);
            body.transferTo(new DigestOutputStream(OutputStream.nullOutputStream(), sha256));
            ByteBuffer tail = ByteBuffer.allocate(16 + HASH_BYTES);
            while (tail.hasRemaining()) {
                if (channel.read(tail, size - tail.capacity() + tail.position()) < 0) {
                    throw new EOFException();
                }
            }
            byte[] hash = Arrays.copyOfRange(tail.array(), 16, tail.capacity());
            if (!Arrays.equals(hash, sha256.digest())) {
                return Optional.empty();
            }
            return Optional.of(new Trailer(tail.getLong(0), tail.getLong(8)));
        }
    }

    private static void write(DataOutputStream out, TarEntry e) throws IOException {
        writeString(out, e.name());
        out.writeByte(e.type());
        out.writeLong(e.size());
        out.writeInt(e.mode());
        out.writeLong(e.uid());
        out.writeLong(e.gid());
        out.writeLong(e.mtime().seconds());
        out.writeLong(e.mtime().nanos());
        out.writeLong(e.atime().seconds());
        out.writeLong(e.atime().nanos());
        writeString(out, e.linkName());
        out.writeInt(e.xattrs().size());
        for (var x : e.xattrs().entrySet()) {
            writeString(out, x.getKey());
            writeBytes(out, x.getValue());
        }
        writeString(out, e.displayName());
    }

    private static TarEntry entry(DataInputStream in) throws IOException {
        String name = string(in);
        byte type = in.readByte();
        long size = in.readLong();
        int mode = in.readInt();
        long uid = in.readLong();
        long gid = in.readLong();
        Inode.Timestamp mtime = new Inode.Timestamp(in.readLong(), in.readLong());
        Inode.Timestamp atime = new Inode.Timestamp(in.readLong(), in.readLong());
        String link = string(in);
        int xattrCount = in.readInt();
        SortedMap<String, byte[]> xattrs = xattrCount == 0 ? Collections.emptySortedMap() : new TreeMap<>();
        for (int i = 0; i < xattrCount; i++) {
            xattrs.put(string(in), bytes(in));
        }
        return new TarEntry(name, type, size, mode, uid, gid, mtime, atime, link, xattrs, string(in));
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        writeBytes(out, s == null ? null : s.getBytes(StandardCharsets.UTF_8));
    }

    private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        if (b == null) {
            out.writeInt(NULL);
            return;
        }
        out.writeInt(b.length);
        out.write(b);
    }

    private static String string(DataInputStream in) throws IOException {
        byte[] b = bytes(in);
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    private static byte[] bytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n == NULL) {
            return null;
        }
        if (n < 0) {
            throw new IOException("a negative length");
        }
        return in.readNBytes(n);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
