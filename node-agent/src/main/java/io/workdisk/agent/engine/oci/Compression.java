package io.workdisk.agent.engine.oci;

import io.airlift.compress.zstd.ZstdInputStream;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;

/**
 * How a layer's tar is stored, from its media type: the one table of layer media types, for the archive
 * reader, the registry client and the layer reader alike. A media type not listed here is refused.
 */
public enum Compression {
    NONE,
    GZIP,
    ZSTD;

    /**
     * A layer media type: how it is compressed, and whether a registry serves its blob. Foreign and
     * non-distributable layers' blobs live at URLs outside the registry, which the agent never fetches
     * from (it fetches only from the registry asked); in an archive they are bytes like any other.
     */
    private record LayerType(Compression compression, boolean fromRegistry) {}

    private static final Map<String, LayerType> BY_MEDIA_TYPE = Map.of(
            MediaTypes.OCI_LAYER,
            new LayerType(NONE, true),
            MediaTypes.OCI_LAYER_GZIP,
            new LayerType(GZIP, true),
            MediaTypes.OCI_LAYER_ZSTD,
            new LayerType(ZSTD, true),
            "application/vnd.oci.image.layer.nondistributable.v1.tar",
            new LayerType(NONE, false),
            "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
            new LayerType(GZIP, false),
            "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
            new LayerType(ZSTD, false),
            MediaTypes.DOCKER_LAYER_GZIP,
            new LayerType(GZIP, true),
            "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
            new LayerType(GZIP, false));

    /** How a layer of this media type that a registry serves is compressed; empty for any other type. */
    public static Optional<Compression> ofRegistryLayer(String mediaType) {
        return Optional.ofNullable(mediaType == null ? null : BY_MEDIA_TYPE.get(mediaType))
                .filter(LayerType::fromRegistry)
                .map(LayerType::compression);
    }

    /** Whether the table holds this layer media type. */
    public static boolean known(String mediaType) {
        return mediaType != null && BY_MEDIA_TYPE.containsKey(mediaType);
    }

    /** How a layer of a media type in the table is compressed (a caller checked {@link #known}). */
    public static Compression ofKnown(String mediaType) {
        return BY_MEDIA_TYPE.get(mediaType).compression();
    }

    public static Compression of(String mediaType) throws EngineException {
        LayerType type = mediaType == null ? null : BY_MEDIA_TYPE.get(mediaType);
        if (type == null) {
            throw new EngineException(
                    Problem.INVALID_IMAGE,
                    "layer media type '" + mediaType + "' is not a layer this agent can apply (expected one of "
                            + String.join(", ", new TreeSet<>(BY_MEDIA_TYPE.keySet())) + ")");
        }
        return type.compression();
    }

    /** The media type of a layer known only by its first bytes (docker save archives name none). */
    public static String sniff(byte[] head) {
        if (head.length >= 2 && (head[0] & 0xFF) == 0x1f && (head[1] & 0xFF) == 0x8b) {
            return MediaTypes.OCI_LAYER_GZIP;
        }
        if (head.length >= 4
                && (head[0] & 0xFF) == 0x28
                && (head[1] & 0xFF) == 0xb5
                && (head[2] & 0xFF) == 0x2f
                && (head[3] & 0xFF) == 0xfd) {
            return MediaTypes.OCI_LAYER_ZSTD;
        }
        return MediaTypes.OCI_LAYER;
    }

    public InputStream decompress(InputStream raw) throws IOException {
        return switch (this) {
            case NONE -> raw;
            case GZIP -> new GZIPInputStream(raw, 1 << 16);
            case ZSTD -> new ZstdInputStream(raw);
        };
    }
}
