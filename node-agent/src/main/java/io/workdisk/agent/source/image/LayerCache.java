package io.workdisk.agent.source.image;

import io.workdisk.agent.engine.files.ConfinedRoot;
import io.workdisk.agent.engine.files.Durability;
import io.workdisk.agent.engine.image.Arrival;
import io.workdisk.agent.engine.image.LayerHeaders;
import io.workdisk.agent.engine.oci.Digest;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.ErrorText;
import io.workdisk.agent.engine.shared.Problem;
import io.workdisk.api.DataRootLayout;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's content-addressed cache of image blobs, shared by every seed: {@code blobs/sha256/<hex>}
 * holds only blobs whose SHA-256 was checked as they streamed in, fsynced, and renamed into place. A
 * blob being fetched lives under {@code incoming/} until then, so a killed pull leaves nothing at a
 * content address; {@link #open} removes what it left. Beside each layer blob, {@code headers/sha256/<hex>}
 * may hold the record of its tar headers that the first build reading it made (see
 * {@link io.workdisk.agent.engine.image.LayerHeaders}), so later builds from the layer need not read it
 * twice; it counts toward the bound and goes with its blob.
 *
 * <p>A blob at its content address is trusted on later use without being hashed again: only a verified
 * blob is ever renamed there, and its size is checked against the descriptor on every use (a file of
 * the wrong size is removed and fetched again). Re-hashing on every use would double the reading of a
 * cached image, the case the cache exists to make fast; whoever reads a layer may hash what it reads.
 *
 * <p>Bounded in bytes ({@link BlobEviction}): after each new blob, and when a pull lets go of its blobs, the least recently
 * used blobs (by modification time, which every use sets) are removed until the rest fit, except those
 * an unfinished pull holds. Two pulls of the same blob in this process fetch it once (the second waits
 * for the first); two processes on one data root may both fetch it, harmlessly, as the rename of two
 * verified copies of the same content leaves that content.
 */
public final class LayerCache {
    private static final Logger log = LoggerFactory.getLogger(LayerCache.class);
    static final String BLOBS = DataRootLayout.LAYER_BLOBS;
    static final String INCOMING = DataRootLayout.LAYER_INCOMING;
    static final String HEADERS = DataRootLayout.LAYER_HEADERS;

    private final Path blobs;
    private final Path incoming;
    private final Path headers;
    private final Clock clock;
    private final ConcurrentMap<Digest, ReentrantLock> fetching = new ConcurrentHashMap<>();
    private final BlobEviction eviction;

    private LayerCache(Path dir, long maxBytes, Clock clock) {
        this.blobs = dir.resolve(BLOBS);
        this.incoming = dir.resolve(INCOMING);
        this.headers = dir.resolve(HEADERS);
        this.clock = clock;
        this.eviction = new BlobEviction(blobs, headers, maxBytes);
    }

    /**
     * The cache in {@code dir} (the data root's {@code layers}), made if missing, with whatever an
     * interrupted pull left in {@code incoming/} removed: it was never verified, so nothing keeps it.
     */
    public static LayerCache open(Path dir, long maxBytes, Clock clock) throws EngineException {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("the layer cache bound must be positive, not " + maxBytes);
        }
        LayerCache cache = new LayerCache(dir, maxBytes, clock);
        try {
            Files.createDirectories(cache.blobs);
            Files.createDirectories(cache.incoming);
            Files.createDirectories(cache.headers);
            try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(cache.incoming)) {
                for (Path p : leftovers) {
                    Files.deleteIfExists(p);
                    log.info("removed {}, an unfinished blob download", p);
                }
            }
            cache.sweepHeaders();
        } catch (IOException e) {
            throw new EngineException(
                    Problem.IO_ERROR,
                    "cannot prepare the layer cache " + ConfinedRoot.quoted(dir) + ": " + ErrorText.of(e),
                    e);
        }
        return cache;
    }

    /** Where a verified blob of this digest lives (whether or not it is there now). */
    public Path path(Digest digest) {
        return blobs.resolve(digest.fileName());
    }

    /**
     * Where the {@link io.workdisk.agent.engine.image.LayerHeaders} record of this layer blob's headers
     * is kept: written by the first build that reads the layer, removed with the blob.
     */
    public Path headersPath(Digest digest) {
        return headers.resolve(digest.fileName());
    }

    /** Removes header records whose blob is gone and records a killed build left half written. */
    private void sweepHeaders() throws IOException {
        try (DirectoryStream<Path> records = Files.newDirectoryStream(headers)) {
            for (Path p : records) {
                String name = p.getFileName().toString();
                if (LayerHeaders.isTemporary(name) || !Files.exists(blobs.resolve(name))) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** A verified blob and whether it was already in the cache. */
    public record Blob(Digest digest, Path path, long size, boolean cached) {}

    /** Fetches a blob's bytes into a sink; called with the cache's verifying sink. */
    @FunctionalInterface
    public interface Fetch {
        void into(BlobSink sink) throws EngineException;
    }

    /**
     * The blob of {@code digest} and {@code size}: the cached one if there is one of that size, else
     * fetched through {@code fetch}, checked byte by byte (more than {@code size} bytes is refused at
     * once) and published at its content address only if whole and matching. {@code progress} hears
     * each chunk's byte count (never more than {@code size} in all). A blob that must outlive the next
     * eviction is {@link #hold held} first, as a pull holds all of its blobs.
     */
    public Blob obtain(Digest digest, long size, Fetch fetch, LongConsumer progress) throws EngineException {
        return obtain(digest, size, fetch, progress, new Arrival()); // an arrival nobody waits on
    }

    /**
     * As {@link #obtain(Digest, long, Fetch, LongConsumer)}, telling {@code arrival} how the blob arrives:
     * where each attempt writes it, how much is written, and where it is once verified and in place (at
     * once, when it was cached), for a reader of the blob while it downloads.
     */
    public Blob obtain(Digest digest, long size, Fetch fetch, LongConsumer progress, Arrival arrival)
            throws EngineException {
        ReentrantLock lock = fetching.computeIfAbsent(digest, d -> new ReentrantLock());
        lock.lock();
        try {
            Path target = path(digest);
            if (present(target, digest, size)) {
                touch(target);
                arrival.whole(target, size);
                return new Blob(digest, target, size, true);
            }
            Path temp = incoming.resolve(
                    digest.fileName() + "-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
            try {
                VerifyingFile sink = new VerifyingFile(temp, digest, size, progress, arrival);
                arrival.started(temp);
                try (sink) {
                    fetch.into(sink);
                    sink.finish();
                }
                Files.setLastModifiedTime(temp, FileTime.from(clock.instant()));
                try {
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    throw new IOException("the layer cache's incoming and blobs are on different filesystems", e);
                }
                arrival.whole(target, size);
                Durability.fsync(blobs);
            } catch (IOException e) {
                arrival.abandoned();
                throw writeFailure(digest, e);
            } catch (EngineException | RuntimeException e) {
                arrival.abandoned();
                throw e;
            } finally {
                deleteQuietly(temp);
            }
        } finally {
            lock.unlock();
            fetching.remove(digest, lock);
        }
        evict();
        return new Blob(digest, path(digest), size, false);
    }

    /** Whether a verified blob of this digest and size is cached (a use: it counts as recently used). */
    public boolean contains(Digest digest, long size) {
        Path target = path(digest);
        try {
            if (present(target, digest, size)) {
                touch(target);
                return true;
            }
        } catch (EngineException sizeLies) {
            return false;
        }
        return false;
    }

    /** Keeps these blobs from eviction until {@link #release}; holds nest. */
    public void hold(Collection<Digest> digests) {
        eviction.hold(digests);
    }

    /** Lets go of blobs {@link #hold} kept, then evicts down to the bound. */
    public void release(Collection<Digest> digests) {
        eviction.release(digests);
    }

    /** Removes the least recently used blobs not held by a pull until the cache fits its bound. */
    public void evict() {
        eviction.evict();
    }

    /** Bytes the cached blobs take now, with the records of their headers. */
    public long bytes() throws IOException {
        return eviction.bytes();
    }

    /**
     * Whether the verified blob is there with the size the descriptor says. A file of another size is
     * hashed once to tell who is wrong: if it still matches its digest the descriptor lies about the
     * size (refused: the same content cannot have two sizes), otherwise the file was damaged after it
     * was verified and is removed, to be fetched again.
     */
    private boolean present(Path target, Digest digest, long size) throws EngineException {
        long actual;
        try {
            actual = Files.size(target);
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            log.warn("cannot read cached blob {}: {}", target, e.toString());
            return false;
        }
        if (actual == size) {
            return true;
        }
        try {
            if (digest.equals(hash(target, digest))) {
                throw new EngineException(
                        Problem.SOURCE_INVALID,
                        "a descriptor says blob " + digest + " has " + size + " bytes; that content has " + actual
                                + " (verified in the layer cache): a size that lies is refused");
            }
            log.warn("cached blob {} has {} bytes and no longer matches its digest; removed", target, actual);
            Files.deleteIfExists(target);
            return false;
        } catch (IOException e) {
            log.warn("cannot check cached blob {}: {}", target, e.toString());
            return false;
        }
    }

    private static Digest hash(Path file, Digest expected) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest hasher = expected.newHasher();
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                hasher.update(buffer, 0, n);
            }
            return expected.sameAlgorithm(hasher.digest());
        }
    }

    static EngineException writeFailure(Digest digest, IOException e) {
        if (String.valueOf(e.getMessage()).contains("No space left")) {
            return new EngineException(
                    Problem.INSUFFICIENT_SPACE, "ran out of space storing blob " + digest + " in the layer cache", e);
        }
        return new EngineException(
                Problem.IO_ERROR, "cannot store blob " + digest + " in the layer cache: " + ErrorText.of(e), e);
    }

    private void touch(Path target) {
        try {
            Files.setLastModifiedTime(target, FileTime.from(clock.instant()));
        } catch (IOException e) {
            log.debug("cannot mark {} as used: {}", target, e.toString());
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // incoming/ is swept on the next open
        }
    }

    private record Entry(Path path, long size, FileTime lastUsed) {}
}
