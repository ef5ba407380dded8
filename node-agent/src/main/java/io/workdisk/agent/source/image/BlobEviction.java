package io.workdisk.agent.source.image;

import io.workdisk.agent.engine.oci.Digest;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the {@link LayerCache} within its bound in bytes: the least recently used blobs (by modification
 * time, which every use sets), each with the record of its headers, are removed until the rest fit,
 * except those an unfinished pull holds; holds nest, as two pulls may share a blob.
 */
final class BlobEviction {
    private static final Logger log = LoggerFactory.getLogger(BlobEviction.class);

    private final Path blobs;
    private final Path headers;
    private final long maxBytes;
    private final Map<Digest, Integer> held = new HashMap<>();

    BlobEviction(Path blobs, Path headers, long maxBytes) {
        this.blobs = blobs;
        this.headers = headers;
        this.maxBytes = maxBytes;
    }

    /** Keeps these blobs from eviction until {@link #release}; holds nest. */
    synchronized void hold(Collection<Digest> digests) {
        for (Digest d : digests) {
            held.merge(d, 1, Integer::sum);
        }
    }

    /** Lets go of blobs {@link #hold} kept, then evicts down to the bound. */
    void release(Collection<Digest> digests) {
        synchronized (this) {
            for (Digest d : digests) {
                held.computeIfPresent(d, (k, n) -> n == 1 ? null : n - 1);
            }
        }
        evict();
    }

    /** Removes the least recently used blobs not held by a pull until the cache fits its bound. */
    synchronized void evict() {
        List<Entry> entries = new ArrayList<>();
        long total = 0;
        try (DirectoryStream<Path> s = Files.newDirectoryStream(blobs)) {
            for (Path p : s) {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                long size = a.size() + recordSize(p.getFileName().toString());
                entries.add(new Entry(p, size, a.lastModifiedTime()));
                total += size;
            }
        } catch (IOException e) {
            log.warn("cannot list the layer cache {}: {}", blobs, e.toString());
            return;
        }
        entries.sort(Comparator.comparing(Entry::lastUsed));
        for (Entry e : entries) {
            if (total <= maxBytes) {
                break;
            }
            String name = e.path().getFileName().toString();
            boolean isHeld = Digest.ofFileName(name).map(held::containsKey).orElse(false);
            if (isHeld) {
                continue;
            }
            try {
                Files.deleteIfExists(e.path());
                Files.deleteIfExists(headers.resolve(name));
                total -= e.size();
                log.info("evicted blob {} ({} bytes) from the layer cache", name, e.size());
            } catch (IOException ex) {
                log.warn("cannot evict {}: {}", e.path(), ex.toString());
            }
        }
    }

    /** Bytes the cached blobs take now, with the records of their headers. */
    long bytes() throws IOException {
        long total = 0;
        try (DirectoryStream<Path> s = Files.newDirectoryStream(blobs)) {
            for (Path p : s) {
                total += Files.size(p) + recordSize(p.getFileName().toString());
            }
        }
        return total;
    }

    private long recordSize(String blobName) {
        try {
            return Files.size(headers.resolve(blobName));
        } catch (IOException none) {
            return 0;
        }
    }

    private record Entry(Path path, long size, FileTime lastUsed) {}
}
