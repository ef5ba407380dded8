package io.workdisk.agent.source.image;

/** How a layer's tar stream is compressed, from its media type. */
public enum LayerCompression {
    NONE,
    GZIP,
    ZSTD
}
