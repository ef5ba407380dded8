package io.workdisk.agent.engine.seed;

import io.workdisk.agent.engine.ext4.Ext4Image;
import io.workdisk.agent.engine.ext4.Inode;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Writes one POSIX.1-2001 (PAX) tar, as libarchive reads it for {@code mke2fs -d -}. Why not
 * Commons Compress's TarArchiveOutputStream: it takes names, link targets and extended header values as
 * Java strings, so a name that is not UTF-8 cannot pass through it byte for byte (here every path goes
 * raw, with {@code hdrcharset=BINARY} where needed). The format is small: a 512-byte ustar header per
 * entry, preceded by an extended header of "length key=value\n" records for what ustar cannot hold.
 *
 * <p>The tar is written strictly in order, to a pipe into {@code mke2fs -d -}: each entry's data in order,
 * its padding written here.
 */
public final class PaxTarWriter implements Closeable {
    static final int BLOCK = 512;
    private static final long USTAR_MAX_OCTAL_11 = 077777777777L;
    private static final long USTAR_MAX_OCTAL_7 = 07777777L;

    private static final ByteBuffer ZEROS = ByteBuffer.allocate(BLOCK).asReadOnlyBuffer();

    private final WritableByteChannel stream;
    private long position;
    private long dataStart;
    private int extendedHeaders;

    private PaxTarWriter(WritableByteChannel stream) {
        this.stream = stream;
    }

    /** A tar written strictly in order to {@code out}. */
    public static PaxTarWriter streaming(WritableByteChannel out) {
        return new PaxTarWriter(out);
    }

    /** Where the next entry's data starts, once its header is written. */
    long position() {
        return position;
    }

    /**
     * Writes the headers of an entry. {@code type} is '0' (file), '1' (hard link to {@code link}), '2'
     * (symlink to {@code link}) or '5' (directory). A file's {@code size} bytes follow through {@link #data},
     * {@link #dataFrom} and {@link #zeros}; {@link #endData} then pads them.
     */
    public void header(
            byte[] path,
            char type,
            int permissions,
            long uid,
            long gid,
            long size,
            Inode.Timestamp mtime,
            Inode.Timestamp atime,
            byte[] link,
            List<Ext4Image.Xattr> xattrs)
            throws IOException {
        ByteArrayOutputStream pax = new ByteArrayOutputStream();
        boolean binary = SeedPaths.utf8OrNull(path) == null || (link != null && SeedPaths.utf8OrNull(link) == null);
        if (binary) {
            record(pax, "hdrcharset", "BINARY".getBytes(StandardCharsets.US_ASCII));
        }
        boolean pathFits = path.length <= 100 && isAscii(path);
        if (!pathFits) {
            record(pax, "path", path);
        }
        boolean linkFits = link == null || (link.length <= 100 && isAscii(link));
        if (!linkFits) {
            record(pax, "linkpath", link);
        }
        if (size > USTAR_MAX_OCTAL_11) {
            record(pax, "size", ascii(Long.toString(size)));
        }
        if (uid > USTAR_MAX_OCTAL_7) {
            record(pax, "uid", ascii(Long.toString(uid)));
        }
        if (gid > USTAR_MAX_OCTAL_7) {
            record(pax, "gid", ascii(Long.toString(gid)));
        }
        record(pax, "mtime", ascii(time(mtime)));
        record(pax, "atime", ascii(time(atime)));
        for (Ext4Image.Xattr x : xattrs) {
            // libarchive takes the value of SCHILY.xattr.NAME as raw bytes
            record(pax, "SCHILY.xattr." + x.name(), x.value());
        }
        byte[] records = pax.toByteArray();
        ByteBuffer ext = ustar(
                ascii("PaxHeaders/" + extendedHeaders++),
                'x',
                0644,
                0,
                0,
                records.length,
                Math.max(0, Math.min(mtime.seconds(), USTAR_MAX_OCTAL_11)),
                null);
        // One write per entry: the extended header, its records padded to a block, the ustar header.
        ByteBuffer all = ByteBuffer.allocate(BLOCK + (int) roundUp(records.length) + BLOCK);
        all.put(ext).put(records).position(BLOCK + (int) roundUp(records.length));
        all.put(ustar(
                pathFits ? path : ascii("pax-path"),
                type,
                permissions,
                Math.min(uid, USTAR_MAX_OCTAL_7),
                Math.min(gid, USTAR_MAX_OCTAL_7),
                type == '0' ? Math.min(size, USTAR_MAX_OCTAL_11) : 0,
                Math.max(0, Math.min(mtime.seconds(), USTAR_MAX_OCTAL_11)),
                linkFits ? link : ascii("pax-linkpath")));
        write(all.flip());
        dataStart = position;
    }

    /** Appends {@code data} to the current entry's data. */
    public void data(ByteBuffer data) throws IOException {
        write(data);
    }

    /**
     * Appends {@code length} bytes of {@code source} from {@code offset} to the current entry's data, copied
     * by the channel (in the kernel where it can be).
     */
    void dataFrom(FileChannel source, long offset, long length) throws IOException {
        long done = 0;
        while (done < length) {
            long n = source.transferTo(offset + done, length - done, stream);
            if (n <= 0) {
                throw new IOException("file data ends early at offset " + (offset + done) + " of its image");
            }
            done += n;
        }
        position += length;
    }

    /** Appends {@code count} zero bytes to the current entry's data: a hole, spelled out. */
    void zeros(long count) throws IOException {
        ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(count, 1 << 20));
        long left = count;
        while (left > 0) {
            zeros.clear().limit((int) Math.min(left, zeros.capacity()));
            left -= zeros.remaining();
            write(zeros);
        }
    }

    /** Ends the current entry's data of {@code size} bytes, all of which came through the writer, and pads it. */
    public void endData(long size) throws IOException {
        long end = dataStart + size;
        if (position != end) {
            throw new IOException("tar entry data was " + (position - dataStart) + " bytes, not " + size);
        }
        write(ZEROS.duplicate().limit((int) (roundUp(end) - end)));
    }

    /** The end-of-archive marker: two zero blocks. */
    public void finish() throws IOException {
        write(ByteBuffer.allocate(2 * BLOCK));
    }

    @Override
    public void close() throws IOException {
        stream.close();
    }

    private void write(ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            position += stream.write(buffer);
        }
    }

    private static long roundUp(long n) {
        return (n + BLOCK - 1) / BLOCK * BLOCK;
    }

    private static ByteBuffer ustar(
            byte[] name, char type, int permissions, long uid, long gid, long size, long mtime, byte[] link) {
        byte[] h = new byte[BLOCK];
        System.arraycopy(name, 0, h, 0, Math.min(100, name.length));
        octal(h, 100, 8, permissions & 07777);
        octal(h, 108, 8, uid);
        octal(h, 116, 8, gid);
        octal(h, 124, 12, size);
        octal(h, 136, 12, mtime);
        Arrays.fill(h, 148, 156, (byte) ' ');
        h[156] = (byte) type;
        if (link != null) {
            System.arraycopy(link, 0, h, 157, Math.min(100, link.length));
        }
        System.arraycopy(ascii("ustar\0"), 0, h, 257, 6);
        h[263] = '0';
        h[264] = '0';
        octal(h, 329, 8, 0);
        octal(h, 337, 8, 0);
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xFF;
        }
        octal(h, 148, 7, sum);
        return ByteBuffer.wrap(h);
    }

    /** A zero-padded octal number filling {@code width - 1} digits, then NUL. */
    private static void octal(byte[] h, int offset, int width, long value) {
        String digits = Long.toOctalString(value);
        int pad = width - 1 - digits.length();
        for (int i = 0; i < width - 1; i++) {
            h[offset + i] = (byte) (i < pad ? '0' : digits.charAt(i - pad));
        }
        h[offset + width - 1] = 0;
    }

    /** One extended header record: "LEN key=value\n", LEN counting the whole record including itself. */
    private static void record(ByteArrayOutputStream pax, String key, byte[] value) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        int body = 1 + k.length + 1 + value.length + 1;
        int len = body + Integer.toString(body).length();
        if (Integer.toString(len).length() != Integer.toString(body).length()) {
            len++;
        }
        pax.writeBytes(ascii(len + " "));
        pax.writeBytes(k);
        pax.write('=');
        pax.writeBytes(value);
        pax.write('\n');
    }

    private static String time(Inode.Timestamp t) {
        return t.nanos() == 0 ? Long.toString(t.seconds()) : t.seconds() + "." + String.format("%09d", t.nanos());
    }

    private static boolean isAscii(byte[] s) {
        for (byte b : s) {
            if (b < 0x20 || b == 0x7f) {
                return false;
            }
        }
        return true;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
