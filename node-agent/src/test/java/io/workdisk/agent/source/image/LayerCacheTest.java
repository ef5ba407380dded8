package io.workdisk.agent.source.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.workdisk.agent.engine.oci.Digest;
import io.workdisk.agent.engine.shared.EngineException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The layer cache on its own: verification, the byte bound, least recently used first, held blobs. */
class LayerCacheTest {
    @TempDir
    Path dir;

    /** A clock the test moves, so "least recently used" does not depend on how fast the machine is. */
    static final class SteppingClock extends Clock {
        private final AtomicLong seconds = new AtomicLong(1_700_000_000);

        @Override
        public Instant instant() {
            return Instant.ofEpochSecond(seconds.incrementAndGet());
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    static byte[] blob(char c, int size) {
        return String.valueOf(c).repeat(size).getBytes(StandardCharsets.US_ASCII);
    }

    static LayerCache.Blob put(LayerCache cache, byte[] content) throws EngineException {
        return cache.obtain(
                RegistryClient.sha256(content),
                content.length,
                sink -> sink.write(content, 0, content.length),
                n -> {});
    }

    @Test
    void theLeastRecentlyUsedBlobsGoFirstOnceTheBoundIsPassed() throws Exception {
        LayerCache cache = LayerCache.open(dir, 3000, new SteppingClock());
        byte[] a = blob('a', 1000);
        byte[] b = blob('b', 1000);
        byte[] c = blob('c', 1000);
        put(cache, a);
        put(cache, b);
        put(cache, c);
        assertThat(cache.bytes()).isEqualTo(3000);
        assertThat(cache.contains(RegistryClient.sha256(a), 1000)).isTrue(); // a is now the most recent
        put(cache, blob('d', 1000));
        assertThat(cache.contains(RegistryClient.sha256(b), 1000)).isFalse();
        assertThat(cache.contains(RegistryClient.sha256(a), 1000)).isTrue();
        assertThat(cache.contains(RegistryClient.sha256(c), 1000)).isTrue();
        assertThat(cache.bytes()).isEqualTo(3000);
    }

    @Test
    void blobsAPullHoldsAreKeptBeyondTheBoundUntilReleased() throws Exception {
        LayerCache cache = LayerCache.open(dir, 1500, new SteppingClock());
        byte[] a = blob('a', 1000);
        byte[] b = blob('b', 1000);
        Digest da = RegistryClient.sha256(a);
        Digest db = RegistryClient.sha256(b);
        cache.hold(List.of(da, db));
        put(cache, a);
        put(cache, b);
        assertThat(cache.bytes()).isEqualTo(2000); // one image larger than the cache still arrives whole
        cache.release(List.of(da, db));
        assertThat(cache.bytes()).isEqualTo(1000);
        assertThat(cache.contains(db, 1000)).isTrue();
    }

    @Test
    void theSameBlobIsFetchedOnceAndACachedCopyOfAnotherSizeIsCheckedBeforeAnythingIsDecided() throws Exception {
        LayerCache cache = LayerCache.open(dir, 1 << 20, Clock.systemUTC());
        byte[] a = blob('a', 5000);
        Digest da = RegistryClient.sha256(a);
        AtomicInteger fetches = new AtomicInteger();
        LayerCache.Fetch fetch = sink -> {
            fetches.incrementAndGet();
            sink.write(a, 0, a.length);
        };
        assertThat(cache.obtain(da, a.length, fetch, n -> {}).cached()).isFalse();
        assertThat(cache.obtain(da, a.length, fetch, n -> {}).cached()).isTrue();
        assertThat(fetches).hasValue(1);

        // a descriptor that gives the cached content another size lies: refused, the verified copy kept
        assertThatThrownBy(() -> cache.obtain(da, a.length + 1, fetch, n -> {}))
                .hasMessageContaining("has " + (a.length + 1) + " bytes; that content has " + a.length)
                .hasMessageContaining("a size that lies is refused");
        assertThat(Files.readAllBytes(cache.path(da))).isEqualTo(a);
        assertThat(fetches).hasValue(1);

        Files.write(cache.path(da), new byte[10]); // damaged after it was verified: fetched again
        LayerCache.Blob again = cache.obtain(da, a.length, fetch, n -> {});
        assertThat(again.cached()).isFalse();
        assertThat(fetches).hasValue(2);
        assertThat(Files.readAllBytes(again.path())).isEqualTo(a);
    }

    @Test
    void aFailedFetchLeavesNothingAndLeftoversAreSweptWhenOpened() throws Exception {
        LayerCache cache = LayerCache.open(dir, 1 << 20, Clock.systemUTC());
        byte[] a = blob('a', 100);
        Digest other = RegistryClient.sha256(blob('z', 100));
        assertThatThrownBy(() -> cache.obtain(other, a.length, sink -> sink.write(a, 0, a.length), n -> {}))
                .hasMessageContaining("not the expected " + other);
        assertThat(Files.exists(cache.path(other))).isFalse();
        assertThat(Files.list(dir.resolve("incoming")).toList()).isEmpty();

        Path leftover = Files.writeString(dir.resolve("incoming").resolve(other.hex() + "-123"), "half a blob");
        LayerCache.open(dir, 1 << 20, Clock.systemUTC());
        assertThat(Files.exists(leftover)).isFalse();
    }

    @Test
    void aBlobsHeaderRecordCountsTowardTheBoundAndGoesWithIt() throws Exception {
        LayerCache cache = LayerCache.open(dir, 3000, new SteppingClock());
        byte[] a = blob('a', 1000);
        byte[] b = blob('b', 1000);
        Digest da = RegistryClient.sha256(a);
        put(cache, a);
        Files.write(cache.headersPath(da), blob('h', 900));
        put(cache, b);
        assertThat(cache.bytes()).isEqualTo(2900);

        put(cache, blob('c', 1000)); // 3900 bytes: a, the least recently used, goes with its record
        assertThat(cache.contains(da, 1000)).isFalse();
        assertThat(cache.headersPath(da)).doesNotExist();
        assertThat(cache.bytes()).isEqualTo(2000);
    }

    @Test
    void openingTheCacheRemovesRecordsWithoutTheirBlobAndHalfWrittenOnes() throws Exception {
        LayerCache cache = LayerCache.open(dir, 1 << 20, new SteppingClock());
        byte[] a = blob('a', 100);
        Digest da = RegistryClient.sha256(a);
        put(cache, a);
        Path kept = Files.write(cache.headersPath(da), blob('h', 10));
        Path orphan = Files.write(cache.headersPath(RegistryClient.sha256(blob('z', 1))), blob('h', 10));
        Path halfWritten = Files.write(kept.resolveSibling(da.hex() + ".tmp-1-2"), blob('h', 5));

        LayerCache.open(dir, 1 << 20, new SteppingClock());

        assertThat(kept).exists();
        assertThat(orphan).doesNotExist();
        assertThat(halfWritten).doesNotExist();
    }
}
