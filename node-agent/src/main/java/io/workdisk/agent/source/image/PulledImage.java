package io.workdisk.agent.source.image;

import io.workdisk.agent.engine.image.ImageLayers;
import io.workdisk.agent.engine.image.Layer;
import io.workdisk.agent.engine.oci.Digest;
import io.workdisk.agent.engine.oci.Platform;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A pulled image: every blob verified and in the layer cache, held there (not evicted) until this is
 * closed.
 *
 * @param reference the reference pulled
 * @param resolvedDigest what the reference points to: the index, or the manifest when there is no index;
 *     the digest a seed records and every node builds from
 * @param manifestDigest the image manifest chosen for the platform
 * @param platform the platform chosen (from the index, else the config)
 * @param layers in order, lowest first, as the disk engine applies them: each blob where the cache holds
 *     it, with the diff ID its config names and the place in the cache for the record of its headers
 * @param foundCached the layers' digests that were in the cache already (no byte fetched for them)
 * @param cache the cache holding the blobs, released on {@link #close()}
 */
public record PulledImage(
        ImageReference reference,
        Digest resolvedDigest,
        Digest manifestDigest,
        Platform platform,
        ImageConfig config,
        List<Layer> layers,
        Set<Digest> foundCached,
        LayerCache cache)
        implements AutoCloseable {
    public PulledImage {
        layers = List.copyOf(layers);
        foundCached = Set.copyOf(foundCached);
    }

    /** Whether {@code layer}'s blob was in the cache already rather than fetched for this pull. */
    public boolean cached(Layer layer) {
        return foundCached.contains(layer.digest());
    }

    /** The layers as the disk engine applies them, lowest first. */
    public ImageLayers toImageLayers() {
        return new ImageLayers(manifestDigest.toString(), config.digest().toString(), platform.toString(), layers);
    }

    /** Layers found in the cache rather than fetched. */
    public long layersCached() {
        return layers.stream().filter(this::cached).count();
    }

    /** Bytes of layers fetched from the registry for this pull. */
    public long layerBytesFetched() {
        return layers.stream().filter(l -> !cached(l)).mapToLong(Layer::size).sum();
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
