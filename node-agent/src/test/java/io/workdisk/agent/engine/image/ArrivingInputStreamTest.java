package io.workdisk.agent.engine.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.workdisk.agent.engine.files.ConfinedRoot;
import io.workdisk.agent.engine.seed.SeedMethod;
import io.workdisk.agent.engine.seed.SeedOwnership;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.Phases;
import io.workdisk.agent.engine.shared.Problem;
import io.workdisk.agent.testing.Requirements;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading a blob while it downloads: bytes are read as they are written and not before, the read follows
 * the blob from its temporary file into the cache, bytes of a failed attempt are never mixed with the
 * next attempt's, and a download given up fails the read with its reason. The arrival is driven as the
 * layer cache drives it.
 */
class ArrivingInputStreamTest {
    @TempDir
    Path dir;

    static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) seed);
        for (int i = 0; i < n; i++) {
            b[i] ^= (byte) i;
        }
        return b;
    }

    /**
     * Starts {@code read} on a thread of its own and returns once that thread is seen blocked, still without a
     * result: a read of bytes that have not arrived must wait for them, not return what there is or fail.
     */
    static <T> CompletableFuture<T> blockedRead(Callable<T> read) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread reader = new Thread(
                () -> {
                    try {
                        result.complete(read.call());
                    } catch (Exception | Error e) {
                        result.completeExceptionally(e);
                    }
                },
                "arriving-reader");
        reader.setDaemon(true);
        reader.start();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> result.isDone()
                        || reader.getState() == Thread.State.WAITING
                        || reader.getState() == Thread.State.TIMED_WAITING);
        await().alias("the read waits for bytes that have not arrived, without a result")
                .during(Duration.ofMillis(300))
                .atMost(Duration.ofSeconds(2))
                .until(() -> !result.isDone());
        return result;
    }

    @Test
    void readsWhatHasArrivedWaitsForTheRestAndFollowsTheBlobIntoTheCache() throws Exception {
        byte[] content = bytes(100_000, 7);
        Arrival download = new Arrival();
        Path temp = dir.resolve("incoming-1");
        download.started(temp);
        Files.write(temp, Arrays.copyOf(content, 40_000));
        download.written(40_000);

        ArrivingInputStream in = new ArrivingInputStream(download, content.length, "sha256:x");
        byte[] first = in.readNBytes(40_000);
        assertThat(first).isEqualTo(Arrays.copyOf(content, 40_000));
        CompletableFuture<byte[]> rest = blockedRead(in::readAllBytes);

        Files.write(temp, Arrays.copyOfRange(content, 40_000, content.length), StandardOpenOption.APPEND);
        Path blob = dir.resolve("blob");
        Files.move(temp, blob);
        download.written(content.length);
        download.whole(blob, content.length);

        await().until(rest::isDone);
        assertThat(rest.get()).isEqualTo(Arrays.copyOfRange(content, 40_000, content.length));
        in.close();
    }

    @Test
    void aDownloadThatStartsOverUnderAReaderFailsTheReadRatherThanMixTwoAttempts() throws Exception {
        Arrival download = new Arrival();
        Path first = dir.resolve("attempt-1");
        download.started(first);
        Files.write(first, bytes(1000, 1));
        download.written(1000);
        ArrivingInputStream in = new ArrivingInputStream(download, 5000, "sha256:x");
        assertThat(in.readNBytes(1000)).hasSize(1000);

        Files.delete(first);
        download.abandoned();
        Path second = dir.resolve("attempt-2");
        download.started(second);
        Files.write(second, bytes(5000, 1));
        download.written(5000);

        assertThatThrownBy(in::read)
                .isInstanceOf(ArrivingInputStream.StartedOverException.class)
                .hasMessageContaining("started over");
    }

    @Test
    void aReaderThatHadReadNothingTakesTheNewAttempt() throws Exception {
        Arrival download = new Arrival();
        ArrivingInputStream in = new ArrivingInputStream(download, 3000, "sha256:x");
        Path second = dir.resolve("attempt-2");
        download.started(dir.resolve("attempt-1"));
        download.abandoned();
        download.started(second);
        Files.write(second, bytes(3000, 2));
        download.written(3000);
        download.whole(second, 3000);

        assertThat(in.readAllBytes()).isEqualTo(bytes(3000, 2));
    }

    @Test
    void aDownloadGivenUpFailsTheReadWithItsReason() throws Exception {
        Arrival download = new Arrival();
        ArrivingInputStream in = new ArrivingInputStream(download, 3000, "sha256:x");
        CompletableFuture<Integer> read = blockedRead(in::read);

        download.failed(new IOException("blob sha256:x ended after 10 of its 3000 bytes (truncated); discarded"));

        await().until(read::isDone);
        assertThat(read)
                .failsWithin(Duration.ZERO)
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withRootCauseInstanceOf(IOException.class)
                .withMessageContaining("(truncated)");
    }

    @Test
    void aBuildReadingALayerWhoseDownloadStartsOverFailsAsTheDownloadsFaultAndPublishesNothing() throws Exception {
        Requirements.mke2fsReadsTar(dir);
        Layer whole = TarWriter.layerAt(dir.resolve("layer.tar"), w -> w.file("big", 0644, "x".repeat(200_000)));
        Path tar = whole.file();
        long size = whole.size();
        // The first attempt got half way when the reader came for more; what it got then is a second attempt.
        Arriving startsOver = have ->
                have < size / 2 ? new Arriving.Part(tar, size / 2, 0, false) : new Arriving.Part(tar, size, 1, true);
        Layer layer = whole.arriving(startsOver);
        Path data = Files.createDirectories(dir.resolve("data"));
        ImageLayers image = ImageSeeds.imageOf(List.of(layer));

        assertThatThrownBy(() -> ImageSeeds.engine(SeedMethod.TAR)
                        .buildImageSeed(
                                ConfinedRoot.of(data),
                                new ImageSeedRequest(
                                        image, "test", "/", SeedOwnership.ROOT, data.resolve("image.seed"), "t", false),
                                new Phases(System::nanoTime),
                                entries -> {})
                        .result())
                .isInstanceOf(EngineException.class)
                .hasMessageContaining("started over")
                .satisfies(e -> assertThat(((EngineException) e).problem())
                        .as("the download's fault, for the pull to answer for")
                        .isEqualTo(Problem.SOURCE_UNAVAILABLE));
        try (var left = Files.list(data)) {
            assertThat(left.toList()).isEmpty();
        }
    }
}
