package io.workdisk.agent.source.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.workdisk.agent.engine.image.Arrival;
import io.workdisk.agent.engine.oci.Descriptor;
import io.workdisk.agent.engine.oci.Digest;
import io.workdisk.agent.engine.oci.Document;
import io.workdisk.agent.engine.oci.ImageManifest;
import io.workdisk.agent.engine.oci.IndexWalk;
import io.workdisk.agent.engine.oci.Platform;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.ErrorText;
import io.workdisk.agent.engine.shared.Problem;
import io.workdisk.agent.source.retry.RetryPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pulls an image into the layer cache: the manifest (through the one {@link IndexWalk}, as an archive's
 * is found), the config, then the layers, several at once. Every media type is
 * checked before the first layer byte is fetched, so an image the agent cannot build from costs one
 * manifest; every blob is verified as it streams ({@link LayerCache}).
 */
public final class ImagePuller {
    private static final Logger log = LoggerFactory.getLogger(ImagePuller.class);

    private final RegistryClient client;
    private final LayerCache cache;
    private final RetryPolicy retries;
    private final int parallelism;
    private final ObjectMapper json = new ObjectMapper();

    /**
     * @param retries how a blob whose fetch failed is tried again
     * @param parallelism how many layers are fetched at once
     */
    public ImagePuller(RegistryClient client, LayerCache cache, RetryPolicy retries, int parallelism) {
        this.client = client;
        this.cache = cache;
        this.retries = retries;
        this.parallelism = parallelism;
    }

    /** Pulls {@code image} for {@code platform}; the result holds its blobs in the cache until closed. */
    public PulledImage pull(ImageReference image, Platform platform, boolean plainHttp, PullProgress progress)
            throws EngineException {
        try (PullInFlight pull = start(image, platform, plainHttp, progress)) {
            return pull.await();
        }
    }

    /**
     * Starts pulling {@code image} for {@code platform}: returns once the manifest and config are fetched
     * and checked, with the layers downloading, several at once, lowest first; a build may read them as
     * they arrive ({@link PullInFlight#layersAsTheyArrive}) while {@link PullInFlight#await} waits for
     * every blob to be verified and in the cache.
     */
    public PullInFlight start(ImageReference image, Platform platform, boolean plainHttp, PullProgress progress)
            throws EngineException {
        RegistryDocuments documents = new RegistryDocuments(client, image, plainHttp);
        Document top = documents.top();
        IndexWalk.Found chosen = IndexWalk.walk(documents, top, platform);
        ImageManifest manifest = chosen.manifest();
        manifest.requireLayerTypes("manifest " + chosen.digest() + " of " + image, true);

        List<Digest> held = new ArrayList<>();
        held.add(manifest.config().digest());
        manifest.layers().forEach(l -> held.add(l.digest()));
        cache.hold(held);
        boolean started = false;
        try {
            long total = manifest.totalSize();
            Progress counter = new Progress(progress, total);
            LayerCache.Blob configBlob = fetch(image, plainHttp, manifest.config(), counter, new Arrival());
            ImageConfig config = readConfig(image, manifest, configBlob);
            Platform chosenPlatform = chosen.platform() != null
                    ? chosen.platform()
                    : new Platform(config.os(), config.architecture(), config.variant());
            if (chosen.platform() == null
                    && !config.os().isEmpty()
                    && !config.architecture().isEmpty()
                    && !platform.accepts(chosenPlatform)) {
                throw new EngineException(
                        Problem.SOURCE_INVALID,
                        "image " + image + " is for " + chosenPlatform + " only (a single manifest, no index), not "
                                + platform);
            }
            PullInFlight pull = PullInFlight.start(
                    new PullInFlight.Image(image, top.digest(), chosen.digest(), chosenPlatform, config),
                    manifest.layers(),
                    cache,
                    held,
                    parallelism,
                    (d, arrival) -> fetch(image, plainHttp, d, counter, arrival));
            started = true;
            return pull;
        } finally {
            if (!started) {
                cache.release(held);
            }
        }
    }

    /** How a pull in flight fetches one layer blob, telling its reader how it arrives. */
    @FunctionalInterface
    interface LayerFetch {
        LayerCache.Blob fetch(Descriptor layer, Arrival arrival) throws EngineException;
    }

    private ImageConfig readConfig(ImageReference image, ImageManifest manifest, LayerCache.Blob blob)
            throws EngineException {
        String what = "config " + blob.digest() + " of " + image;
        JsonNode doc;
        try {
            doc = parse(Files.readAllBytes(blob.path()), what);
        } catch (IOException e) {
            throw new EngineException(Problem.IO_ERROR, "cannot read " + what + ": " + ErrorText.of(e), e);
        }
        JsonNode ids = doc.path("rootfs").path("diff_ids");
        if (!ids.isArray()) {
            throw new EngineException(Problem.SOURCE_INVALID, what + " has no rootfs.diff_ids");
        }
        List<Digest> diffIds = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            diffIds.add(Digest.parse(ids.get(i).asText(null), "diff_id " + (i + 1) + " of " + what));
        }
        if (diffIds.size() != manifest.layers().size()) {
            throw new EngineException(
                    Problem.SOURCE_INVALID,
                    what + " lists " + diffIds.size() + " layer diff_ids for the manifest's "
                            + manifest.layers().size() + " layers");
        }
        String variant = doc.path("variant").asText("");
        return new ImageConfig(
                blob.digest(),
                blob.path(),
                doc.path("os").asText(""),
                doc.path("architecture").asText(""),
                variant.isEmpty() ? null : variant,
                diffIds);
    }

    /** One blob into the cache, tried again as the retry policy says while the failure may pass. */
    private LayerCache.Blob fetch(
            ImageReference image, boolean plainHttp, Descriptor d, Progress counter, Arrival arrival)
            throws EngineException {
        return retries.run(attempt -> {
            AtomicLong counted = new AtomicLong();
            LongConsumer onBytes = n -> {
                counted.addAndGet(n);
                counter.add(n);
            };
            try {
                LayerCache.Blob blob = cache.obtain(
                        d.digest(),
                        d.size(),
                        sink -> client.blob(image, plainHttp, d.digest(), sink),
                        onBytes,
                        arrival);
                if (blob.cached()) {
                    counter.add(d.size());
                }
                return blob;
            } catch (EngineException e) {
                counter.add(-counted.get()); // what this attempt fetched is fetched again, or never
                throw e;
            }
        });
    }

    private JsonNode parse(byte[] bytes, String what) throws EngineException {
        try {
            JsonNode doc = json.readTree(bytes);
            if (doc == null || !doc.isObject()) {
                throw new EngineException(Problem.SOURCE_INVALID, what + " is not a JSON object");
            }
            return doc;
        } catch (IOException e) {
            throw new EngineException(Problem.SOURCE_INVALID, what + " is not JSON: " + ErrorText.of(e), e);
        }
    }

    /** The running count handed to the caller's progress, one update at a time. */
    private static final class Progress {
        private final PullProgress listener;
        private final long total;
        private long fetched;

        Progress(PullProgress listener, long total) {
            this.listener = listener;
            this.total = total;
        }

        synchronized void add(long bytes) {
            fetched += bytes;
            listener.update(fetched, total);
        }
    }
}
