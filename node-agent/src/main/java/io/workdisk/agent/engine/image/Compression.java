package io.workdisk.agent.engine.image;

import io.airlift.compress.zstd.ZstdInputStream;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;

/** How a layer's tar is stored, from its media type; a media type not listed here is refused. */
enum Compression {
    NONE,
    GZIP,
    ZSTD;

    static final String OCI_TAR = "application/vnd.oci.image.layer.v1.tar";
    static final String OCI_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
    static final String OCI_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";

    private static final Map<String, Compression> BY_MEDIA_TYPE = Map.of(
            OCI_TAR,
            NONE,
            OCI_GZIP,
            GZIP,
            OCI_ZSTD,
            ZSTD,
            "application/vnd.oci.image.layer.nondistributable.v1.tar",
            NONE,
            "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
            GZIP,
            "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
            ZSTD,
            "application/vnd.docker.image.rootfs.diff.tar.gzip",
            GZIP,
            "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
            GZIP);

    static Compression of(String mediaType) throws EngineException {
        Compression c = mediaType == null ? null : BY_MEDIA_TYPE.get(mediaType);
        if (c == null) {
            throw new EngineException(
                    Problem.INVALID_IMAGE,
                    "layer media type '" + mediaType + "' is not a layer this agent can apply (expected one of "
                            + String.join(", ", new TreeSet<>(BY_MEDIA_TYPE.keySet())) + ")");
        }
        return c;
    }

    /** The media type of a layer known only by its first bytes (docker save archives name none). */
    static String sniff(byte[] head) {
        if (head.length >= 2 && (head[0] & 0xFF) == 0x1f && (head[1] & 0xFF) == 0x8b) {
            return OCI_GZIP;
        }
        if (head.length >= 4
                && (head[0] & 0xFF) == 0x28
                && (head[1] & 0xFF) == 0xb5
                && (head[2] & 0xFF) == 0x2f
                && (head[3] & 0xFF) == 0xfd) {
            return OCI_ZSTD;
        }
        return OCI_TAR;
    }

    InputStream decompress(InputStream raw) throws IOException {
        return switch (this) {
            case NONE -> raw;
            case GZIP -> new GZIPInputStream(raw, 1 << 16);
            case ZSTD -> new ZstdInputStream(raw);
        };
    }
}
