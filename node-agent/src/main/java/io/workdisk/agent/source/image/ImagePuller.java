package io.workdisk.agent.source.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.workdisk.agent.engine.image.Arrival;
import io.workdisk.agent.engine.image.Platform;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.ErrorText;
import io.workdisk.agent.engine.shared.Printable;
import io.workdisk.agent.engine.shared.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pulls an image into the layer cache: the manifest (through at most {@link #MAX_INDEX_DEPTH} levels of
 * index, choosing the platform), the config, then the layers, several at once. Every media type is
 * checked before the first layer byte is fetched, so an image the agent cannot build from costs one
 * manifest; every blob is verified as it streams ({@link LayerCache}).
 */
public final class ImagePuller {
    private static final Logger log = LoggerFactory.getLogger(ImagePuller.class);
    /** An index may name an index (rare, but allowed); one more level is refused as hostile. */
    public static final int MAX_INDEX_DEPTH = 2;
    /** Configs are a few KiB; this bounds what is parsed in memory. */
    static final long MAX_CONFIG_BYTES = 8 << 20;

    private final RegistryClient client;
    private final LayerCache cache;
    private final int attempts;
    private final int parallelism;
    private final ObjectMapper json = new ObjectMapper();

    /**
     * @param attempts how many times a blob is fetched before its failure is reported
     * @param parallelism how many layers are fetched at once
     */
    public ImagePuller(RegistryClient client, LayerCache cache, int attempts, int parallelism) {
        this.client = client;
        this.cache = cache;
        this.attempts = attempts;
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
        RegistryClient.FetchedManifest top = client.manifest(image, plainHttp, image.manifestReference());
        Chosen chosen = choose(image, plainHttp, platform, top);
        Manifest manifest = chosen.manifest();

        List<Digest> held = new ArrayList<>();
        held.add(manifest.config().digest());
        manifest.layers().forEach(l -> held.add(l.digest()));
        cache.hold(held);
        boolean started = false;
        try {
            long total = manifest.config().size()
                    + manifest.layers().stream().mapToLong(Descriptor::size).sum();
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

    private record Chosen(Digest digest, Platform platform, Manifest manifest) {}

    private record Manifest(Descriptor config, List<Descriptor> layers) {}

    /** How a pull in flight fetches one layer blob, telling its reader how it arrives. */
    @FunctionalInterface
    interface LayerFetch {
        LayerCache.Blob fetch(Descriptor layer, Arrival arrival) throws EngineException;
    }

    /** From the top manifest down through indexes to the image manifest for {@code platform}. */
    private Chosen choose(
            ImageReference image, boolean plainHttp, Platform platform, RegistryClient.FetchedManifest top)
            throws EngineException {
        RegistryClient.FetchedManifest current = top;
        Platform chosenPlatform = null;
        Set<Digest> seen = new HashSet<>();
        for (int depth = 0; ; depth++) {
            seen.add(current.digest());
            String what = "manifest " + current.digest() + " of " + image;
            JsonNode doc = parse(current.bytes(), what);
            String type = mediaType(current, doc, what);
            if (MediaTypes.isManifest(type)) {
                return new Chosen(current.digest(), chosenPlatform, readManifest(doc, what));
            }
            if (depth >= MAX_INDEX_DEPTH) {
                throw new EngineException(
                        Problem.SOURCE_INVALID,
                        "image " + image + " nests indexes more than " + MAX_INDEX_DEPTH
                                + " deep; refused (an image index names image manifests)");
            }
            Descriptor entry = pickPlatform(image, platform, doc, what);
            if (seen.contains(entry.digest())) {
                throw new EngineException(
                        Problem.SOURCE_INVALID,
                        "image " + image + " has an index that refers back to " + entry.digest() + "; refused");
            }
            if (entry.size() > RegistryClient.MAX_MANIFEST_BYTES) {
                throw new EngineException(
                        Problem.SOURCE_INVALID,
                        "image " + image + " names a manifest of " + entry.size() + " bytes, more than the "
                                + (RegistryClient.MAX_MANIFEST_BYTES >> 20) + " MiB a manifest may be; refused");
            }
            chosenPlatform = entry.platform();
            RegistryClient.FetchedManifest next =
                    client.manifest(image, plainHttp, entry.digest().toString());
            if (next.bytes().length != entry.size()) {
                throw new EngineException(
                        Problem.SOURCE_INVALID,
                        "manifest " + entry.digest() + " of " + image + " is " + next.bytes().length
                                + " bytes, not the " + entry.size() + " its index says; refused");
            }
            current = next;
        }
    }

    private Descriptor pickPlatform(ImageReference image, Platform platform, JsonNode index, String what)
            throws EngineException {
        JsonNode manifests = index.get("manifests");
        if (manifests == null || !manifests.isArray()) {
            throw new EngineException(Problem.SOURCE_INVALID, what + " is an index without a manifests list");
        }
        Descriptor any = null;
        List<String> offered = new ArrayList<>();
        for (int i = 0; i < manifests.size(); i++) {
            Descriptor d = Descriptor.read(manifests.get(i), "entry " + i + " of " + what);
            if (d.platform() == null || d.platform().os().equals("unknown")) {
                continue; // attestations and other non-images are listed as unknown/unknown
            }
            offered.add(d.platform().toString());
            if (!(MediaTypes.isManifest(d.mediaType()) || MediaTypes.isIndex(d.mediaType()))
                    || !platform.accepts(d.platform())) {
                continue;
            }
            if (platform.variant() != null || d.platform().variant() == null) {
                return d; // an exact match
            }
            if (any == null) {
                any = d;
            }
        }
        if (any != null) {
            return any;
        }
        throw new EngineException(
                Problem.SOURCE_INVALID,
                "image " + image + " has no manifest for " + platform + "; it has "
                        + (offered.isEmpty() ? "none with a platform" : String.join(", ", offered)));
    }

    private Manifest readManifest(JsonNode doc, String what) throws EngineException {
        if (doc.path("schemaVersion").asInt(0) != 2) {
            throw new EngineException(Problem.SOURCE_INVALID, what + " is not schemaVersion 2");
        }
        Descriptor config = Descriptor.read(doc.get("config"), "the config of " + what);
        if (!MediaTypes.isConfig(config.mediaType())) {
            throw new EngineException(
                    Problem.SOURCE_INVALID,
                    what + " has a config of media type '" + Printable.printable(config.mediaType())
                            + "': not a container image (expected " + MediaTypes.OCI_CONFIG + " or "
                            + MediaTypes.DOCKER_CONFIG + ")");
        }
        if (config.size() > MAX_CONFIG_BYTES) {
            throw new EngineException(
                    Problem.SOURCE_INVALID,
                    what + " has a config of " + config.size() + " bytes; at most 8 MiB is read");
        }
        JsonNode layers = doc.get("layers");
        if (layers == null || !layers.isArray()) {
            throw new EngineException(Problem.SOURCE_INVALID, what + " has no layers list");
        }
        List<Descriptor> out = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            Descriptor d = Descriptor.read(layers.get(i), "layer " + (i + 1) + " of " + what);
            if (MediaTypes.layerCompression(d.mediaType()) == null) {
                throw new EngineException(
                        Problem.SOURCE_INVALID,
                        "layer " + (i + 1) + " of " + what + " has media type '" + Printable.printable(d.mediaType())
                                + "', which is not a layer the agent reads (OCI tar, tar+gzip, tar+zstd, or Docker's"
                                + " tar.gzip; foreign layers are not fetched)");
            }
            out.add(d);
        }
        return new Manifest(config, out);
    }

    private ImageConfig readConfig(ImageReference image, Manifest manifest, LayerCache.Blob blob)
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

    /** One blob into the cache, tried up to {@code attempts} times while the failure may pass. */
    private LayerCache.Blob fetch(
            ImageReference image, boolean plainHttp, Descriptor d, Progress counter, Arrival arrival)
            throws EngineException {
        EngineException last = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
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
                counter.add(-counted.get());
                last = e;
                if (!e.problem().retryable() || Thread.currentThread().isInterrupted()) {
                    throw e;
                }
            }
        }
        throw new EngineException(last.problem(), last.getMessage() + " (after " + attempts + " attempts)", last);
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

    /**
     * What a manifest is: its JSON {@code mediaType}, else the Content-Type, else its shape (OCI allows
     * leaving the field out). A body and a header that disagree are refused.
     */
    private static String mediaType(RegistryClient.FetchedManifest m, JsonNode doc, String what)
            throws EngineException {
        String declared = doc.path("mediaType").asText("");
        String header = m.contentType();
        boolean headerKnown = MediaTypes.isIndex(header) || MediaTypes.isManifest(header);
        if (!declared.isEmpty() && headerKnown && !declared.equals(header)) {
            throw new EngineException(
                    Problem.SOURCE_INVALID,
                    what + " says it is " + Printable.printable(declared) + " but was sent as " + header);
        }
        String type = !declared.isEmpty() ? declared : headerKnown ? header : shape(doc);
        if (!MediaTypes.isIndex(type) && !MediaTypes.isManifest(type)) {
            throw new EngineException(
                    Problem.SOURCE_INVALID,
                    what + " has media type '" + Printable.printable(type) + "', which the agent does not read (OCI"
                            + " index or manifest, Docker manifest list or schema 2; not Docker schema 1)");
        }
        return type;
    }

    private static String shape(JsonNode doc) {
        if (doc.has("manifests")) {
            return MediaTypes.OCI_INDEX;
        }
        if (doc.has("layers") && doc.has("config")) {
            return MediaTypes.OCI_MANIFEST;
        }
        return "";
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
