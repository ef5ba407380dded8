package io.workdisk.demo;

import io.workdisk.agent.engine.DiskEngine;
import io.workdisk.agent.engine.files.ConfinedRoot;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The reference the benchmarks compare workdisk with: the same engine steps called directly, with the
 * same parallelism as the agents and no API, operator or tasks in between.
 */
final class EngineReference {
    private EngineReference() {}

    /**
     * {@code count} disks spread round robin over {@code roots}, {@code threadsPerRoot} at a time on each;
     * every {@code blankEvery}-th one formatted blank (0: none), the others materialized from
     * {@code seeds/<seed>.ext4} in their root. Returns the seconds until all are made.
     */
    static double makeDisks(
            List<Path> roots, int threadsPerRoot, int count, long size, String seed, int blankEvery, String prefix)
            throws Exception {
        DiskEngine engine = DiskEngine.standard();
        ExecutorService pool = Executors.newFixedThreadPool(roots.size() * threadsPerRoot);
        long start = System.nanoTime();
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Path root = roots.get(i % roots.size());
            Path out = root.resolve("disks/" + prefix + i + ".ext4");
            boolean blank = blankEvery > 0 && i % blankEvery == 0;
            done.add(pool.submit(() -> {
                ConfinedRoot dataRoot = ConfinedRoot.of(root);
                return blank
                        ? engine.format(dataRoot, new DiskEngine.FormatRequest(out, size, false, "bench", false))
                        : engine.materialize(
                                dataRoot,
                                new DiskEngine.MaterializeRequest(
                                        root.resolve("seeds/" + seed + ".ext4"), out, size, false, "bench", false));
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        return seconds;
    }
}
