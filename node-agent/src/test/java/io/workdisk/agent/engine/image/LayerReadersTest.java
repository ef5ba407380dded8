package io.workdisk.agent.engine.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.workdisk.agent.engine.ext4.Inode;
import io.workdisk.agent.engine.oci.Digest;
import io.workdisk.agent.engine.seed.SeedOwnership;
import io.workdisk.agent.engine.shared.EngineException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Builds running at once read their layers on the one pool the engine's owner hands in, never on threads
 * of their own; a single reader thread is enough for several builds of layers longer than a reader may
 * get ahead, and a failed build gives its thread back. A deadlock fails by the timeout.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class LayerReadersTest {
    private static final int BUILDS = 3;
    /** More headers per layer than a reader may queue ahead of the index (8192): readers block and wait. */
    private static final int ENTRIES = 9_000;

    @TempDir
    Path tmp;

    private final ExecutorService builds = Executors.newFixedThreadPool(BUILDS);
    private final ExecutorService readers = LayerReaders.pool(1);
    private List<Layer> layers;

    @BeforeEach
    void setUp() throws Exception {
        layers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String dir = "l" + i + "/";
            layers.add(TarWriter.layerAt(tmp.resolve("layer" + i + ".tar"), w -> {
                w.dir(dir, 0755);
                for (int f = 0; f < ENTRIES; f++) {
                    w.file(dir + f, 0644, "");
                }
            }));
        }
    }

    @AfterEach
    void tearDown() {
        builds.shutdownNow();
        readers.shutdownNow();
    }

    private LayerIndex.Stats index(List<Layer> image) throws EngineException {
        LayerIndex index = new LayerIndex(
                SeedOwnership.PRESERVE, LayerLimits.defaults(), new Inode.Timestamp(1_700_000_000L, 0), readers);
        index.applyAll(image);
        return index.finish();
    }

    @Test
    void severalBuildsAtOnceReadEveryLayerOnTheOnePoolHandedIn() throws Exception {
        List<Future<LayerIndex.Stats>> running = new ArrayList<>();
        for (int b = 0; b < BUILDS; b++) {
            running.add(builds.submit(() -> index(layers)));
        }
        for (Future<LayerIndex.Stats> build : running) {
            assertThat(build.get().entries()).isEqualTo(3L * (ENTRIES + 1));
        }
        // A reader's task is counted done a moment after it handed over its layer's end: wait for them all.
        readers.shutdown();
        assertThat(readers.awaitTermination(1, TimeUnit.MINUTES)).isTrue();
        ThreadPoolExecutor pool = (ThreadPoolExecutor) readers;
        assertThat(pool.getCompletedTaskCount())
                .as("every layer of every build read on the pool")
                .isEqualTo(BUILDS * layers.size());
        assertThat(pool.getLargestPoolSize()).isEqualTo(1);
    }

    @Test
    void aFailedBuildGivesItsReadersBackToThePool() throws Exception {
        Layer first = layers.get(0);
        Layer lying = new Layer(
                Digest.ofHex("0".repeat(64)),
                first.mediaType(),
                first.file(),
                first.offset(),
                first.size(),
                first.diffId(),
                first.headers(),
                first.arriving());
        List<Layer> bad = List.of(lying, layers.get(1), layers.get(2));

        assertThatThrownBy(() -> index(bad)).isInstanceOf(EngineException.class).hasMessageContaining("digest");
        Future<LayerIndex.Stats> next = builds.submit(() -> index(layers));
        try {
            assertThat(next.get(1, TimeUnit.MINUTES).layers()).isEqualTo(3);
        } catch (ExecutionException e) {
            throw new AssertionError("the build after a failed one failed", e.getCause());
        }
    }
}
