package io.workdisk.agent.engine.image;

/**
 * What one image may expand to: bytes of uncompressed tar over all its layers and tar entries over all
 * its layers. Past either the build stops with a named error: a layer of a few kilobytes can otherwise
 * inflate to fill the node (a decompression bomb) or to billions of empty files.
 */
public record LayerLimits(long maxOutputBytes, long maxEntries) {
    /** 64 GiB and 10 million entries: an order of magnitude above the largest real images. */
    public static LayerLimits defaults() {
        return new LayerLimits(64L << 30, 10_000_000L);
    }
}
