package io.workdisk.agent.source;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.workdisk.agent.engine.DiskEngine;
import io.workdisk.agent.engine.files.ConfinedRoot;
import io.workdisk.agent.engine.image.ImageLayers;
import io.workdisk.agent.engine.image.ImageSeedReport;
import io.workdisk.agent.engine.image.ImageSeedRequest;
import io.workdisk.agent.engine.oci.Platform;
import io.workdisk.agent.engine.seed.SeedOwnership;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.Phases;
import io.workdisk.agent.engine.shared.Problem;
import io.workdisk.agent.source.image.ImagePuller;
import io.workdisk.agent.source.image.ImageReference;
import io.workdisk.agent.source.image.LayerCache;
import io.workdisk.agent.source.image.PullInFlight;
import io.workdisk.agent.source.image.PullProgress;
import io.workdisk.agent.source.image.PulledImage;
import io.workdisk.agent.source.image.RegistryClient;
import io.workdisk.agent.source.image.RegistrySettings;
import io.workdisk.agent.source.image.Resolver;
import io.workdisk.api.task.ImageSource;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Container images as the agent gets them: from registries (pulled into the node's layer cache with the
 * node's credentials) and from image archives on the node; either way the layers go to the disk engine,
 * which knows nothing of where they came from.
 */
public final class RegistryImageSeeds implements ImageSeeds {
    /** How many layers of one image are fetched at once. */
    private static final int PARALLEL_LAYERS = 3;

    private final DiskEngine engine;
    private final RegistryClient client;
    private final RegistrySettings settings;
    private final Path layerCache;
    private final long cacheBytes;
    private final Clock clock;
    private final LongSupplier nanoTime;
    /** Made on the first pull: an agent whose data root is not writable yet must still start, and say so. */
    private ImagePuller puller;

    private RegistryImageSeeds(
            DiskEngine engine,
            RegistryClient client,
            RegistrySettings settings,
            Path layerCache,
            long cacheBytes,
            Clock clock) {
        this.engine = engine;
        this.client = client;
        this.settings = settings;
        this.layerCache = layerCache;
        this.cacheBytes = cacheBytes;
        this.clock = clock;
        this.nanoTime = System::nanoTime;
    }

    /**
     * The image source of an agent whose layer cache is {@code layerCache}, bounded to {@code cacheBytes},
     * reaching registries with what {@code access} gives. The cache is opened by the first pull.
     */
    public static RegistryImageSeeds open(
            DiskEngine engine, Path layerCache, long cacheBytes, RegistryAccess access, Clock clock)
            throws EngineException {
        RegistrySettings settings = RegistrySettings.standard()
                .withDockerConfig(access.configFile())
                .withCaFile(access.caFile());
        return new RegistryImageSeeds(
                engine, RegistryClient.create(settings, clock), settings, layerCache, cacheBytes, clock);
    }

    private synchronized ImagePuller puller() throws EngineException {
        if (puller == null) {
            puller = new ImagePuller(
                    client, LayerCache.open(layerCache, cacheBytes, clock), settings.retries(), PARALLEL_LAYERS);
        }
        return puller;
    }

    @Override
    public String resolve(ImageSource image) throws EngineException {
        return new Resolver(client)
                .resolve(ImageReference.parse(image.reference()), plainHttp(image))
                .toString();
    }

    @Override
    public Built build(ConfinedRoot root, Request request, Progress progress) throws EngineException {
        long start = nanoTime.getAsLong();
        SeedOwnership ownership = SeedOwnerships.forEngine(request.ownership());
        if (request.archive() != null) {
            Phases phases = new Phases(nanoTime);
            ImageSeedRequest fromArchive = ImageSeedRequest.fromArchive(
                    request.archive(),
                    Platform.host(),
                    request.subtree(),
                    ownership,
                    request.target(),
                    request.requester(),
                    true,
                    phases);
            ImageSeedReport report = engine.buildImageSeed(
                            root, fromArchive, phases, entries -> progress.report(0, 0, entries))
                    .result();
            return new Built(report.digest(), report.seed(), seconds(start));
        }
        PulledSeedReport report = buildFromRegistry(
                root,
                request.image(),
                request.subtree(),
                ownership,
                request.target(),
                request.requester(),
                true,
                progress);
        return new Built(report.resolvedDigest(), report.seed().seed(), seconds(start));
    }

    /**
     * A seed from the image {@code image} names (a tag or a digest), pulled through the layer cache;
     * {@code force} lets it replace a seed of the same requester at {@code target}.
     */
    public PulledSeedReport buildFromRegistry(
            ConfinedRoot root,
            ImageSource image,
            String subtree,
            SeedOwnership ownership,
            Path target,
            String requester,
            boolean force,
            Progress progress)
            throws EngineException {
        Phases phases = new Phases(nanoTime);
        Platform platform = image.platform() != null ? Platform.parse(image.platform()) : Platform.host();
        PulledBytes pullProgress = new PulledBytes(progress);
        try (PullInFlight pull =
                puller().start(ImageReference.parse(image.reference()), platform, plainHttp(image), pullProgress)) {
            phases.done("resolve");
            SeedFrom seedFrom = layers -> engine.buildImageSeed(
                            root,
                            new ImageSeedRequest(
                                    layers, image.reference(), subtree, ownership, target, requester, force),
                            phases,
                            pullProgress::entriesWritten)
                    .result();
            Optional<ImageSeedReport> streamed = buildWhileDownloading(pull, seedFrom);
            try (PulledImage pulled = pull.await()) {
                ImageSeedReport report =
                        streamed.isPresent() ? streamed.get() : seedFrom.layers(pulled.toImageLayers());
                return new PulledSeedReport(
                        report,
                        pulled.resolvedDigest().toString(),
                        pulled.layers().size() - pulled.layersCached(),
                        pulled.layersCached(),
                        pulled.layerBytesFetched());
            }
        }
    }

    /**
     * The seed built while the layers download: the build reads each layer as it arrives and checks every
     * byte against the layer's digests itself, so the seed never rests on bytes the pull has not verified.
     * A failure of the image's or the node's own is thrown at once (closing the pull stops the downloads);
     * one that came from a download gives way to the pull's own failure. Empty when a download failed part
     * way and started over under the build, which fails the read rather than mix two attempts' bytes: the
     * caller builds again from the blobs the pull verified.
     */
    private static Optional<ImageSeedReport> buildWhileDownloading(PullInFlight pull, SeedFrom seedFrom)
            throws EngineException {
        try {
            return Optional.of(seedFrom.layers(pull.layersAsTheyArrive()));
        } catch (EngineException e) {
            if (e.problem() != Problem.SOURCE_UNAVAILABLE) {
                throw e;
            }
            pull.await();
            if (!pull.startedOver()) {
                throw e;
            }
            return Optional.empty();
        }
    }

    /** The seed this build makes from an image's layers. */
    @FunctionalInterface
    private interface SeedFrom {
        ImageSeedReport layers(ImageLayers layers) throws EngineException;
    }

    /** Progress of one build: the pull's bytes and the entries written so far, whichever moved last. */
    private static final class PulledBytes implements PullProgress {
        private final Progress progress;
        private long fetched;
        private long total;
        private long entries;

        PulledBytes(Progress progress) {
            this.progress = progress;
        }

        // The pull and the build report from their own threads at once: each report carries both.
        @Override
        public synchronized void update(long fetched, long total) {
            this.fetched = fetched;
            this.total = total;
            progress.report(fetched, total, entries);
        }

        synchronized void entriesWritten(long entries) {
            this.entries = entries;
            progress.report(fetched, total, entries);
        }
    }

    /** What a seed from a registry image took: the seed, the digest the reference named, and what the cache saved. */
    public record PulledSeedReport(
            @JsonUnwrapped ImageSeedReport seed,
            String resolvedDigest,
            long layersFetched,
            long layersCached,
            long layerBytesFetched) {}

    private double seconds(long start) {
        return (nanoTime.getAsLong() - start) / 1e9;
    }

    private static boolean plainHttp(ImageSource image) {
        return Boolean.TRUE.equals(image.plainHTTP());
    }
}
