package io.workdisk.agent.engine.image;

import io.workdisk.agent.engine.oci.MediaTypes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes tar entries exactly as a test says, hostile ones included (names with "..", links anywhere,
 * sizes that lie), which real tar refuses to make. Names over 100 bytes, nanosecond times and xattrs go
 * into PAX records, as Go's archive/tar writes them.
 */
final class TarWriter {
    /** What a test puts in a layer. */
    interface Entries {
        void write(TarWriter w) throws IOException;
    }

    /** An uncompressed layer of {@code entries}, written as the tar file {@code tar}. */
    static Layer layerAt(java.nio.file.Path tar, Entries entries) throws IOException {
        try (java.io.FileOutputStream out = new java.io.FileOutputStream(tar.toFile())) {
            TarWriter w = new TarWriter(out);
            entries.write(w);
            w.finish();
        }
        return Layer.blob(OciLayouts.digest(tar), MediaTypes.OCI_LAYER, tar, java.nio.file.Files.size(tar));
    }

    private final OutputStream out;

    TarWriter(OutputStream out) {
        this.out = out;
    }

    TarWriter dir(String name, int mode) throws IOException {
        return entry(name, '5', mode, 0, 0, 1_600_000_000L, 0, "", new byte[0], Map.of());
    }

    TarWriter file(String name, int mode, String content) throws IOException {
        return entry(name, '0', mode, 0, 0, 1_600_000_000L, 0, "", content.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    TarWriter symlink(String name, String target) throws IOException {
        return entry(name, '2', 0777, 0, 0, 1_600_000_000L, 0, target, new byte[0], Map.of());
    }

    TarWriter hardLink(String name, String target) throws IOException {
        return entry(name, '1', 0644, 0, 0, 1_600_000_000L, 0, target, new byte[0], Map.of());
    }

    TarWriter entry(
            String name,
            char type,
            int mode,
            long uid,
            long gid,
            long mtime,
            long nanos,
            String link,
            byte[] data,
            Map<String, byte[]> xattrs)
            throws IOException {
        Map<String, byte[]> pax = new LinkedHashMap<>();
        if (name.getBytes(StandardCharsets.UTF_8).length > 100) {
            pax.put("path", name.getBytes(StandardCharsets.UTF_8));
        }
        if (nanos != 0) {
            pax.put("mtime", String.format("%d.%09d", mtime, nanos).getBytes(StandardCharsets.US_ASCII));
        }
        xattrs.forEach((k, v) -> pax.put("SCHILY.xattr." + k, v));
        if (!pax.isEmpty()) {
            ByteArrayOutputStream records = new ByteArrayOutputStream();
            for (Map.Entry<String, byte[]> r : pax.entrySet()) {
                byte[] body = (" " + r.getKey() + "=").getBytes(StandardCharsets.UTF_8);
                int len = body.length + r.getValue().length + 1;
                int digits = Integer.toString(len).length();
                len += digits;
                if (Integer.toString(len).length() != digits) {
                    len++;
                }
                records.write(Integer.toString(len).getBytes(StandardCharsets.US_ASCII));
                records.write(body);
                records.write(r.getValue());
                records.write('\n');
            }
            raw("PaxHeaders/x", 'x', 0644, 0, 0, mtime, "", records.toByteArray(), records.size());
        }
        return raw(name, type, mode, uid, gid, mtime, link, data, data.length);
    }

    /** One header and its data; {@code declaredSize} may differ from the data's length. */
    TarWriter raw(
            String name,
            char type,
            int mode,
            long uid,
            long gid,
            long mtime,
            String link,
            byte[] data,
            long declaredSize)
            throws IOException {
        byte[] h = new byte[512];
        put(h, 0, 100, name.getBytes(StandardCharsets.UTF_8));
        octal(h, 100, 8, mode);
        octal(h, 108, 8, uid);
        octal(h, 116, 8, gid);
        octal(h, 124, 12, declaredSize);
        octal(h, 136, 12, mtime);
        h[156] = (byte) type;
        put(h, 157, 100, link.getBytes(StandardCharsets.UTF_8));
        put(h, 257, 6, "ustar\0".getBytes(StandardCharsets.US_ASCII));
        put(h, 263, 2, "00".getBytes(StandardCharsets.US_ASCII));
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xFF;
        }
        octal(h, 148, 7, sum);
        out.write(h);
        out.write(data);
        out.write(new byte[(512 - data.length % 512) % 512]);
        return this;
    }

    void finish() throws IOException {
        out.write(new byte[1024]);
        out.close();
    }

    private static void put(byte[] h, int off, int len, byte[] v) {
        System.arraycopy(v, 0, h, off, Math.min(len, v.length));
    }

    private static void octal(byte[] h, int off, int len, long v) {
        String s = Long.toOctalString(v);
        while (s.length() < len - 1) {
            s = "0" + s;
        }
        put(h, off, len - 1, s.getBytes(StandardCharsets.US_ASCII));
    }
}
