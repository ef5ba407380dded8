package io.workdisk.agent.engine.image;

import io.workdisk.agent.engine.ext4.Inode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Reads a tar stream header by header: ustar, PAX ({@code x} and {@code g} records: path, linkpath,
 * size, uid, gid, mtime and atime with fractions, {@code SCHILY.xattr.*}) and GNU long names
 * ({@code L}, {@code K}) and base-256 numbers. Its own because Commons Compress decodes PAX values as
 * UTF-8, which corrupts binary attribute values such as {@code security.capability}. Every field is
 * untrusted: checksums are verified, extension records are bounded, and a stream that ends inside an
 * entry (a size that lies) is an error, never a short file.
 */
public final class TarReader {
    static final int BLOCK = 512;
    /** PAX and GNU long-name records are held in memory; real ones are a few hundred bytes. */
    static final int MAX_EXTENSION_BYTES = 1 << 20;

    private final InputStream in;
    private final byte[] header = new byte[BLOCK];
    private final Map<String, byte[]> globalPax = new HashMap<>();
    private long position;
    private BoundedInputStream data = BoundedInputStream.upTo(InputStream.nullInputStream(), 0);
    private long dataSize;
    private long padding;
    private long dataOffset;

    public TarReader(InputStream in) {
        this.in = in;
    }

    /** Bytes consumed from the underlying stream so far. */
    public long position() {
        return position + dataSize - data.left();
    }

    /** Where the current entry's data starts in the underlying stream. */
    public long dataOffset() {
        return dataOffset;
    }

    /** The next entry, after skipping what is left of the current one; null at the end of the archive. */
    public TarEntry next() throws IOException {
        skipRest();
        Map<String, byte[]> pax = new HashMap<>();
        byte[] longName = null;
        byte[] longLink = null;
        for (int extensions = 0; ; extensions++) {
            if (extensions > 16) {
                throw new TarFormatException("more than 16 extension headers in a row at offset " + position);
            }
            if (!readHeader()) {
                return null;
            }
            byte type = header[156];
            long size = number(124, 12, "size");
            switch (type) {
                case 'x' -> pax.putAll(parsePax(readExtension(size, "PAX header")));
                case 'g' -> globalPax.putAll(parsePax(readExtension(size, "global PAX header")));
                case 'L' -> longName = trimNul(readExtension(size, "GNU long name"));
                case 'K' -> longLink = trimNul(readExtension(size, "GNU long link name"));
                default -> {
                    return entry(type, size, pax, longName, longLink);
                }
            }
        }
    }

    /** The current entry's data; reading past its declared size yields end of stream. */
    public InputStream content() {
        return data;
    }

    private TarEntry entry(byte type, long size, Map<String, byte[]> pax, byte[] longName, byte[] longLink)
            throws IOException {
        Map<String, byte[]> all = new HashMap<>(globalPax);
        // A global record naming one path, link or size for every entry is nonsense; defaults only.
        all.keySet().removeAll(List.of("path", "linkpath", "size"));
        all.putAll(pax);
        byte[] rawName = all.containsKey("path") ? all.get("path") : longName != null ? longName : ustarName();
        byte[] rawLink = all.containsKey("linkpath")
                ? all.get("linkpath")
                : longLink != null ? longLink : trimNul(Arrays.copyOfRange(header, 157, 257));
        if (all.containsKey("size")) {
            size = paxNumber(all.get("size"), "size");
        }
        if (all.keySet().stream().anyMatch(k -> k.startsWith("GNU.sparse."))) {
            throw new TarFormatException("sparse entry " + printable(rawName) + " is not supported");
        }
        if (type == 'S') {
            throw new TarFormatException("GNU sparse entry " + printable(rawName) + " is not supported");
        }
        long uid = all.containsKey("uid") ? paxNumber(all.get("uid"), "uid") : number(108, 8, "uid");
        long gid = all.containsKey("gid") ? paxNumber(all.get("gid"), "gid") : number(116, 8, "gid");
        Inode.Timestamp mtime =
                all.containsKey("mtime") ? paxTime(all.get("mtime")) : new Inode.Timestamp(number(136, 12, "mtime"), 0);
        Inode.Timestamp atime = all.containsKey("atime") ? paxTime(all.get("atime")) : mtime;
        SortedMap<String, byte[]> xattrs = new TreeMap<>();
        for (Map.Entry<String, byte[]> e : all.entrySet()) {
            if (e.getKey().startsWith("SCHILY.xattr.")) {
                xattrs.put(e.getKey().substring("SCHILY.xattr.".length()), e.getValue());
            }
        }
        int mode = (int) (number(100, 8, "mode") & 07777);
        dataOffset = position;
        dataSize = hasData(type) ? size : 0;
        data = BoundedInputStream.exactly(
                in,
                dataSize,
                missing -> new TarFormatException(
                        "the archive ends inside an entry, " + missing + " bytes short of its declared size"));
        padding = hasData(type) ? (BLOCK - size % BLOCK) % BLOCK : 0;
        String link = decode(rawLink);
        return new TarEntry(
                decode(rawName),
                type,
                size,
                mode,
                uid,
                gid,
                mtime,
                atime,
                link == null ? "" : link,
                xattrs,
                printable(rawName));
    }

    /** Hard links, symlinks, devices, fifos and directories carry no data whatever their size field says. */
    private static boolean hasData(byte type) {
        return !(type == '1' || type == '2' || type == '3' || type == '4' || type == '5' || type == '6');
    }

    private byte[] ustarName() {
        byte[] name = trimNul(Arrays.copyOfRange(header, 0, 100));
        boolean posix = header[257] == 'u'
                && header[258] == 's'
                && header[259] == 't'
                && header[260] == 'a'
                && header[261] == 'r'
                && header[262] == 0;
        if (!posix) {
            return name; // GNU keeps times, not a name prefix, in that field
        }
        byte[] prefix = trimNul(Arrays.copyOfRange(header, 345, 500));
        if (prefix.length == 0) {
            return name;
        }
        byte[] full = Arrays.copyOf(prefix, prefix.length + 1 + name.length);
        full[prefix.length] = '/';
        System.arraycopy(name, 0, full, prefix.length + 1, name.length);
        return full;
    }

    /** Reads one header block; false at the end-of-archive marker or a clean end of stream. */
    private boolean readHeader() throws IOException {
        int got = in.readNBytes(header, 0, BLOCK);
        position += got;
        if (got == 0) {
            return false;
        }
        if (got < BLOCK) {
            throw new TarFormatException("the archive ends inside a header at offset " + (position - got));
        }
        boolean zero = true;
        for (byte b : header) {
            if (b != 0) {
                zero = false;
                break;
            }
        }
        if (zero) {
            return false;
        }
        long stored = number(148, 8, "checksum");
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < BLOCK; i++) {
            byte b = i >= 148 && i < 156 ? (byte) ' ' : header[i];
            unsigned += b & 0xFF;
            signed += b;
        }
        if (stored != unsigned && stored != signed) {
            throw new TarFormatException("bad tar header checksum at offset " + (position - BLOCK)
                    + " (not a tar archive, or a size field that lies)");
        }
        return true;
    }

    private byte[] readExtension(long size, String what) throws IOException {
        if (size > MAX_EXTENSION_BYTES) {
            throw new TarFormatException(
                    what + " of " + size + " bytes at offset " + position + " is implausibly long");
        }
        byte[] data = in.readNBytes((int) size);
        position += data.length;
        if (data.length < size) {
            throw new TarFormatException("the archive ends inside a " + what);
        }
        skipExactly((BLOCK - size % BLOCK) % BLOCK);
        return data;
    }

    private void skipRest() throws IOException {
        data.transferTo(OutputStream.nullOutputStream());
        position += dataSize;
        dataSize = 0;
        data = BoundedInputStream.upTo(InputStream.nullInputStream(), 0);
        skipExactly(padding);
        padding = 0;
    }

    private void skipExactly(long n) throws IOException {
        long left = n;
        while (left > 0) {
            long skipped = in.skip(left);
            if (skipped <= 0) {
                if (in.read() < 0) {
                    throw new TarFormatException("the archive ends inside an entry's padding");
                }
                skipped = 1;
            }
            left -= skipped;
            position += skipped;
        }
    }

    /** PAX records: "LEN KEY=VALUE\n", the value raw bytes. */
    static Map<String, byte[]> parsePax(byte[] data) throws TarFormatException {
        Map<String, byte[]> out = new HashMap<>();
        int pos = 0;
        while (pos < data.length) {
            int space = pos;
            while (space < data.length && data[space] != ' ') {
                space++;
            }
            int len;
            try {
                len = Integer.parseInt(new String(data, pos, space - pos, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                throw new TarFormatException("malformed PAX record length");
            }
            int end = pos + len;
            if (len <= 0 || space >= data.length || end > data.length || data[end - 1] != '\n') {
                throw new TarFormatException("malformed PAX record");
            }
            int eq = space + 1;
            while (eq < end && data[eq] != '=') {
                eq++;
            }
            if (eq >= end) {
                throw new TarFormatException("PAX record without '='");
            }
            String key = new String(data, space + 1, eq - space - 1, StandardCharsets.UTF_8);
            out.put(key, Arrays.copyOfRange(data, eq + 1, end - 1));
            pos = end;
        }
        return out;
    }

    private long number(int off, int len, String field) throws TarFormatException {
        if ((header[off] & 0x80) != 0) {
            if ((header[off] & 0x40) != 0) {
                throw new TarFormatException("negative " + field + " in tar header at offset " + position);
            }
            long v = header[off] & 0x3F;
            for (int i = 1; i < len; i++) {
                if (v > (Long.MAX_VALUE >> 8)) {
                    throw new TarFormatException(field + " out of range in tar header");
                }
                v = (v << 8) | (header[off + i] & 0xFF);
            }
            return v;
        }
        long v = 0;
        int i = off;
        int end = off + len;
        while (i < end && (header[i] == ' ' || header[i] == 0)) {
            i++;
        }
        for (; i < end && header[i] != ' ' && header[i] != 0; i++) {
            int d = header[i] - '0';
            if (d < 0 || d > 7 || v > (Long.MAX_VALUE >> 3)) {
                throw new TarFormatException("malformed " + field + " in tar header at offset " + (position - BLOCK));
            }
            v = (v << 3) | d;
        }
        return v;
    }

    private static long paxNumber(byte[] value, String field) throws TarFormatException {
        try {
            long v = Long.parseLong(new String(value, StandardCharsets.US_ASCII));
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new TarFormatException("malformed PAX " + field);
        }
    }

    private static Inode.Timestamp paxTime(byte[] value) throws TarFormatException {
        try {
            BigDecimal t = new BigDecimal(new String(value, StandardCharsets.US_ASCII));
            BigDecimal seconds = new BigDecimal(t.toBigInteger());
            if (t.signum() < 0 && t.compareTo(seconds) != 0) {
                seconds = seconds.subtract(BigDecimal.ONE);
            }
            long nanos = t.subtract(seconds).movePointRight(9).longValue();
            return new Inode.Timestamp(seconds.longValueExact(), nanos);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new TarFormatException("malformed PAX time");
        }
    }

    private static byte[] trimNul(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return n == b.length ? b : Arrays.copyOf(b, n);
    }

    private static String decode(byte[] raw) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** A name for messages: printable ASCII kept, everything else escaped. */
    static String printable(byte[] raw) {
        StringBuilder sb = new StringBuilder();
        for (byte b : raw) {
            int c = b & 0xFF;
            sb.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        return sb.toString();
    }

    /** A stream ending where an entry's data ended too early, a header that lies, or an oversized record. */
    public static final class TarFormatException extends IOException {
        public TarFormatException(String message) {
            super(message);
        }
    }
}
