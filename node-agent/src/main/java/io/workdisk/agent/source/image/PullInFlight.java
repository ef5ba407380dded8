package io.workdisk.agent.source.image;

import io.workdisk.agent.engine.image.Arrival;
import io.workdisk.agent.engine.image.ImageLayers;
import io.workdisk.agent.engine.image.Layer;
import io.workdisk.agent.engine.oci.Descriptor;
import io.workdisk.agent.engine.oci.Digest;
import io.workdisk.agent.engine.oci.Platform;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.Problem;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pull whose manifest and config are in and whose layers are downloading, several at once, lowest
 * first: a build may read each layer as it arrives, while {@link #await} waits for every blob to be
 * verified and in the cache. Closing it without a successful {@link #await} stops the downloads, waits
 * for them to end (their partial files go) and lets go of the blobs.
 */
public final class PullInFlight implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PullInFlight.class);

    /** What the manifest and config said: the image as a pull reports it, before its layers are in. */
    record Image(
            ImageReference reference,
            Digest resolvedDigest,
            Digest manifestDigest,
            Platform platform,
            ImageConfig config) {}

    private final Image image;
    private final List<Descriptor> layers;
    private final LayerCache cache;
    private final List<Digest> held;
    private final ExecutorService pool;
    private final CompletionService<LayerCache.Blob> done;
    private final Map<Digest, Arrival> arrivals;
    /** Set once every blob is in: the blobs are then its to hold. */
    private PulledImage pulled;

    private PullInFlight(
            Image image,
            List<Descriptor> layers,
            LayerCache cache,
            List<Digest> held,
            ExecutorService pool,
            Map<Digest, Arrival> arrivals) {
        this.image = image;
        this.layers = List.copyOf(layers);
        this.cache = cache;
        this.held = held;
        this.pool = pool;
        this.done = new ExecutorCompletionService<>(pool);
        this.arrivals = arrivals;
    }

    /** Starts fetching each distinct layer blob once, at most {@code parallelism} at a time, lowest first. */
    static PullInFlight start(
            Image image,
            List<Descriptor> layers,
            LayerCache cache,
            List<Digest> held,
            int parallelism,
            ImagePuller.LayerFetch fetch) {
        Map<Digest, Descriptor> distinct = new LinkedHashMap<>();
        layers.forEach(d -> distinct.putIfAbsent(d.digest(), d));
        Map<Digest, Arrival> arrivals = new LinkedHashMap<>();
        distinct.keySet().forEach(d -> arrivals.put(d, new Arrival()));
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(parallelism, distinct.size())), r -> {
            Thread t = new Thread(r, "layer-download");
            t.setDaemon(true);
            return t;
        });
        PullInFlight pull = new PullInFlight(image, layers, cache, held, pool, arrivals);
        for (Descriptor d : distinct.values()) {
            Arrival arrival = arrivals.get(d.digest());
            pull.done.submit(() -> {
                try {
                    return fetch.fetch(d, arrival);
                } catch (EngineException | RuntimeException e) {
                    arrival.failed(e);
                    throw e;
                }
            });
        }
        return pull;
    }

    /**
     * The layers as the disk engine applies them, lowest first, each read as it arrives: a reader waits for
     * bytes not yet fetched and fails with the pull's failure if the pull gives the blob up.
     */
    public ImageLayers layersAsTheyArrive() {
        // Each layer where its blob will be once verified, as the pulled image will say, then read as it arrives.
        ImageLayers whereTheyWillBe = pulledImage(
                        d -> new LayerCache.Blob(d.digest(), cache.path(d.digest()), d.size(), false))
                .toImageLayers();
        List<Layer> out = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            out.add(whereTheyWillBe
                    .layers()
                    .get(i)
                    .arriving(arrivals.get(layers.get(i).digest())));
        }
        return new ImageLayers(
                whereTheyWillBe.manifestDigest(), whereTheyWillBe.configDigest(), whereTheyWillBe.platform(), out);
    }

    /** Whether some layer's download failed part way and was started over. */
    public boolean startedOver() {
        return arrivals.values().stream().anyMatch(a -> a.startedOver());
    }

    /**
     * Waits for every layer blob to be verified and in the cache, and returns the pulled image, which now
     * holds the blobs until it is closed. The first failure stops the other downloads and is thrown.
     */
    public PulledImage await() throws EngineException {
        if (pulled != null) {
            return pulled;
        }
        Map<Digest, LayerCache.Blob> blobs = new LinkedHashMap<>();
        for (int i = 0; i < arrivals.size(); i++) {
            LayerCache.Blob blob = next(); // in the order they finish, so a failure is seen at once
            blobs.put(blob.digest(), blob);
        }
        pulled = pulledImage(d -> blobs.get(d.digest()));
        pool.shutdown();
        return pulled;
    }

    /** The image pulled, its layers' blobs as {@code blobOf} gives them. */
    private PulledImage pulledImage(Function<Descriptor, LayerCache.Blob> blobOf) {
        List<Layer> pulledLayers = new ArrayList<>();
        Set<Digest> foundCached = new HashSet<>();
        for (int i = 0; i < layers.size(); i++) {
            Descriptor d = layers.get(i);
            LayerCache.Blob blob = blobOf.apply(d);
            Layer layer = Layer.blob(d.digest(), d.mediaType(), blob.path(), d.size())
                    .withHeaders(cache.headersPath(d.digest()));
            Digest diffId = image.config().diffIds().get(i);
            pulledLayers.add(diffId != null ? layer.withDiffId(diffId) : layer);
            if (blob.cached()) {
                foundCached.add(d.digest());
            }
        }
        return new PulledImage(
                image.reference(),
                image.resolvedDigest(),
                image.manifestDigest(),
                image.platform(),
                image.config(),
                pulledLayers,
                foundCached,
                cache);
    }

    private LayerCache.Blob next() throws EngineException {
        try {
            return done.take().get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof EngineException engine) {
                throw engine;
            }
            throw new IllegalStateException("fetching a layer failed unexpectedly", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineException(Problem.SOURCE_UNAVAILABLE, "the pull was interrupted", e);
        }
    }

    /**
     * Unless {@link #await} handed the blobs over: interrupts the downloads and waits for them to end, so
     * their partial files are gone before a failure is reported (an interrupted read ends at once; the
     * bound is a backstop), then lets go of the blobs.
     */
    @Override
    public void close() {
        if (pulled != null) {
            return;
        }
        pool.shutdownNow();
        try {
            if (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
                log.warn("layer downloads still running 30 s after the pull ended; their files go with the next start");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        EngineException stopped = new EngineException(Problem.SOURCE_UNAVAILABLE, "the pull was stopped");
        arrivals.values().forEach(a -> a.failed(stopped));
        cache.release(held);
    }
}
