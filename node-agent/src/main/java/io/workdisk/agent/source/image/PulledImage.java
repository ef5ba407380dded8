package io.workdisk.agent.source.image;

import io.workdisk.agent.engine.image.Compression;
import io.workdisk.agent.engine.image.ImageLayers;
import io.workdisk.agent.engine.image.Platform;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A pulled image: every blob verified and in the layer cache, held there (not evicted) until this is
 * closed.
 *
 * @param reference the reference pulled
 * @param resolvedDigest what the reference points to: the index, or the manifest when there is no index;
 *     the digest a seed records and every node builds from
 * @param manifestDigest the image manifest chosen for the platform
 * @param platform the platform chosen (from the index, else the config)
 * @param layers in order, lowest first
 * @param cache the cache holding the blobs, released on {@link #close()}
 */
public record PulledImage(
        ImageReference reference,
        Digest resolvedDigest,
        Digest manifestDigest,
        Platform platform,
        ImageConfig config,
        List<Layer> layers,
        LayerCache cache)
        implements AutoCloseable {
    public PulledImage {
        layers = List.copyOf(layers);
    }

    /**
     * One layer: its blob as fetched (compressed as its media type says) and the digest of its
     * uncompressed tar from the config, which whoever decompresses it may check.
     *
     * @param cached whether the blob was in the cache already (no byte fetched for it)
     */
    public record Layer(
            Digest digest,
            String mediaType,
            Compression compression,
            long size,
            Digest diffId,
            Path path,
            boolean cached) {}

    /**
     * The layers as the disk engine applies them, lowest first, each with the diff_id its config names and
     * the place in the cache for the record of its headers.
     */
    public ImageLayers toImageLayers() {
        List<io.workdisk.agent.engine.image.Layer> applied = new ArrayList<>();
        for (Layer l : layers) {
            io.workdisk.agent.engine.image.Layer layer = io.workdisk.agent.engine.image.Layer.blob(
                            l.digest().toString(), l.mediaType(), l.path(), l.size())
                    .withHeaders(cache.headersPath(l.digest()));
            applied.add(l.diffId() != null ? layer.withDiffId(l.diffId().toString()) : layer);
        }
        return new ImageLayers(manifestDigest.toString(), config.digest().toString(), platform.toString(), applied);
    }

    /** Layers found in the cache rather than fetched. */
    public long layersCached() {
        return layers.stream().filter(Layer::cached).count();
    }

    /** Bytes of layers fetched from the registry for this pull. */
    public long layerBytesFetched() {
        return layers.stream().filter(l -> !l.cached()).mapToLong(Layer::size).sum();
    }

    /** Lets the cache evict these blobs again (least recently used first, when it is over its bound). */
    @Override
    public void close() {
        List<Digest> held = new ArrayList<>();
        held.add(config.digest());
        layers.forEach(l -> held.add(l.digest()));
        cache.release(held);
    }
}
